/**
 * Codecs for parameters that arrive as text: Sas RPC parameters (query or
 * form body) and HSS query parameters. A codec turns the text into a typed
 * value or throws InvalidParameter/MissingParameter, which each dialect
 * renders its own way. Sas's flattened arrays arrive as `Name.1`, `Name.2`, …
 */
import { invalidParameter, missingParameter } from '../domain/errors.ts';

export type RawParams = Record<string, string>;

export interface Codec<T> {
  decode(params: RawParams, name: string): T;
}

/** The largest value accepted for any text parameter, so nothing unbounded reaches a query. */
const MAX_TEXT = 4096;

function text(params: RawParams, name: string): string | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

export function str(options: { maxLength?: number; pattern?: RegExp } = {}): Codec<string | undefined> {
  const maxLength = options.maxLength ?? MAX_TEXT;
  return {
    decode(params, name) {
      const value = text(params, name);
      if (value === undefined) return undefined;
      if (value.length > maxLength) throw invalidParameter(name, `it is longer than ${maxLength} characters`);
      if (options.pattern && !options.pattern.test(value)) {
        throw invalidParameter(name, `"${value}" is not well formed`);
      }
      return value;
    },
  };
}

export function int(options: { min?: number; max?: number } = {}): Codec<number | undefined> {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return {
    decode(params, name) {
      const value = text(params, name);
      if (value === undefined) return undefined;
      if (!/^-?\d{1,16}$/.test(value)) {
        throw invalidParameter(name, `"${value.slice(0, 64)}" is not an integer`);
      }
      const number = Number(value);
      if (number < min || number > max) throw invalidParameter(name, `${value} is outside ${min}..${max}`);
      return number;
    },
  };
}

export function bool(): Codec<boolean | undefined> {
  return {
    decode(params, name) {
      const value = text(params, name);
      if (value === undefined) return undefined;
      if (value === 'true') return true;
      if (value === 'false') return false;
      throw invalidParameter(name, `"${value.slice(0, 64)}" is not true or false`);
    },
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Codec<T | undefined> {
  return {
    decode(params, name) {
      const value = text(params, name);
      if (value === undefined) return undefined;
      if (!(values as readonly string[]).includes(value)) {
        throw invalidParameter(name, `"${value.slice(0, 64)}" is not one of ${values.join(', ')}`);
      }
      return value as T;
    },
  };
}

/** A comma-separated list (`Uuids=a,b`), optionally with each item checked. */
export function csv<T extends string = string>(
  item: Codec<T | undefined> = str() as Codec<T | undefined>,
): Codec<T[] | undefined> {
  return {
    decode(params, name) {
      const value = text(params, name);
      if (value === undefined) return undefined;
      if (value.length > 64 * 1024) throw invalidParameter(name, 'the list is too long');
      const items = value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      if (items.length > 1000) throw invalidParameter(name, 'the list has more than 1000 items');
      return items.map((part) => item.decode({ [name]: part }, name) as T);
    },
  };
}

/** `Name.1`, `Name.2`, … (the SDKs' flattened arrays); gaps are not allowed. */
export function repeated<T>(item: Codec<T | undefined>): Codec<T[] | undefined> {
  return {
    decode(params, name) {
      const values: T[] = [];
      for (let i = 1; i <= 1000; i++) {
        const value = item.decode(params, `${name}.${i}`);
        if (value === undefined) break;
        values.push(value);
      }
      return values.length === 0 ? undefined : values;
    },
  };
}

export function required<T>(codec: Codec<T | undefined>): Codec<T> {
  return {
    decode(params, name) {
      const value = codec.decode(params, name);
      if (value === undefined) throw missingParameter(name);
      return value;
    },
  };
}

export function withDefault<T>(codec: Codec<T | undefined>, fallback: T): Codec<T> {
  return {
    decode(params, name) {
      return codec.decode(params, name) ?? fallback;
    },
  };
}

export type ParamSpec = Record<string, Codec<unknown>>;
export type Decoded<S extends ParamSpec> = { [K in keyof S]: S[K] extends Codec<infer T> ? T : never };

export function decodeParams<S extends ParamSpec>(spec: S, params: RawParams): Decoded<S> {
  const decoded: Record<string, unknown> = {};
  for (const [name, codec] of Object.entries(spec)) decoded[name] = codec.decode(params, name);
  return decoded as Decoded<S>;
}
