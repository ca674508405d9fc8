import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { testStateDir } from '../../test/support/state-dir.ts';
import { makeZipWriter } from './zip-writer.ts';

const dir = mkdtempSync(join(testStateDir(), 'zip-'));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Python's zipfile checks every CRC and size, independently of this code. */
function pythonListing(file: string): Record<string, string> {
  const script = [
    'import hashlib, json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'assert bad is None, bad',
    'print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, string>;
}

test('entries written whole and streamed read back byte for byte in another zip reader', async () => {
  const file = join(dir, 'mixed.zip');
  const zip = makeZipWriter({ output: createWriteStream(file), compressionLevel: 1 });
  const small = Buffer.from('<xml>hello</xml>');
  // Half random (incompressible, so the output has to wait), half repetitive.
  const parts = Array.from({ length: 96 }, (_, i) =>
    i % 2 ? randomBytes(64 * 1024) : Buffer.alloc(64 * 1024, i),
  );
  await zip.addBuffer('a/small.xml', small);
  const entry = zip.openEntry('big/données.bin');
  for (const part of parts) if (!entry.write(part)) await entry.drained();
  await entry.end();
  await zip.addBuffer('empty', Buffer.alloc(0));
  await zip.finish();

  assert.deepEqual(pythonListing(file), {
    'a/small.xml': sha256(small),
    'big/données.bin': sha256(Buffer.concat(parts)),
    empty: sha256(Buffer.alloc(0)),
  });
  const unzip = spawnSync('unzip', ['-tq', file], { encoding: 'utf8' });
  if (unzip.error === undefined) assert.equal(unzip.status, 0, unzip.stdout + unzip.stderr);
});

test('one entry at a time', async () => {
  const zip = makeZipWriter({ output: createWriteStream(join(dir, 'order.zip')) });
  const entry = zip.openEntry('first');
  assert.throws(() => zip.openEntry('second'), /has not ended/);
  await assert.rejects(zip.finish(), /has not ended/);
  await entry.end();
  await zip.finish();
  assert.deepEqual(Object.keys(pythonListing(join(dir, 'order.zip'))), ['first']);
});

test('abort destroys the output and fails the entry being written', async () => {
  const output = createWriteStream(join(dir, 'aborted.zip'));
  const zip = makeZipWriter({ output });
  const entry = zip.openEntry('data');
  let full = false;
  while (!full) full = !entry.write(randomBytes(64 * 1024));
  const waiting = entry.drained();
  zip.abort(new Error('cancelled'));
  await assert.rejects(waiting, /cancelled/);
  await assert.rejects(entry.end(), /cancelled/);
  assert.ok(output.destroyed);
  assert.throws(() => zip.openEntry('more'), /cancelled/);
});
