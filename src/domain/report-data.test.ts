import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DAY_MS,
  previousPeriod,
  riskScore,
  trendBucketing,
  trendBucketLabel,
  trendBucketOf,
  trendBuckets,
} from './report-data.ts';

const open = (asap: number, later = 0, nntf = 0) => ({ asap, later, nntf });

test('the risk score is 0 with nothing open and at least 1 with anything open', () => {
  assert.equal(riskScore(open(0), 100), 0);
  assert.equal(riskScore(open(0), 0), 0);
  assert.equal(riskScore(open(0, 0, 1), 100_000), 1);
});

test('the risk score rises with every open finding and levels off at 100', () => {
  let last = 0;
  for (let asap = 1; asap <= 60; asap++) {
    const score = riskScore(open(asap), 10);
    assert.ok(score >= last, `${asap} asap: ${score} after ${last}`);
    last = score;
  }
  assert.equal(last, 71);
  assert.equal(riskScore(open(1_000), 10), 100);
  assert.ok(riskScore(open(1, 1), 10) > riskScore(open(1), 10));
  assert.equal(riskScore(open(0, 0, 10), 10), riskScore(open(1), 10), 'ten nntf weigh as much as one asap');
  assert.ok(riskScore(open(10), 100) < riskScore(open(10), 10), 'the same findings on more hosts');
});

test('the documented examples: 1, 3 and 6 asap findings per host, and 100 at about 316 weighted per host', () => {
  assert.equal(riskScore(open(100), 100), 42);
  assert.equal(riskScore(open(300), 100), 60);
  assert.equal(riskScore(open(600), 100), 71);
  assert.equal(riskScore(open(3_000, 500), 100), 100);
  assert.equal(riskScore(open(2_000), 100), 92);
  assert.equal(riskScore(open(1), 0), riskScore(open(1), 1), 'no hosts counts as one');
});

test('the previous period has the same length and ends where the period starts', () => {
  assert.deepEqual(previousPeriod({ from: 10 * DAY_MS, to: 17 * DAY_MS }), {
    from: 3 * DAY_MS,
    to: 10 * DAY_MS,
  });
});

test('periods up to 92 days are trended by day, longer ones by week', () => {
  const from = Date.UTC(2025, 0, 1);
  assert.equal(trendBucketing({ from, to: from + 92 * DAY_MS }, 0).days, 1);
  assert.equal(
    trendBuckets(trendBucketing({ from, to: from + 92 * DAY_MS }, 0), { from, to: from + 92 * DAY_MS })
      .length,
    92,
  );
  assert.equal(trendBucketing({ from, to: from + 92 * DAY_MS + 1 }, 0).days, 7);
});

test('a day bucket starts at local midnight', () => {
  const utc8 = trendBucketing({ from: 0, to: DAY_MS }, 480);
  const midnight = Date.UTC(2025, 0, 6, 16); // 2025-01-07 00:00 at UTC+8
  assert.equal(trendBucketLabel(utc8, trendBucketOf(utc8, midnight)), '2025-01-07');
  assert.equal(trendBucketLabel(utc8, trendBucketOf(utc8, midnight - 1)), '2025-01-06');
  const utcMinus5 = trendBucketing({ from: 0, to: DAY_MS }, -300);
  assert.equal(
    trendBucketLabel(utcMinus5, trendBucketOf(utcMinus5, Date.UTC(2025, 0, 7, 4, 59))),
    '2025-01-06',
  );
  assert.equal(trendBucketLabel(utcMinus5, trendBucketOf(utcMinus5, Date.UTC(2025, 0, 7, 5))), '2025-01-07');
});

test('a week bucket starts on Monday at local midnight', () => {
  const weekly = trendBucketing({ from: 0, to: 100 * DAY_MS }, 480);
  const monday = Date.UTC(2025, 0, 5, 16); // Monday 2025-01-06 00:00 at UTC+8
  assert.equal(trendBucketLabel(weekly, trendBucketOf(weekly, monday)), '2025-01-06');
  assert.equal(trendBucketLabel(weekly, trendBucketOf(weekly, monday + 7 * DAY_MS - 1)), '2025-01-06');
  assert.equal(trendBucketLabel(weekly, trendBucketOf(weekly, monday - 1)), '2024-12-30');
  // 1970-01-01 was a Thursday: its week started on Monday 1969-12-29.
  assert.equal(trendBucketLabel(weekly, trendBucketOf(weekly, 0)), '1969-12-29');
});
