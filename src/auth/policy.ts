/**
 * RAM policies: parsing and evaluation of the Alibaba Cloud RAM policy grammar
 * (`{"Version":"1","Statement":[{Effect, Action|NotAction, Resource, Condition}]}`).
 * Pure: no I/O, no clock (the caller passes the request time).
 *
 * Choices where RAM's documentation is silent or loose (spec §4, §6 question 5):
 * - Action names and service prefixes match case-insensitively, because RAM
 *   documents operations in PascalCase while clients and policies vary;
 *   resources match case-sensitively (relative ids may be case-sensitive).
 * - `*` matches any run (including an empty one, and across `:`), `?` exactly
 *   one character; there is no escape for a literal `*` or `?`.
 * - Several values of one key OR together; for a negated operator
 *   (StringNotEquals, NumericNotEquals, DateNotEquals, StringNotLike,
 *   StringNotEqualsIgnoreCase, NotIpAddress) they NOR together: the value must
 *   equal none of them (AWS IAM's rule; an OR of negations would always hold).
 * - A condition on a key the request does not carry, or carries with a value of
 *   the wrong type, does not match, negated operators included. So a Deny
 *   conditioned on an absent key does not deny.
 * - IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, what a dual-stack socket
 *   reports) are treated as the IPv4 address; otherwise IPv4 and IPv6 ranges
 *   never match each other. A CIDR with host bits set is accepted and masked.
 * - Dates are ISO-8601 with a time zone (`2026-01-01T00:00:00Z`,
 *   `…+08:00`), a bare date (midnight UTC), or epoch seconds.
 * - The 6,144-character limit counts the document without insignificant
 *   whitespace, so indenting a policy does not push it over.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { invalidParameter, type ParapetError } from '../domain/errors.ts';

export interface PolicyDocument {
  version: '1';
  statements: PolicyStatement[];
}

/** Exactly one of `actions` and `notActions` is set. */
export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  actions?: string[];
  notActions?: string[];
  resources: string[];
  conditions: PolicyCondition[];
}

export interface PolicyCondition {
  operator: ConditionOperator;
  /** As written in the policy; matched case-insensitively. */
  key: string;
  values: string[];
}

export interface RequestContext {
  /** e.g. `yundun-sas:DescribeVulList` */
  action: string;
  /** e.g. `acs:yundun-sas:*:1234567890123456:*` */
  resource: string;
  /** acs:SourceIp */
  sourceIp: string;
  /** acs:CurrentTime */
  currentTime: Date;
  /** acs:SecureTransport */
  secureTransport: boolean;
  /** acs:MFAPresent; absent when unknown. */
  mfaPresent?: boolean;
  /**
   * Further condition keys by name (service-specific keys, `acs:ResourceTag/<k>`),
   * matched case-insensitively. The four keys above always come from their own fields.
   */
  extraKeys?: Readonly<Record<string, string>>;
}

export type PolicyDecision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** RAM's limit on a policy document, in characters without insignificant whitespace. */
export const maxPolicyLength = 6144;
// JSON text longer than this is refused before it is parsed, whatever its whitespace.
const maxPolicyTextLength = 65536;

// ---------------------------------------------------------------- evaluation

