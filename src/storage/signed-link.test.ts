import assert from 'node:assert/strict';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ParapetError, type ErrorCode } from '../domain/errors.ts';
import { signDownloadToken, verifyDownloadToken } from './signed-link.ts';

const KEY = randomBytes(32);
const NOW = 1_700_000_000_000;
const CLAIMS = { tenantId: 12, artifactId: 345, expiresAt: NOW + 3_600_000 };
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function refusal(token: string, now = NOW, key = KEY): ErrorCode | 'accepted' {
  try {
    verifyDownloadToken(key, token, now);
    return 'accepted';
  } catch (err) {
    assert.ok(err instanceof ParapetError, String(err));
    return err.code;
  }
}

test('a token verifies to the claims it was signed with, until it expires', () => {
  const token = signDownloadToken(KEY, CLAIMS);
  assert.match(token, /^12\.345\.1700003600000\.[\w-]{43}$/, 'url-safe, readable parts');
  assert.deepEqual(verifyDownloadToken(KEY, token, NOW), CLAIMS);
  assert.deepEqual(verifyDownloadToken(KEY, token, CLAIMS.expiresAt - 1), CLAIMS);
  assert.equal(refusal(token, CLAIMS.expiresAt), 'DownloadLink.Expired');
  assert.equal(refusal(token, CLAIMS.expiresAt + 86_400_000), 'DownloadLink.Expired');
});

test('the signature is HMAC-SHA256 under a key derived with HKDF, not the server key itself', () => {
  const linkKey = Buffer.from(hkdfSync('sha256', KEY, Buffer.alloc(0), 'parapet download links', 32));
  const payload = '12.345.1700003600000';
  const signature = signDownloadToken(KEY, CLAIMS).split('.')[3];
  assert.equal(signature, createHmac('sha256', linkKey).update(payload).digest('base64url'));
  assert.notEqual(signature, createHmac('sha256', KEY).update(payload).digest('base64url'));
});

test('changing any single character of a token, in any part, makes it invalid', () => {
  const token = signDownloadToken(KEY, CLAIMS);
  for (let i = 0; i < token.length; i++) {
    const char = token[i] ?? '';
    const replacement = /\d/.test(char)
      ? String((Number(char) + 1) % 10)
      : char === '.'
        ? 'x'
        : BASE64URL[(BASE64URL.indexOf(char) + 1) % 64];
    const tampered = token.slice(0, i) + replacement + token.slice(i + 1);
    assert.equal(refusal(tampered), 'DownloadLink.Invalid', `position ${i}: ${tampered}`);
  }
});

test('the signature has exactly one spelling: the spare bits of its last character are not ignored', () => {
  const token = signDownloadToken(KEY, CLAIMS);
  const last = token.at(-1) ?? '';
  // The last of 43 base64url characters carries 4 bits of the MAC and 2 spare
  // bits; flipping the lowest bit changes only a spare one.
  const sibling = BASE64URL[BASE64URL.indexOf(last) ^ 1] ?? '';
  assert.equal(refusal(token.slice(0, -1) + sibling), 'DownloadLink.Invalid');
});

test("moving a signature onto another tenant's or artifact's id is refused", () => {
  const signature = signDownloadToken(KEY, CLAIMS).split('.')[3];
  assert.equal(refusal(`13.345.${CLAIMS.expiresAt}.${signature}`), 'DownloadLink.Invalid');
  assert.equal(refusal(`12.346.${CLAIMS.expiresAt}.${signature}`), 'DownloadLink.Invalid');
  assert.equal(refusal(`12.345.${CLAIMS.expiresAt + 1000}.${signature}`), 'DownloadLink.Invalid');
  // The same numbers spelled with a leading zero are not the signed text.
  assert.equal(refusal(`012.345.${CLAIMS.expiresAt}.${signature}`), 'DownloadLink.Invalid');
});

test('a token signed under another server key is refused', () => {
  assert.equal(refusal(signDownloadToken(randomBytes(32), CLAIMS)), 'DownloadLink.Invalid');
});

test('malformed tokens are invalid, and an expired forgery reads as invalid, not expired', () => {
  const token = signDownloadToken(KEY, CLAIMS);
  for (const bad of [
    '',
    'x',
    token.slice(0, -1),
    `${token}A`,
    `${token}.`,
    token.replaceAll('.', '_'),
    '1.2.3.4',
  ]) {
    assert.equal(refusal(bad), 'DownloadLink.Invalid', bad);
  }
  const forged = signDownloadToken(randomBytes(32), { ...CLAIMS, expiresAt: NOW - 1 });
  assert.equal(refusal(forged), 'DownloadLink.Invalid');
});
