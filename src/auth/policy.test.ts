import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParapetError } from '../domain/errors.ts';
import {
  evaluateAction,
  evaluatePolicies,
  maxPolicyLength,
  parsePolicy,
  type PolicyDecision,
  type RequestContext,
} from './policy.ts';

const account = '1234567890123456';
const baseContext: RequestContext = {
  action: 'yundun-sas:DescribeVulList',
  resource: `acs:yundun-sas:*:${account}:*`,
  sourceIp: '203.0.113.7',
  currentTime: new Date('2026-03-01T12:00:00Z'),
  secureTransport: true,
  mfaPresent: true,
  extraKeys: { 'demo:Count': '10', 'demo:Env': 'prod' },
};

type RawStatement = Record<string, unknown>;
const doc = (...statements: RawStatement[]) => ({ Version: '1', Statement: statements });
const allow = (action: unknown, extra: RawStatement = {}) => ({
  Effect: 'Allow',
  Action: action,
  Resource: '*',
  ...extra,
});
const deny = (action: unknown, extra: RawStatement = {}) => ({ ...allow(action, extra), Effect: 'Deny' });

function decide(documents: unknown[], context: Partial<RequestContext> = {}): PolicyDecision {
  return evaluatePolicies(documents.map(parsePolicy), { ...baseContext, ...context });
}