export function evaluatePolicies(documents: PolicyDocument[], context: RequestContext): PolicyDecision {
  let allowed = false;
  for (const { statements } of documents) {
    for (const statement of statements) {
      if (!statementMatches(statement, context)) continue;
      if (statement.effect === 'Deny') return 'ExplicitDeny';
      allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/**
 * Actions an operation may be authorised under: Sas ops can be granted as
 * yundun-sas:Op or yundun-aegis:Op; a request is allowed if either name is
 * allowed and denied if either is explicitly denied. No names: ImplicitDeny.
 */
export function evaluateAction(
  documents: PolicyDocument[],
  actionNames: string[],
  context: Omit<RequestContext, 'action'>,
): PolicyDecision {
  const decisions = actionNames.map((action) => evaluatePolicies(documents, { ...context, action }));
  if (decisions.includes('ExplicitDeny')) return 'ExplicitDeny';
  return decisions.includes('Allow') ? 'Allow' : 'ImplicitDeny';
}

function statementMatches(statement: PolicyStatement, context: RequestContext): boolean {
  const action = context.action.toLowerCase();
  const actionListed = (patterns: string[]) =>
    patterns.some((pattern) => matchesWildcard(pattern.toLowerCase(), action));
  const actionMatches = statement.notActions
    ? !actionListed(statement.notActions)
    : actionListed(statement.actions ?? []);
  return (
    actionMatches &&
    statement.resources.some((pattern) => matchesWildcard(pattern, context.resource)) &&
    statement.conditions.every((condition) => conditionMatches(condition, context))
  );
}

function conditionMatches({ operator, key, values }: PolicyCondition, context: RequestContext): boolean {
  const actual = readKey(key, context);
  return actual !== undefined && operators[operator].matches(actual, values);
}

/** A context value as text, or undefined when the request does not carry the key. */
function readKey(key: string, context: RequestContext): string | undefined {
  const name = key.toLowerCase();
  const known = contextKeys.get(name);
  if (known) return known.read(context);
  return Object.entries(context.extraKeys ?? {}).find(([extra]) => extra.toLowerCase() === name)?.[1];
}

/** Wildcard match without regular expressions (no escaping, no backtracking blow-up). */
function matchesWildcard(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  let star = -1; // position of the last `*` seen in p, to resume from when a later char mismatches
  let starText = 0; // where in t that `*` currently ends
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      starText = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++starText;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

// ---------------------------------------------------------------- condition operators

type ValueFamily = 'String' | 'Numeric' | 'Date' | 'Bool' | 'IpAddress';

interface ValueType<T> {
  family: ValueFamily;
  /** How a valid value reads, for error messages. */
  expected: string;
  parse(text: string): T | undefined;
}

interface Operator {
  type: ValueType<unknown>;
  matches(actual: string, values: string[]): boolean;
}

function makeOperator<T>(
  type: ValueType<T>,
  test: (actual: T, expected: T) => boolean,
  negated?: 'negated',
): Operator {
  return {
    type,
    matches(actualText, values) {
      const actual = type.parse(actualText);
      if (actual === undefined) return false;
      const any = values.some((text) => {
        const expected = type.parse(text);
        return expected !== undefined && test(actual, expected);
      });
      return negated ? !any : any;
    },
  };
}

const text: ValueType<string> = { family: 'String', expected: 'a string', parse: (value) => value };
const numeric: ValueType<number> = {
  family: 'Numeric',
  expected: 'a decimal number',
  parse: (value) => (/^-?\d+(\.\d+)?$/.test(value) ? Number(value) : undefined),
};
const date: ValueType<number> = {
  family: 'Date',
  expected: 'an ISO-8601 date with a time zone (e.g. 2026-01-01T00:00:00Z) or epoch seconds',
  parse: parseDate,
};
const bool: ValueType<boolean> = {
  family: 'Bool',
  expected: '"true" or "false"',
  parse: (value) => {
    const lower = value.toLowerCase();
    return lower === 'true' || lower === 'false' ? lower === 'true' : undefined;
  },
};
const ipRange: ValueType<IpRange> = {
  family: 'IpAddress',
  expected: 'an IPv4 or IPv6 address or CIDR block',
  parse: parseIpRange,
};

const equal = (a: unknown, b: unknown) => a === b;
const lessThan = (a: number, b: number) => a < b;
const lessThanEquals = (a: number, b: number) => a <= b;
const greaterThan = (a: number, b: number) => a > b;
const greaterThanEquals = (a: number, b: number) => a >= b;
const equalIgnoringCase = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const like = (actual: string, pattern: string) => matchesWildcard(pattern, actual);

const operators = {
  StringEquals: makeOperator(text, equal),
  StringNotEquals: makeOperator(text, equal, 'negated'),
  StringEqualsIgnoreCase: makeOperator(text, equalIgnoringCase),
  StringNotEqualsIgnoreCase: makeOperator(text, equalIgnoringCase, 'negated'),
  StringLike: makeOperator(text, like),
  StringNotLike: makeOperator(text, like, 'negated'),
  NumericEquals: makeOperator(numeric, equal),
  NumericNotEquals: makeOperator(numeric, equal, 'negated'),
  NumericLessThan: makeOperator(numeric, lessThan),
  NumericLessThanEquals: makeOperator(numeric, lessThanEquals),
  NumericGreaterThan: makeOperator(numeric, greaterThan),
  NumericGreaterThanEquals: makeOperator(numeric, greaterThanEquals),
  DateEquals: makeOperator(date, equal),
  DateNotEquals: makeOperator(date, equal, 'negated'),
  DateLessThan: makeOperator(date, lessThan),
  DateLessThanEquals: makeOperator(date, lessThanEquals),
  DateGreaterThan: makeOperator(date, greaterThan),
  DateGreaterThanEquals: makeOperator(date, greaterThanEquals),
  Bool: makeOperator(bool, equal),
  IpAddress: makeOperator(ipRange, ipInRange),
  NotIpAddress: makeOperator(ipRange, ipInRange, 'negated'),
} as const satisfies Record<string, Operator>;

export type ConditionOperator = keyof typeof operators;

function isOperator(name: string): name is ConditionOperator {
  return Object.hasOwn(operators, name);
}

interface ContextKey {
  families: ValueFamily[];
  read(context: RequestContext): string | undefined;
}

/**
 * The global keys the request context carries, by lower-cased name, with the
 * operator families that can ever match them: a Deny written with, say, a
 * Numeric operator on acs:SourceIp would silently never deny, so it is refused.
 */
const contextKeys = new Map<string, ContextKey>([
  ['acs:sourceip', { families: ['String', 'IpAddress'], read: (c) => c.sourceIp }],
  [
    'acs:currenttime',
    {
      families: ['String', 'Date'],
      read: (c) => (Number.isNaN(c.currentTime.getTime()) ? undefined : c.currentTime.toISOString()),
    },
  ],
  ['acs:securetransport', { families: ['String', 'Bool'], read: (c) => String(c.secureTransport) }],
  [
    'acs:mfapresent',
    {
      families: ['String', 'Bool'],
      read: (c) => (c.mfaPresent === undefined ? undefined : String(c.mfaPresent)),
    },
  ],
]);

// ---------------------------------------------------------------- dates

const isoDate =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2})))?$/;

