import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParapetError } from './errors.ts';
import { isCalendarDate, MAX_RECIPIENTS, parseRecipients } from './reports.ts';

test('calendar dates are real days written yyyy-MM-dd', () => {
  for (const good of ['2026-01-01', '2024-02-29', '2026-12-31']) assert.ok(isCalendarDate(good), good);
  for (const bad of [
    '2026-02-29',
    '2026-13-01',
    '2026-04-31',
    '2026-1-1',
    '26-01-01',
    '2026-01-01T00:00',
    '',
  ]) {
    assert.ok(!isCalendarDate(bad), bad);
  }
});

test('recipients: trimmed, de-duplicated addresses; empty, malformed or too many are refused', () => {
  assert.deepEqual(parseRecipients(' a@example.com ,b.c+d@mail.example.org,a@example.com'), [
    'a@example.com',
    'b.c+d@mail.example.org',
  ]);
  const many = Array.from({ length: MAX_RECIPIENTS + 1 }, (_, i) => `u${i}@example.com`).join(',');
  for (const bad of ['', ' , ', 'user', 'user@', '@example.com', 'a@b', 'a b@example.com', many]) {
    assert.throws(
      () => parseRecipients(bad),
      (err: unknown) => err instanceof ParapetError && err.code === 'InvalidParameter',
      bad,
    );
  }
});