const evaluationCases: {
  name: string;
  documents: unknown[];
  context?: Partial<RequestContext>;
  expected: PolicyDecision;
}[] = [
  { name: 'no policy at all denies implicitly', documents: [], expected: 'ImplicitDeny' },
  {
    name: 'exact action',
    documents: [doc(allow('yundun-sas:DescribeVulList'))],
    expected: 'Allow',
  },
  {
    name: 'another action is not granted',
    documents: [doc(allow('yundun-sas:ExportVul'))],
    expected: 'ImplicitDeny',
  },
  {
    name: 'action names and service prefixes match case-insensitively',
    documents: [doc(allow('YUNDUN-SAS:describevullist'))],
    expected: 'Allow',
  },
  {
    name: 'deny wins over allow in one document',
    documents: [doc(allow('*'), deny('yundun-sas:DescribeVulList'))],
    expected: 'ExplicitDeny',
  },
  {
    name: 'deny in one document wins over allow in another',
    documents: [doc(allow('yundun-sas:*')), doc(deny('yundun-sas:Describe*'))],
    expected: 'ExplicitDeny',
  },
  {
    name: 'allow in a later document counts',
    documents: [doc(allow('yundun-sas:ExportVul')), doc(allow('yundun-sas:DescribeVulList'))],
    expected: 'Allow',
  },
  {
    name: 'a deny for another action does not deny',
    documents: [doc(allow('*'), deny('yundun-sas:ExportVul'))],
    expected: 'Allow',
  },
  { name: '* alone matches every action', documents: [doc(allow('*'))], expected: 'Allow' },
  {
    name: 'trailing * in the action',
    documents: [doc(allow('yundun-sas:Describe*'))],
    expected: 'Allow',
  },
  {
    name: 'trailing * does not match another verb',
    documents: [doc(allow('yundun-sas:Describe*'))],
    context: { action: 'yundun-sas:ExportVul' },
    expected: 'ImplicitDeny',
  },
  {
    name: '* matches an empty run',
    documents: [doc(allow('yundun-sas:DescribeVulList*'))],
    expected: 'Allow',
  },
  {
    name: '* in the service position',
    documents: [doc(allow('*:DescribeVulList'))],
    expected: 'Allow',
  },
  {
    name: '* in both positions',
    documents: [doc(allow('yundun-*:Describe*List'))],
    expected: 'Allow',
  },
  {
    name: '* in both positions, the name part not matching',
    documents: [doc(allow('yundun-*:Describe*Info'))],
    expected: 'ImplicitDeny',
  },
  {
    name: '? matches one character',
    documents: [doc(allow('yundun-sas:DescribeVulL?st'))],
    expected: 'Allow',
  },
  {
    name: '? does not match zero characters',
    documents: [doc(allow('yundun-sas:DescribeVulList?'))],
    expected: 'ImplicitDeny',
  },
  {
    name: '? does not match two characters',
    documents: [doc(allow('yundun-sas:DescribeVul?st'))],
    expected: 'ImplicitDeny',
  },
  {
    name: 'one of several actions matches',
    documents: [doc(allow(['yundun-sas:ExportVul', 'yundun-sas:DescribeVulList']))],
    expected: 'Allow',
  },
  {
    name: 'NotAction allows what it does not list',
    documents: [doc({ Effect: 'Allow', NotAction: 'yundun-sas:Export*', Resource: '*' })],
    expected: 'Allow',
  },
  {
    name: 'NotAction does not allow what it lists',
    documents: [doc({ Effect: 'Allow', NotAction: 'yundun-sas:Export*', Resource: '*' })],
    context: { action: 'yundun-sas:ExportVul' },
    expected: 'ImplicitDeny',
  },
  {
    name: 'Deny with NotAction denies everything it does not list',
    documents: [doc(allow('*'), { Effect: 'Deny', NotAction: 'yundun-sas:Describe*', Resource: '*' })],
    context: { action: 'yundun-sas:ExportVul' },
    expected: 'ExplicitDeny',
  },
  {
    name: 'Deny with NotAction spares what it lists',
    documents: [doc(allow('*'), { Effect: 'Deny', NotAction: 'yundun-sas:Describe*', Resource: '*' })],
    expected: 'Allow',
  },
  {
    name: 'resource of the account',
    documents: [doc(allow('*', { Resource: `acs:yundun-sas:*:${account}:*` }))],
    expected: 'Allow',
  },
  {
    name: 'resource with an empty region, as the Sas pages write it',
    documents: [doc(allow('*', { Resource: `acs:yundun-sas::${account}:*` }))],
    context: { resource: `acs:yundun-sas::${account}:*` },
    expected: 'Allow',
  },
  {
    name: 'resource of another account',
    documents: [doc(allow('*', { Resource: 'acs:yundun-sas:*:999:*' }))],
    expected: 'ImplicitDeny',
  },
  {
    name: 'resources match case-sensitively',
    documents: [doc(allow('*', { Resource: `acs:YUNDUN-SAS:*:${account}:*` }))],
    expected: 'ImplicitDeny',
  },
  {
    name: 'one of several resources matches',
    documents: [doc(allow('*', { Resource: ['acs:ecs:*:*:*', `acs:yundun-sas:*:${account}:*`] }))],
    expected: 'Allow',
  },
  {
    name: 'a deny on another resource does not deny',
    documents: [doc(allow('*'), deny('*', { Resource: 'acs:yundun-sas:*:999:*' }))],
    expected: 'Allow',
  },
  {
    name: 'a deny conditioned on an absent key does not deny',
    documents: [doc(allow('*'), deny('*', { Condition: { Bool: { 'acs:MFAPresent': 'false' } } }))],
    context: { mfaPresent: undefined },
    expected: 'Allow',
  },
  {
    name: 'a deny whose condition holds denies',
    documents: [
      doc(allow('*'), deny('*', { Condition: { NotIpAddress: { 'acs:SourceIp': '10.0.0.0/8' } } })),
    ],
    expected: 'ExplicitDeny',
  },
];

for (const { name, documents, context, expected } of evaluationCases) {
  test(`evaluatePolicies: ${name}`, () => {
    assert.equal(decide(documents, context), expected);
  });
}