/** Milliseconds since the epoch, or undefined for anything but the forms in the header. */
function parseDate(value: string): number | undefined {
  // Up to 12 digits: epoch seconds; epoch milliseconds (13 digits) are refused, not misread.
  if (/^\d{1,12}$/.test(value)) return Number(value) * 1000;
  const match = isoDate.exec(value);
  if (!match) return undefined;
  const part = (index: number) => Number(match[index] ?? 0);
  const [year, month, day] = [part(1), part(2) - 1, part(3)] as const;
  const [hour, minute, second] = [part(4), part(5), part(6)] as const;
  const [offsetHours, offsetMinutes] = [part(9), part(10)] as const;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const instant = new Date(0);
  instant.setUTCFullYear(year, month, day);
  // February 30th and month 13 roll over into another month: refuse them.
  if (instant.getUTCMonth() !== month || instant.getUTCDate() !== day) return undefined;
  instant.setUTCHours(hour, minute, second, Math.floor(part(7) * 1000));
  const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
  return instant.getTime() - (match[8] === '-' ? -offset : offset);
}

// ---------------------------------------------------------------- IP addresses

interface IpRange {
  family: 4 | 6;
  bits: bigint;
  prefix: number;
}

const width = { 4: 32, 6: 128 } as const;

/** `a.b.c.d`, an IPv6 address, or either with `/prefix`; undefined when malformed. */
function parseIpRange(value: string): IpRange | undefined {
  const [address = '', prefixText, ...rest] = value.split('/');
  if (rest.length > 0) return undefined;
  const family = isIPv4(address) ? 4 : isIPv6(address) && !address.includes('%') ? 6 : undefined;
  if (family === undefined) return undefined;
  const bits = family === 4 ? ipv4Bits(address) : ipv6Bits(address);
  if (prefixText === undefined) {
    // A bare IPv4-mapped IPv6 address is the IPv4 address it carries.
    return family === 6 && bits >> 32n === 0xffffn
      ? { family: 4, bits: bits & 0xffffffffn, prefix: 32 }
      : { family, bits, prefix: width[family] };
  }
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > width[family]) return undefined;
  return { family, bits, prefix: Number(prefixText) };
}

