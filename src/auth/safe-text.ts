/** Small helpers the signature verifiers share. */
import { timingSafeEqual } from 'node:crypto';

/** Compares a computed signature with a given one in constant time. */
export function safeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Client text echoed in a message, cut short so an error body stays small. */
export function quote(text: string): string {
  return JSON.stringify(text.slice(0, 64));
}