// Each row: one Condition block, the request (baseContext plus overrides), and whether it matches.
const conditionCases: [string, Record<string, Record<string, unknown>>, Partial<RequestContext>, boolean][] =
  [
    // String family
    ['StringEquals', { StringEquals: { 'acs:SourceIp': '203.0.113.7' } }, {}, true],
    ['StringEquals, no value equal', { StringEquals: { 'acs:SourceIp': '203.0.113.8' } }, {}, false],
    ['StringEquals, values OR', { StringEquals: { 'demo:Env': ['test', 'prod'] } }, {}, true],
    ['StringEquals is case-sensitive', { StringEquals: { 'demo:Env': 'Prod' } }, {}, false],
    ['key names are case-insensitive', { StringEquals: { 'ACS:SOURCEIP': '203.0.113.7' } }, {}, true],
    ['extra key names are case-insensitive', { StringEquals: { 'DEMO:ENV': 'prod' } }, {}, true],
    ['StringNotEquals, none equal', { StringNotEquals: { 'demo:Env': ['test', 'dev'] } }, {}, true],
    ['StringNotEquals, values NOR', { StringNotEquals: { 'demo:Env': ['test', 'prod'] } }, {}, false],
    ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'demo:Env': 'PROD' } }, {}, true],
    ['StringNotEqualsIgnoreCase', { StringNotEqualsIgnoreCase: { 'demo:Env': 'PROD' } }, {}, false],
    ['StringNotEqualsIgnoreCase, other', { StringNotEqualsIgnoreCase: { 'demo:Env': 'TEST' } }, {}, true],
    ['StringLike *', { StringLike: { 'acs:SourceIp': '203.0.113.*' } }, {}, true],
    ['StringLike ?', { StringLike: { 'acs:SourceIp': '203.0.11?.7' } }, {}, true],
    ['StringLike ? is one character', { StringLike: { 'acs:SourceIp': '203.0.113.?7' } }, {}, false],
    ['StringLike, no match', { StringLike: { 'acs:SourceIp': '198.*' } }, {}, false],
    ['StringLike on the time', { StringLike: { 'acs:CurrentTime': '2026-03-01T*' } }, {}, true],
    ['StringNotLike', { StringNotLike: { 'acs:SourceIp': ['10.*', '192.168.*'] } }, {}, true],
    ['StringNotLike, values NOR', { StringNotLike: { 'acs:SourceIp': ['10.*', '203.*'] } }, {}, false],
    // Numeric family (demo:Count is 10)
    ['NumericEquals', { NumericEquals: { 'demo:Count': '10' } }, {}, true],
    ['NumericEquals compares numbers', { NumericEquals: { 'demo:Count': '10.0' } }, {}, true],
    ['NumericEquals, other', { NumericEquals: { 'demo:Count': '11' } }, {}, false],
    ['NumericNotEquals', { NumericNotEquals: { 'demo:Count': ['9', '11'] } }, {}, true],
    ['NumericNotEquals, values NOR', { NumericNotEquals: { 'demo:Count': ['9', '10'] } }, {}, false],
    ['NumericLessThan', { NumericLessThan: { 'demo:Count': '11' } }, {}, true],
    ['NumericLessThan boundary', { NumericLessThan: { 'demo:Count': '10' } }, {}, false],
    ['NumericLessThanEquals boundary', { NumericLessThanEquals: { 'demo:Count': '10' } }, {}, true],
    ['NumericLessThanEquals below', { NumericLessThanEquals: { 'demo:Count': '9.5' } }, {}, false],
    ['NumericGreaterThan', { NumericGreaterThan: { 'demo:Count': '-1' } }, {}, true],
    ['NumericGreaterThan boundary', { NumericGreaterThan: { 'demo:Count': '10' } }, {}, false],
    ['NumericGreaterThanEquals boundary', { NumericGreaterThanEquals: { 'demo:Count': '10' } }, {}, true],
    ['NumericGreaterThanEquals above', { NumericGreaterThanEquals: { 'demo:Count': '11' } }, {}, false],
    [
      'Numeric on a non-numeric value',
      { NumericNotEquals: { 'demo:Count': '1' } },
      { extraKeys: { 'demo:Count': 'ten' } },
      false,
    ],
    // Date family (the request is at 2026-03-01T12:00:00Z = epoch 1772366400)
    ['DateEquals', { DateEquals: { 'acs:CurrentTime': '2026-03-01T12:00:00Z' } }, {}, true],
    [
      'DateEquals with an offset',
      { DateEquals: { 'acs:CurrentTime': '2026-03-01T20:00:00+08:00' } },
      {},
      true,
    ],
    [
      'DateEquals with a negative offset',
      { DateEquals: { 'acs:CurrentTime': '2026-03-01T07:30-04:30' } },
      {},
      true,
    ],
    ['DateEquals with epoch seconds', { DateEquals: { 'acs:CurrentTime': '1772366400' } }, {}, true],
    [
      'DateEquals, fractions count',
      { DateEquals: { 'acs:CurrentTime': '2026-03-01T12:00:00.001Z' } },
      {},
      false,
    ],
    ['DateNotEquals', { DateNotEquals: { 'acs:CurrentTime': '2026-01-01T00:00:00Z' } }, {}, true],
    ['DateNotEquals, same instant', { DateNotEquals: { 'acs:CurrentTime': '1772366400' } }, {}, false],
    ['DateLessThan boundary', { DateLessThan: { 'acs:CurrentTime': '2026-03-01T12:00:00Z' } }, {}, false],
    [
      'DateLessThan 1 ms later',
      { DateLessThan: { 'acs:CurrentTime': '2026-03-01T12:00:00.001Z' } },
      {},
      true,
    ],
    ['DateLessThanEquals boundary', { DateLessThanEquals: { 'acs:CurrentTime': '1772366400' } }, {}, true],
    ['DateLessThanEquals earlier', { DateLessThanEquals: { 'acs:CurrentTime': '1772366399' } }, {}, false],
    [
      'DateGreaterThan boundary',
      { DateGreaterThan: { 'acs:CurrentTime': '2026-03-01T12:00:00Z' } },
      {},
      false,
    ],
    [
      'DateGreaterThan 1 s earlier',
      { DateGreaterThan: { 'acs:CurrentTime': '2026-03-01T11:59:59Z' } },
      {},
      true,
    ],
    ['DateGreaterThan a bare date', { DateGreaterThan: { 'acs:CurrentTime': '2026-03-01' } }, {}, true],
    [
      'DateGreaterThanEquals boundary',
      { DateGreaterThanEquals: { 'acs:CurrentTime': '2026-03-01T12:00Z' } },
      {},
      true,
    ],
    [
      'DateGreaterThanEquals later',
      { DateGreaterThanEquals: { 'acs:CurrentTime': '2026-03-02' } },
      {},
      false,
    ],
    ['a leap day', { DateLessThan: { 'acs:CurrentTime': '2028-02-29T00:00:00Z' } }, {}, true],
    [
      'an invalid request time',
      { DateGreaterThan: { 'acs:CurrentTime': '1' } },
      { currentTime: new Date(NaN) },
      false,
    ],
    // Bool family
    ['Bool true', { Bool: { 'acs:SecureTransport': 'true' } }, {}, true],
    ['Bool false on a secure request', { Bool: { 'acs:SecureTransport': 'false' } }, {}, false],
    ['Bool false', { Bool: { 'acs:SecureTransport': 'false' } }, { secureTransport: false }, true],
    ['Bool is case-insensitive', { Bool: { 'acs:SecureTransport': 'TRUE' } }, {}, true],
    ['Bool on MFA', { Bool: { 'acs:MFAPresent': 'true' } }, {}, true],
    ['Bool on MFA absent', { Bool: { 'acs:MFAPresent': 'true' } }, { mfaPresent: false }, false],
    // IpAddress family, IPv4 (the request comes from 203.0.113.7)
    ['IpAddress /24', { IpAddress: { 'acs:SourceIp': '203.0.113.0/24' } }, {}, true],
    ['IpAddress bare address', { IpAddress: { 'acs:SourceIp': '203.0.113.7' } }, {}, true],
    ['IpAddress other bare address', { IpAddress: { 'acs:SourceIp': '203.0.113.8' } }, {}, false],
    ['IpAddress /32', { IpAddress: { 'acs:SourceIp': '203.0.113.7/32' } }, {}, true],
    ['IpAddress /29 upper edge', { IpAddress: { 'acs:SourceIp': '203.0.113.0/29' } }, {}, true],
    ['IpAddress next /29', { IpAddress: { 'acs:SourceIp': '203.0.113.8/29' } }, {}, false],
    ['IpAddress neighbouring /24', { IpAddress: { 'acs:SourceIp': '203.0.112.0/24' } }, {}, false],
    ['IpAddress /23 spans it', { IpAddress: { 'acs:SourceIp': '203.0.112.0/23' } }, {}, true],
    ['IpAddress host bits are masked', { IpAddress: { 'acs:SourceIp': '203.0.113.200/24' } }, {}, true],
    ['IpAddress /0', { IpAddress: { 'acs:SourceIp': '0.0.0.0/0' } }, {}, true],
    ['IpAddress, values OR', { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '203.0.113.0/24'] } }, {}, true],
    ['NotIpAddress', { NotIpAddress: { 'acs:SourceIp': '10.0.0.0/8' } }, {}, true],
    ['NotIpAddress, inside', { NotIpAddress: { 'acs:SourceIp': '203.0.113.0/24' } }, {}, false],
    [
      'NotIpAddress, values NOR',
      { NotIpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '203.0.113.0/24'] } },
      {},
      false,
    ],
    [
      'an IPv4-mapped source is its IPv4 address',
      { IpAddress: { 'acs:SourceIp': '203.0.113.0/24' } },
      { sourceIp: '::ffff:203.0.113.7' },
      true,
    ],
    ['an IPv4 source is not in ::/0', { IpAddress: { 'acs:SourceIp': '::/0' } }, {}, false],
    [
      'an unparseable source is in no range',
      { NotIpAddress: { 'acs:SourceIp': '10.0.0.0/8' } },
      { sourceIp: 'x' },
      false,
    ],
    // IpAddress family, IPv6
    ...(
      [
        ['2001:db8::/32', '2001:db8::1', true],
        ['2001:db9::/32', '2001:db8::1', false],
        ['2001:db8::1/128', '2001:db8::1', true],
        ['2001:db8::/128', '2001:db8::1', false],
        ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1', true],
        ['2001:db8::/64', '2001:db8:0:0:ffff:ffff:ffff:ffff', true],
        ['2001:db8::/64', '2001:db8:0:1::', false],
        ['2001:db8:8000::/33', '2001:db8:7fff:ffff::', false],
        ['2001:db8:8000::/33', '2001:db8:ffff:ffff::', true],
        ['::/0', '2001:db8::1', true],
        ['0.0.0.0/0', '2001:db8::1', false],
        ['64:ff9b::/96', '64:ff9b::203.0.113.7', true],
        ['64:ff9b::cb00:7100/120', '64:ff9b::203.0.113.7', true],
        ['::1', '::1', true],
        ['fe80::/10', 'febf:ffff::1', true],
        ['fe80::/10', 'fec0::1', false],
      ] as const
    ).map(([range, source, matches]): (typeof conditionCases)[number] => [
      `IpAddress ${range} with ${source}`,
      { IpAddress: { 'acs:SourceIp': range } },
      { sourceIp: source },
      matches,
    ]),
    // Keys the request does not carry never match, negated operators included
    ['MFA unknown, Bool true', { Bool: { 'acs:MFAPresent': 'true' } }, { mfaPresent: undefined }, false],
    ['MFA unknown, Bool false', { Bool: { 'acs:MFAPresent': 'false' } }, { mfaPresent: undefined }, false],
    ['absent key, StringNotEquals', { StringNotEquals: { 'acs:ResourceTag/env': 'prod' } }, {}, false],
    ['absent key, StringNotLike', { StringNotLike: { 'demo:Other': '*' } }, {}, false],
    ['absent key, NumericNotEquals', { NumericNotEquals: { 'demo:Count': '1' } }, { extraKeys: {} }, false],
    // Operators and keys AND together
    [
      'two operators, both hold',
      { IpAddress: { 'acs:SourceIp': '203.0.113.0/24' }, Bool: { 'acs:SecureTransport': 'true' } },
      {},
      true,
    ],
    [
      'two operators, one fails',
      { IpAddress: { 'acs:SourceIp': '203.0.113.0/24' }, Bool: { 'acs:SecureTransport': 'false' } },
      {},
      false,
    ],
    [
      'two keys under one operator, one fails',
      { StringEquals: { 'demo:Env': 'prod', 'acs:SourceIp': '10.0.0.1' } },
      {},
      false,
    ],
  ];

