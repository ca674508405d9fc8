import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorCatalogue, ParapetError } from './errors.ts';

const documented = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documentedCodes = new Set(
  [
    ...documented.matchAll(
      /^\| <a id="[^"]+"><\/a>`([^`]+)`\s*\| (\d{3})\s*\| `([A-Z]+\.\d{4})` (\d{3})\s*\|/gm,
    ),
  ].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]}`),
);

test('every catalogued error is documented in docs/errors.md with its HTTP status and HSS rendering, and nothing else is', () => {
  const catalogued = new Set(
    Object.entries(errorCatalogue).map(
      ([code, entry]) => `${code} ${entry.httpStatus} ${entry.hss.code} ${entry.hss.httpStatus}`,
    ),
  );
  assert.deepEqual([...catalogued].sort(), [...documentedCodes].sort());
});

test('a ParapetError carries its catalogue status and default message', () => {
  const error = new ParapetError('NoPermission');
  assert.equal(error.httpStatus, 403);
  assert.equal(error.message, 'caller has no permission');
});
