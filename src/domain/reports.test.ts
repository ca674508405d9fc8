import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParapetError } from './errors.ts';
import {
  dueReportPeriod,
  isCalendarDate,
  MAX_RECIPIENTS,
  parseRecipients,
  reportPeriod,
  type ReportDefinition,
} from './reports.ts';

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

test('periods: last full day, week (Monday to Monday), month, the saved range, recent days — in the given zone', () => {
  const zone = 8 * 60; // +08:00
  const at = (iso: string) => Date.parse(iso);
  const now = at('2026-11-25T01:30:00+08:00'); // a Wednesday, early morning in +08:00
  const base = { startDate: undefined, endDate: undefined, reportDays: undefined };
  assert.deepEqual(reportPeriod({ ...base, type: 0 }, now, zone), {
    from: at('2026-11-24T00:00:00+08:00'),
    to: at('2026-11-25T00:00:00+08:00'),
  });
  assert.deepEqual(reportPeriod({ ...base, type: 1 }, now, zone), {
    from: at('2026-11-16T00:00:00+08:00'),
    to: at('2026-11-23T00:00:00+08:00'),
  });
  assert.deepEqual(reportPeriod({ ...base, type: 2 }, now, zone), {
    from: at('2026-10-01T00:00:00+08:00'),
    to: at('2026-11-01T00:00:00+08:00'),
  });
  assert.deepEqual(reportPeriod({ ...base, type: 2 }, at('2026-01-10T12:00:00+08:00'), zone), {
    from: at('2025-12-01T00:00:00+08:00'),
    to: at('2026-01-01T00:00:00+08:00'),
  });
  assert.deepEqual(
    reportPeriod({ ...base, type: 3, startDate: '2026-07-01', endDate: '2026-09-30' }, now, zone),
    {
      from: at('2026-07-01T00:00:00+08:00'),
      to: at('2026-10-01T00:00:00+08:00'),
    },
  );
  assert.deepEqual(reportPeriod({ ...base, type: 4, reportDays: 30 }, now, zone), {
    from: at('2026-10-26T00:00:00+08:00'),
    to: at('2026-11-25T00:00:00+08:00'),
  });
});

test('a definition is due from its send time after its period ends, for the latest period only', () => {
  const zone = 8 * 60;
  const at = (iso: string) => Date.parse(iso);
  const weekly: ReportDefinition = {
    title: 't',
    recipients: ['a@example.com'],
    enabled: true,
    type: 1,
    lang: 'en',
    version: '2.0.0',
    startDate: undefined,
    endDate: undefined,
    reportDays: undefined,
    sendWindow: undefined,
    sendStartTime: '08:00:00',
    sendEndTime: '09:00:00',
    sendPeriodType: undefined,
    sendPeriodDays: undefined,
    groupType: undefined,
    targetGroups: [],
    pinnedAt: undefined,
  };
  const lastWeek = { from: at('2026-11-16T00:00:00+08:00'), to: at('2026-11-23T00:00:00+08:00') };
  assert.equal(
    dueReportPeriod(weekly, at('2026-11-23T07:59:00+08:00'), zone),
    undefined,
    'before the send time',
  );
  assert.deepEqual(dueReportPeriod(weekly, at('2026-11-23T08:00:00+08:00'), zone), lastWeek);
  assert.deepEqual(
    dueReportPeriod(weekly, at('2026-11-27T03:00:00+08:00'), zone),
    lastWeek,
    'still due later in the week',
  );
  assert.equal(
    dueReportPeriod({ ...weekly, enabled: false }, at('2026-11-23T09:00:00+08:00'), zone),
    undefined,
  );
  const window3 = { ...weekly, sendStartTime: undefined, sendWindow: 3 }; // 12:00–18:00
  assert.equal(dueReportPeriod(window3, at('2026-11-23T11:00:00+08:00'), zone), undefined);
  assert.ok(dueReportPeriod(window3, at('2026-11-23T12:00:00+08:00'), zone));
  const recentWeekly = {
    ...weekly,
    type: 4 as const,
    reportDays: 7,
    sendPeriodType: 'WEEK' as const,
    sendPeriodDays: 1,
  };
  assert.ok(dueReportPeriod(recentWeekly, at('2026-11-23T08:30:00+08:00'), zone), 'Monday');
  assert.equal(
    dueReportPeriod(recentWeekly, at('2026-11-24T08:30:00+08:00'), zone),
    undefined,
    'not Tuesday',
  );
  const range = { ...weekly, type: 3 as const, startDate: '2026-11-01', endDate: '2026-11-20' };
  assert.equal(
    dueReportPeriod(range, at('2026-11-20T12:00:00+08:00'), zone),
    undefined,
    'the range has not ended',
  );
  assert.deepEqual(dueReportPeriod(range, at('2026-11-21T08:00:00+08:00'), zone), {
    from: at('2026-11-01T00:00:00+08:00'),
    to: at('2026-11-21T00:00:00+08:00'),
  });
});