for (const [name, condition, context, matches] of conditionCases) {
  test(`condition: ${name}`, () => {
    const decision = decide([doc(allow('*', { Condition: condition }))], context);
    assert.equal(decision, matches ? 'Allow' : 'ImplicitDeny');
  });
}

test('evaluateAction: either alias grants; either explicit deny refuses', () => {
  const aliases = ['yundun-sas:GenerateOnceTask', 'yundun-aegis:GenerateOnceTask'];
  const cases: [unknown[], PolicyDecision][] = [
    [[doc(allow('yundun-aegis:GenerateOnceTask'))], 'Allow'],
    [[doc(allow('yundun-sas:Generate*'))], 'Allow'],
    [[doc(allow('yundun-sas:*')), doc(deny('yundun-aegis:GenerateOnceTask'))], 'ExplicitDeny'],
    [[doc(allow('yundun-aegis:*'), deny('yundun-sas:GenerateOnceTask'))], 'ExplicitDeny'],
    [[doc(allow('yundun-sas:DescribeVulList'))], 'ImplicitDeny'],
    [[], 'ImplicitDeny'],
  ];
  for (const [documents, expected] of cases) {
    assert.equal(
      evaluateAction(documents.map(parsePolicy), aliases, baseContext),
      expected,
      JSON.stringify(documents),
    );
  }
  assert.equal(evaluateAction([parsePolicy(doc(allow('*')))], [], baseContext), 'ImplicitDeny');
});