function ipInRange(address: IpRange, range: IpRange): boolean {
  if (address.family !== range.family || address.prefix !== width[address.family]) return false;
  const hostBits = BigInt(width[range.family] - range.prefix);
  return address.bits >> hostBits === range.bits >> hostBits;
}

function ipv4Bits(address: string): bigint {
  return address.split('.').reduce((bits, octet) => (bits << 8n) | BigInt(octet), 0n);
}

/** For an address node:net has already validated as IPv6. */
function ipv6Bits(address: string): bigint {
  // A trailing dotted quad (`::ffff:1.2.3.4`) stands for the last two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  const hex = dotted
    ? `${dotted[1]}${(ipv4Bits(dotted[2]!) >> 16n).toString(16)}:${(ipv4Bits(dotted[2]!) & 0xffffn).toString(16)}`
    : address;
  const [head = '', tail] = hex.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const zeros =
    tail === undefined ? [] : Array<string>(8 - groups(head).length - groups(tail).length).fill('0');
  return [...groups(head), ...zeros, ...groups(tail)].reduce(
    (bits, group) => (bits << 16n) | BigInt(`0x${group}`),
    0n,
  );
}

// ---------------------------------------------------------------- parsing

/**
 * Validates a RAM policy document (parsed JSON or JSON text) and normalises it;
 * throws ParapetError('InvalidParameter', <precise reason with the statement index>)
 * when it is malformed.
 */
export function parsePolicy(input: unknown): PolicyDocument {
  const document = typeof input === 'string' ? parseJsonText(input) : input;
  if (!isRecord(document)) throw invalid('the policy document must be a JSON object');
  const length = compactLength(document);
  if (length > maxPolicyLength) {
    throw invalid(
      `the policy document is ${length} characters long without whitespace; the limit is ${maxPolicyLength}`,
    );
  }
  checkElements(document, ['Version', 'Statement'], 'the policy document');
  if (document.Version !== '1') throw invalid(`Version must be "1", got ${show(document.Version)}`);
  const statements = document.Statement;
  if (!Array.isArray(statements) || statements.length === 0) {
    throw invalid(`Statement must be a non-empty array, got ${show(statements)}`);
  }
  return {
    version: '1',
    statements: statements.map((statement: unknown, index) =>
      parseStatement(statement, `Statement[${index}]`),
    ),
  };
}

function parseJsonText(input: string): unknown {
  if (input.length > maxPolicyTextLength) {
    throw invalid(`the policy document text is longer than ${maxPolicyTextLength} characters`);
  }
  try {
    return JSON.parse(input);
  } catch (err) {
    throw invalid(`the policy document is not valid JSON (${(err as Error).message})`);
  }
}

function compactLength(document: Record<string, unknown>): number {
  try {
    return JSON.stringify(document).length;
  } catch {
    throw invalid('the policy document cannot be written as JSON');
  }
}

