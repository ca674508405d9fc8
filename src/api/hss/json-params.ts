/**
 * Codecs for fields of an HSS JSON body. Types are strict — a string where
 * the contract says int64 is HSS.0001, because the SDKs never send one and a
 * script that does has a bug worth reporting. Unknown fields are ignored, as
 * newer SDKs add fields.
 */
import { invalidParameter, missingParameter, ParapetError } from '../../domain/errors.ts';

export type JsonObject = Record<string, unknown>;

export interface JsonCodec<T> {
  decode(body: JsonObject, name: string): T;
}

const MAX_TEXT = 4096;
const MAX_ITEMS = 1000;

function present(body: JsonObject, name: string): unknown {
  const value = body[name];
  return value === null ? undefined : value;
}

export function jsonString(
  options: { maxLength?: number; pattern?: RegExp } = {},
): JsonCodec<string | undefined> {
  const maxLength = options.maxLength ?? MAX_TEXT;
  return {
    decode(body, name) {
      const value = present(body, name);
      if (value === undefined || value === '') return undefined;
      if (typeof value !== 'string') throw invalidParameter(name, `it must be a string, not ${typeof value}`);
      if (value.length > maxLength) throw invalidParameter(name, `it is longer than ${maxLength} characters`);
      if (options.pattern && !options.pattern.test(value)) {
        throw invalidParameter(name, `"${value.slice(0, 64)}" is not well formed`);
      }
      return value;
    },
  };
}

export function jsonOneOf<const T extends string>(values: readonly T[]): JsonCodec<T | undefined> {
  return {
    decode(body, name) {
      const value = jsonString().decode(body, name);
      if (value === undefined) return undefined;
      if (!(values as readonly string[]).includes(value)) {
        throw invalidParameter(name, `"${value.slice(0, 64)}" is not one of ${values.join(', ')}`);
      }
      return value as T;
    },
  };
}

/** An integer (int32/int64 in the contract), within the safe range. */
export function jsonInt(options: { min?: number; max?: number } = {}): JsonCodec<number | undefined> {
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  return {
    decode(body, name) {
      const value = present(body, name);
      if (value === undefined) return undefined;
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw invalidParameter(name, `it must be an integer, not ${JSON.stringify(value).slice(0, 64)}`);
      }
      if (value < min || value > max) throw invalidParameter(name, `${value} is outside ${min}..${max}`);
      return value;
    },
  };
}

export function jsonBool(): JsonCodec<boolean | undefined> {
  return {
    decode(body, name) {
      const value = present(body, name);
      if (value === undefined) return undefined;
      if (typeof value !== 'boolean') {
        throw invalidParameter(name, `it must be true or false, not ${JSON.stringify(value).slice(0, 64)}`);
      }
      return value;
    },
  };
}

/** An array of strings, each checked by `item`. */
export function jsonStringList(
  options: { maxLength?: number; pattern?: RegExp } = {},
): JsonCodec<string[] | undefined> {
  const item = jsonString(options);
  return {
    decode(body, name) {
      const value = present(body, name);
      if (value === undefined) return undefined;
      if (!Array.isArray(value)) throw invalidParameter(name, 'it must be an array of strings');
      if (value.length > MAX_ITEMS) throw invalidParameter(name, `it has more than ${MAX_ITEMS} items`);
      return (value as unknown[]).map((entry, index) => {
        const decoded = item.decode({ [`${name}[${index}]`]: entry }, `${name}[${index}]`);
        if (decoded === undefined) throw invalidParameter(`${name}[${index}]`, 'it is empty');
        return decoded;
      });
    },
  };
}

export type JsonSpec = Record<string, JsonCodec<unknown>>;
export type JsonDecoded<S extends JsonSpec> = {
  [K in keyof S]: S[K] extends JsonCodec<infer T> ? T : never;
};

/** Parses a request body as a JSON object: HSS.0002 when it is not JSON, HSS.0001 when not an object. */
export function parseJsonBody(raw: Buffer, required: boolean): JsonObject {
  if (raw.length === 0) {
    if (required) throw missingParameter('body');
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ParapetError('InvalidBody');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter('body', 'it must be a JSON object');
  }
  return parsed as JsonObject;
}

export function decodeJson<S extends JsonSpec>(spec: S, body: JsonObject): JsonDecoded<S> {
  const decoded: Record<string, unknown> = {};
  for (const [name, codec] of Object.entries(spec)) decoded[name] = codec.decode(body, name);
  return decoded as JsonDecoded<S>;
}