test('parsePolicy normalises text and objects to one shape', () => {
  const text = JSON.stringify(
    doc(
      allow('yundun-sas:Describe*', {
        Resource: ['acs:yundun-sas:*:1:*'],
        Condition: {
          IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '::1'] },
          Bool: { 'acs:SecureTransport': 'true' },
        },
      }),
      { Effect: 'Deny', NotAction: ['yundun-sas:Describe*'], Resource: '*' },
    ),
    null,
    2,
  );
  const expected = {
    version: '1',
    statements: [
      {
        effect: 'Allow',
        actions: ['yundun-sas:Describe*'],
        resources: ['acs:yundun-sas:*:1:*'],
        conditions: [
          { operator: 'IpAddress', key: 'acs:SourceIp', values: ['10.0.0.0/8', '::1'] },
          { operator: 'Bool', key: 'acs:SecureTransport', values: ['true'] },
        ],
      },
      { effect: 'Deny', notActions: ['yundun-sas:Describe*'], resources: ['*'], conditions: [] },
    ],
  };
  assert.deepEqual(parsePolicy(text), expected);
  assert.deepEqual(parsePolicy(JSON.parse(text)), expected);
});

test('parsePolicy counts the length without whitespace', () => {
  const actions = Array.from({ length: 200 }, (_, i) => `yundun-sas:Op${String(i).padStart(5, '0')}`);
  const document = doc(allow(actions));
  const compact = JSON.stringify(document).length;
  assert.ok(compact <= maxPolicyLength && JSON.stringify(document, null, 8).length > maxPolicyLength);
  assert.equal(parsePolicy(JSON.stringify(document, null, 8)).statements[0]?.actions?.length, 200);
});

