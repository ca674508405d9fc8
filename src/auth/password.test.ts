import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { test } from 'node:test';
import { ParapetError } from '../domain/errors.ts';
import { hashPassword, verifyPassword } from './password.ts';

test('a hash verifies its password only, and carries its parameters and a fresh salt', async () => {
  const stored = await hashPassword('correct horse battery');
  assert.match(stored, /^scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  assert.equal(await verifyPassword('correct horse battery', stored), true);
  assert.equal(await verifyPassword('correct horse batterY', stored), false);
  assert.equal(await verifyPassword('', stored), false);
  assert.notEqual(await hashPassword('correct horse battery'), stored);
});

test('the stored string is plain scrypt: other parameters verify too', async () => {
  const salt = Buffer.from('0123456789abcdef');
  const hash = scryptSync('older password', salt, 64, { N: 1024, r: 4, p: 2 });
  const stored = `scrypt$N=1024,r=4,p=2$${salt.toString('base64')}$${hash.toString('base64')}`;
  assert.equal(await verifyPassword('older password', stored), true);
  assert.equal(await verifyPassword('older passwore', stored), false);
});

test('passwords have 8 to 128 characters, counted as code points', async () => {
  for (const bad of ['', 'seven77', 'x'.repeat(129), '🔑'.repeat(7), '🔑'.repeat(129)]) {
    await assert.rejects(hashPassword(bad), (err: unknown) => {
      assert.ok(err instanceof ParapetError);
      assert.equal(err.code, 'InvalidParameter');
      assert.match(err.message, /8-128 characters/);
      return true;
    });
  }
  for (const good of ['eight888', 'x'.repeat(128), '🔑'.repeat(8), '密码密码密码密码']) {
    assert.equal(await verifyPassword(good, await hashPassword(good)), true);
  }
});

test('a stored string in an unknown format is an error, not a mismatch', async () => {
  await assert.rejects(verifyPassword('whatever1', 'plaintext'), /unknown format/);
  await assert.rejects(verifyPassword('whatever1', 'bcrypt$2b$10$abc'), /unknown format/);
});