function parseStatement(statement: unknown, path: string): PolicyStatement {
  if (!isRecord(statement)) throw invalid(`${path} must be an object, got ${show(statement)}`);
  checkElements(statement, ['Effect', 'Action', 'NotAction', 'Resource', 'Condition'], path);
  const { Effect: effect, Action: action, NotAction: notAction, Resource: resource } = statement;
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw invalid(`${path}.Effect must be "Allow" or "Deny", got ${show(effect)}`);
  }
  if (action !== undefined && notAction !== undefined) {
    throw invalid(`${path} must have exactly one of Action and NotAction, not both`);
  }
  if (action === undefined && notAction === undefined) throw invalid(`${path} must have Action or NotAction`);
  if (resource === undefined) throw invalid(`${path} must have Resource`);
  const actions = action === undefined ? {} : { actions: stringList(action, `${path}.Action`, checkAction) };
  const notActions =
    notAction === undefined ? {} : { notActions: stringList(notAction, `${path}.NotAction`, checkAction) };
  return {
    effect,
    ...actions,
    ...notActions,
    resources: stringList(resource, `${path}.Resource`, checkResource),
    conditions: parseConditions(statement.Condition, `${path}.Condition`),
  };
}

function parseConditions(block: unknown, path: string): PolicyCondition[] {
  if (block === undefined) return [];
  if (!isRecord(block)) throw invalid(`${path} must be an object, got ${show(block)}`);
  return Object.entries(block).flatMap(([operator, keys]) => {
    if (!isOperator(operator)) throw invalid(`${path} has an unknown operator "${operator}"`);
    const operatorPath = `${path}.${operator}`;
    if (!isRecord(keys) || Object.keys(keys).length === 0) {
      throw invalid(`${operatorPath} must be an object of condition keys, got ${show(keys)}`);
    }
    const { type } = operators[operator];
    return Object.entries(keys).map(([key, values]) => {
      if (!/^[\w-]+:\S+$/.test(key)) throw invalid(`${operatorPath} has a malformed condition key "${key}"`);
      const families = contextKeys.get(key.toLowerCase())?.families;
      if (families && !families.includes(type.family)) {
        throw invalid(`${operatorPath}: ${key} takes ${families.join(' or ')} operators, not ${type.family}`);
      }
      const check = (value: string) =>
        type.parse(value) === undefined ? `is not ${type.expected}` : undefined;
      return { operator, key, values: stringList(values, `${operatorPath}["${key}"]`, check) };
    });
  });
}

function checkAction(action: string): string | undefined {
  return action === '*' || /^[\w*?-]+:[\w*?.:-]+$/.test(action)
    ? undefined
    : 'is not "*" or "<service>:<action>"';
}

function checkResource(resource: string): string | undefined {
  return resource === '*' || /^acs:\S*$/.test(resource)
    ? undefined
    : 'is not "*" or an "acs:…" resource name';
}

/** A string or a non-empty array of strings, each passing `check` (which returns why not). */
function stringList(value: unknown, path: string, check: (item: string) => string | undefined): string[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (items.length === 0) throw invalid(`${path} must not be an empty list`);
  return items.map((item, index) => {
    const itemPath = Array.isArray(value) ? `${path}[${index}]` : path;
    if (typeof item !== 'string') throw invalid(`${itemPath} must be a string, got ${show(item)}`);
    const problem = check(item);
    if (problem) throw invalid(`${itemPath} "${item}" ${problem}`);
    return item;
  });
}

function checkElements(record: Record<string, unknown>, allowed: string[], path: string): void {
  const unknown = Object.keys(record).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    throw invalid(`${path} has an unsupported element "${unknown}" (allowed: ${allowed.join(', ')})`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short rendering of an offending value for an error message. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  // Only JSON-serialisable documents get this far (compactLength); a function inside one reads as its type.
  const json = JSON.stringify(value) ?? typeof value;
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

function invalid(why: string): ParapetError {
  return invalidParameter('PolicyDocument', why);
}