const oversized = doc(allow(Array.from({ length: 300 }, (_, i) => `yundun-sas:Operation${i}`)));
const malformedCases: [string, unknown, string | RegExp][] = [
  ['invalid JSON text', '{"Version": "1",', /^the policy document is not valid JSON \(.+\)$/],
  ['a JSON array', '[]', 'the policy document must be a JSON object'],
  ['a number', 42, 'the policy document must be a JSON object'],
  ['null', null, 'the policy document must be a JSON object'],
  ['huge text', ' '.repeat(70_000), 'the policy document text is longer than 65536 characters'],
  [
    'over 6144 characters',
    oversized,
    `the policy document is ${JSON.stringify(oversized).length} characters long without whitespace; the limit is 6144`,
  ],
  [
    'not serialisable',
    { Version: '1', Statement: [{ n: 1n }] },
    'the policy document cannot be written as JSON',
  ],
  ['Version 2', { Version: '2', Statement: [allow('*')] }, 'Version must be "1", got "2"'],
  ['numeric Version', { Version: 1, Statement: [allow('*')] }, 'Version must be "1", got 1'],
  ['no Version', { Statement: [allow('*')] }, 'Version must be "1", got nothing'],
  [
    'misspelt element',
    { Version: '1', Statements: [allow('*')] },
    'the policy document has an unsupported element "Statements" (allowed: Version, Statement)',
  ],
  ['no Statement', { Version: '1' }, 'Statement must be a non-empty array, got nothing'],
  ['empty Statement', doc(), 'Statement must be a non-empty array, got []'],
  [
    'Statement an object',
    { Version: '1', Statement: allow('*') },
    /^Statement must be a non-empty array, got \{/,
  ],
  [
    'statement not an object',
    doc(allow('*'), 'Allow' as never),
    'Statement[1] must be an object, got "Allow"',
  ],
  [
    'lower-case Effect',
    doc(allow('*'), { ...allow('*'), Effect: 'allow' }),
    'Statement[1].Effect must be "Allow" or "Deny", got "allow"',
  ],
  [
    'no Effect',
    doc({ Action: '*', Resource: '*' }),
    'Statement[0].Effect must be "Allow" or "Deny", got nothing',
  ],
  [
    'Action and NotAction',
    doc(allow('*', { NotAction: 'yundun-sas:ExportVul' })),
    'Statement[0] must have exactly one of Action and NotAction, not both',
  ],
  ['no Action', doc({ Effect: 'Allow', Resource: '*' }), 'Statement[0] must have Action or NotAction'],
  ['empty Action', doc(allow([])), 'Statement[0].Action must not be an empty list'],
  ['non-string Action', doc(allow(['yundun-sas:A', 7])), 'Statement[0].Action[1] must be a string, got 7'],
  [
    'Action without a service',
    doc(allow('DescribeVulList')),
    'Statement[0].Action "DescribeVulList" is not "*" or "<service>:<action>"',
  ],
  [
    'Action with a space',
    doc(allow(['yundun sas:Describe*'])),
    'Statement[0].Action[0] "yundun sas:Describe*" is not "*" or "<service>:<action>"',
  ],
  [
    'NotAction malformed',
    doc({ Effect: 'Deny', NotAction: 'yundun-sas:', Resource: '*' }),
    'Statement[0].NotAction "yundun-sas:" is not "*" or "<service>:<action>"',
  ],
  ['no Resource', doc({ Effect: 'Allow', Action: '*' }), 'Statement[0] must have Resource'],
  [
    'Resource not an ARN',
    doc(allow('*', { Resource: ['*', 'my-bucket'] })),
    'Statement[0].Resource[1] "my-bucket" is not "*" or an "acs:…" resource name',
  ],
  [
    'unsupported element',
    doc(allow('*', { Principal: '*' })),
    'Statement[0] has an unsupported element "Principal" (allowed: Effect, Action, NotAction, Resource, Condition)',
  ],
  [
    'Condition an array',
    doc(allow('*', { Condition: [] })),
    'Statement[0].Condition must be an object, got []',
  ],
  [
    'unknown operator',
    doc(allow('*', { Condition: { StringEqual: { 'acs:SourceIp': '1.2.3.4' } } })),
    'Statement[0].Condition has an unknown operator "StringEqual"',
  ],
  [
    'IfExists operators are not RAM',
    doc(allow('*', { Condition: { StringEqualsIfExists: { 'demo:Env': 'a' } } })),
    'Statement[0].Condition has an unknown operator "StringEqualsIfExists"',
  ],
  [
    'empty operator block',
    doc(allow('*', { Condition: { Bool: {} } })),
    'Statement[0].Condition.Bool must be an object of condition keys, got {}',
  ],
  [
    'operator block a string',
    doc(allow('*', { Condition: { Bool: 'true' } })),
    'Statement[0].Condition.Bool must be an object of condition keys, got "true"',
  ],
  [
    'key without a prefix',
    doc(allow('*', { Condition: { StringEquals: { SourceIp: '1.2.3.4' } } })),
    'Statement[0].Condition.StringEquals has a malformed condition key "SourceIp"',
  ],
  [
    'Numeric on acs:SourceIp',
    doc(allow('*', { Condition: { NumericEquals: { 'acs:SourceIp': '1' } } })),
    'Statement[0].Condition.NumericEquals: acs:SourceIp takes String or IpAddress operators, not Numeric',
  ],
  [
    'IpAddress on acs:CurrentTime',
    doc(allow('*', { Condition: { IpAddress: { 'acs:currenttime': '1.2.3.4' } } })),
    'Statement[0].Condition.IpAddress: acs:currenttime takes String or Date operators, not IpAddress',
  ],
  [
    'JSON boolean value',
    doc(allow('*', { Condition: { Bool: { 'acs:SecureTransport': true } } })),
    'Statement[0].Condition.Bool["acs:SecureTransport"] must be a string, got true',
  ],
  [
    'JSON number value',
    doc(allow('*', { Condition: { NumericLessThan: { 'demo:Count': [1] } } })),
    'Statement[0].Condition.NumericLessThan["demo:Count"][0] must be a string, got 1',
  ],
  [
    'no values',
    doc(allow('*', { Condition: { StringEquals: { 'demo:Env': [] } } })),
    'Statement[0].Condition.StringEquals["demo:Env"] must not be an empty list',
  ],
  [
    'Bool yes',
    doc(allow('*', { Condition: { Bool: { 'acs:MFAPresent': 'yes' } } })),
    'Statement[0].Condition.Bool["acs:MFAPresent"] "yes" is not "true" or "false"',
  ],
  [
    'Numeric ten',
    doc(allow('*', { Condition: { NumericEquals: { 'demo:Count': 'ten' } } })),
    'Statement[0].Condition.NumericEquals["demo:Count"] "ten" is not a decimal number',
  ],
  ...[
    '2026-02-30T00:00:00Z',
    '2026-13-01',
    '2026-01-01T00:00:00',
    '2026-01-01T24:00:00Z',
    '1767225600000',
    'tomorrow',
  ].map((value): (typeof malformedCases)[number] => [
    `date ${value}`,
    doc(allow('*', { Condition: { DateLessThan: { 'acs:CurrentTime': value } } })),
    `Statement[0].Condition.DateLessThan["acs:CurrentTime"] "${value}" is not an ISO-8601 date with a time zone (e.g. 2026-01-01T00:00:00Z) or epoch seconds`,
  ]),
  ...[
    '10.0.0.0/33',
    '300.1.1.1',
    '10.0.0.0/',
    '10.0.0.0/08',
    '10.0.0.0/8/8',
    '10.0.0',
    '2001:db8::/129',
    '2001:db8:::1',
    'fe80::1%eth0',
    ' 10.0.0.1',
    '',
  ].map((value): (typeof malformedCases)[number] => [
    `IP ${JSON.stringify(value)}`,
    doc(allow('*'), allow('*', { Condition: { NotIpAddress: { 'acs:SourceIp': ['10.0.0.0/8', value] } } })),
    `Statement[1].Condition.NotIpAddress["acs:SourceIp"][1] "${value}" is not an IPv4 or IPv6 address or CIDR block`,
  ]),
];

for (const [name, input, why] of malformedCases) {
  test(`parsePolicy rejects ${name}`, () => {
    assert.throws(
      () => parsePolicy(input),
      (err: unknown) => {
        assert.ok(err instanceof ParapetError);
        assert.equal(err.code, 'InvalidParameter');
        const prefix = 'The specified parameter "PolicyDocument" is not valid: ';
        assert.ok(err.message.startsWith(prefix), err.message);
        const reason = err.message.slice(prefix.length);
        if (typeof why === 'string') assert.equal(reason, why);
        else assert.match(reason, why);
        return true;
      },
    );
  });
}
