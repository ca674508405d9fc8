/** Sas virus scans: starting them, their progress, per-host listings, events and statistics. */
import { invalidParameter, parseJsonParameter } from '../../../domain/errors.ts';
import { SCAN_TYPES, VIRUS_LEVELS } from '../../../domain/virus-scan.ts';
import {
  getVirusScan,
  latestVirusScanSummary,
  listHostScans,
  listVirusEvents,
  startVirusScan,
  virusScanStatistics,
} from '../../../services/virus-scans.ts';
import {
  SAS_ONCE_TASK_STATUS,
  SAS_SCAN_PROGRESS,
  SAS_VIRUS_SCAN_STATUS_CODE,
  statusesOfSasCode,
} from '../../task-status-names.ts';
import { csv, int, oneOf, repeated, required, str, withDefault } from '../../text-params.ts';
import { defineAction } from '../action.ts';

const MAX_TARGETS = 1000;

/** `TargetInfo`: a JSON array of `{"type":"uuid"|"groupId","name":…,"target":…}`. */
function parseTargetInfo(text: string): { uuids: string[]; groupIds: number[] } {
  const parsed = parseJsonParameter(text, 'TargetInfo');
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw invalidParameter('TargetInfo', 'it is not a non-empty JSON array');
  }
  if (parsed.length > MAX_TARGETS)
    throw invalidParameter('TargetInfo', `it has more than ${MAX_TARGETS} items`);
  const uuids: string[] = [];
  const groupIds: number[] = [];
  for (const item of parsed as unknown[]) {
    const { type, target } = (typeof item === 'object' && item !== null ? item : {}) as Record<
      string,
      unknown
    >;
    if (type === 'uuid' && typeof target === 'string' && target !== '' && target.length <= 128) {
      uuids.push(target);
    } else if (type === 'groupId' && /^\d{1,15}$/.test(String(target))) {
      groupIds.push(Number(target));
    } else {
      throw invalidParameter(
        'TargetInfo',
        'every item needs type "uuid" with a uuid target or "groupId" with a number',
      );
    }
  }
  return { uuids, groupIds };
}

export const startVirusScanTask = defineAction({
  name: 'StartVirusScanTask',
  params: { TargetInfo: required(str({ maxLength: 128 * 1024 })) },
  async handle({ app, caller, params: p }) {
    const view = await startVirusScan(app, caller.tenant.id, {
      selection: parseTargetInfo(p.TargetInfo),
      scanType: 'system',
      paths: [],
      targetInfo: p.TargetInfo,
      origin: 'StartVirusScanTask',
    });
    return { ScanTaskId: view.task.id };
  },
});

const MAX_PATHS = 100;

export const createVirusScanOnceTask = defineAction({
  name: 'CreateVirusScanOnceTask',
  params: {
    ScanType: withDefault(oneOf(SCAN_TYPES), 'system'),
    ScanPath: repeated(str({ maxLength: 4096, pattern: /^\// })),
    SelectionKey: str({ maxLength: 256 }),
    Param: str({ maxLength: 4096 }),
    ClientToken: str({ maxLength: 64, pattern: /^[\x21-\x7e]+$/ }),
  },
  async handle({ app, caller, params: p }) {
    const paths = p.ScanPath ?? [];
    if (p.ScanType === 'user' && paths.length === 0) {
      throw invalidParameter('ScanPath', 'a user scan needs at least one absolute path');
    }
    if (paths.length > MAX_PATHS) throw invalidParameter('ScanPath', `at most ${MAX_PATHS} paths`);
    if (p.Param !== undefined) parseJsonParameter(p.Param, 'Param');
    // Parapet has no asset selections: the scan covers every host with an agent.
    await startVirusScan(app, caller.tenant.id, {
      selection: 'all',
      scanType: p.ScanType,
      paths: p.ScanType === 'user' ? paths : [],
      targetInfo: '',
      origin: 'CreateVirusScanOnceTask',
      clientToken: p.ClientToken,
    });
    return {};
  },
});

export const describeScanTaskProgress = defineAction({
  name: 'DescribeScanTaskProgress',
  params: { TaskId: required(int({ min: 1 })) },
  async handle({ app, caller, params: p }) {
    const { task } = await getVirusScan(app, caller.tenant.id, p.TaskId);
    return { ScanTaskProgress: SAS_SCAN_PROGRESS[task.status], TargetInfo: task.params.targetInfo };
  },
});

const statusCode = int({ min: 1, max: 4 });

export const listVirusScanTask = defineAction({
  name: 'ListVirusScanTask',
  params: {
    Status: statusCode,
    StatusList: repeated(statusCode),
    CurrentPage: withDefault(int({ min: 1, max: 1_000_000 }), 1),
    PageSize: withDefault(int({ min: 1, max: 100 }), 20),
    Lang: oneOf(['zh', 'en']),
  },
  async handle({ app, caller, params: p }) {
    const codes = p.StatusList ?? (p.Status === undefined ? undefined : [p.Status]);
    const statuses = codes?.flatMap((code) => statusesOfSasCode(code));
    const { items, totalCount } = await listHostScans(app, caller.tenant.id, statuses, {
      currentPage: p.CurrentPage,
      pageSize: p.PageSize,
    });
    return {
      PageInfo: {
        CurrentPage: p.CurrentPage,
        PageSize: p.PageSize,
        Count: items.length,
        TotalCount: totalCount,
      },
      List: items.map(({ target, task, host, events }) => ({
        TaskId: String(task.id),
        TaskName: 'VIRUS_VUL_SCHEDULE_SCAN',
        Uuid: host?.uuid,
        InstanceName: host?.instanceName,
        InstanceId: host?.instanceId,
        InternetIp: host?.internetIp,
        IntranetIp: host?.intranetIp,
        ScanType: task.params.scanType,
        ScanPath: task.params.paths,
        Status: SAS_VIRUS_SCAN_STATUS_CODE[target.status],
        StatusName: SAS_ONCE_TASK_STATUS[target.status],
        Progress: target.progress,
        StartTime: target.deliveredAt ?? target.createdAt,
        EndTime: target.finishedAt,
        Result: JSON.stringify({ ...((target.summary as object | undefined) ?? {}), late: target.late }),
        SuspiciousCount: events,
      })),
    };
  },
});

const levelLabel = {
  serious: { zh: '紧急', en: 'Urgent' },
  suspicious: { zh: '可疑', en: 'Suspicious' },
  remind: { zh: '提醒', en: 'Reminder' },
};

export const listVirusScanMachineEvent = defineAction({
  name: 'ListVirusScanMachineEvent',
  params: {
    CurrentPage: required(int({ min: 1, max: 1_000_000 })),
    PageSize: required(int({ min: 1, max: 100 })),
    Uuid: str({ maxLength: 128 }),
    OperateTaskId: str({ maxLength: 32, pattern: /^\d{1,15}$/ }),
    Lang: withDefault(oneOf(['zh', 'en']), 'zh'),
  },
  async handle({ app, caller, params: p }) {
    const page = await listVirusEvents(
      app,
      caller.tenant.id,
      { hostUuid: p.Uuid, taskId: p.OperateTaskId === undefined ? undefined : Number(p.OperateTaskId) },
      { currentPage: p.CurrentPage, pageSize: p.PageSize },
    );
    const zh = p.Lang === 'zh';
    return {
      PageInfo: {
        CurrentPage: p.CurrentPage,
        PageSize: p.PageSize,
        TotalCount: page.totalCount,
        Count: page.items.length,
      },
      Data: page.items.map((event) => ({
        EventId: event.id,
        EventName: event.signature,
        Level: event.level,
        InstanceName: event.host.instanceName,
        InternetIp: event.host.internetIp,
        IntranetIp: event.host.intranetIp,
        Uuid: event.host.uuid,
        LastTimeStamp: event.detectedAt,
        Details: [
          [zh ? '文件路径' : 'File path', event.path, 'path'],
          [zh ? '文件大小' : 'File size', String(event.size), 'size'],
          ['MD5', event.md5, 'md5'],
          ['SHA256', event.sha256, 'sha256'],
          [zh ? '病毒名' : 'Signature', event.signature, 'signature'],
          [zh ? '检测引擎' : 'Engine', event.engine, 'engine'],
          [zh ? '等级' : 'Level', levelLabel[event.level][p.Lang], 'level'],
        ].map(([NameDisplay, ValueDisplay, InfoType]) => ({
          NameDisplay,
          ValueDisplay,
          Type: 'text',
          InfoType,
        })),
      })),
    };
  },
});

export const describeScanTaskStatistics = defineAction({
  name: 'DescribeScanTaskStatistics',
  params: { Levels: csv(oneOf(VIRUS_LEVELS)) },
  async handle({ app, caller, params: p }) {
    const stats = await virusScanStatistics(app, caller.tenant.id, { levels: p.Levels });
    return {
      TotalTaskNum: stats.tasks,
      PersonalTaskNum: stats.tasks,
      UserNum: stats.hostsWithEvents,
      // Parapet does not handle virus events yet: none is dealt with.
      DealedRiskNum: 0,
      SuspiciousCount: stats.events,
    };
  },
});

export const getVirusScanLatestTaskStatistic = defineAction({
  name: 'GetVirusScanLatestTaskStatistic',
  params: {},
  async handle({ app, caller }) {
    const scan = await latestVirusScanSummary(app, caller.tenant.id);
    if (!scan) return { Data: {} };
    const { task, counts } = scan;
    return {
      Data: {
        TaskId: String(task.id),
        // The cloud's root task states: 0 not started, 10 scanning, 100 done.
        Status: task.status === 'queued' ? 0 : task.status === 'running' ? 10 : 100,
        // A bare number here ("92"), unlike DescribeOnceTask's "92%".
        Progress: String(counts.progress),
        ScanMachine: counts.total,
        CompleteMachine: counts.answered,
        UnCompleteMachine: counts.total - counts.answered,
        SuspiciousCount: scan.events,
        SuspiciousMachine: scan.hostsWithEvents,
        SafeMachine: scan.cleanHosts,
        ScanTime: task.createdAt,
        ScanType: task.params.scanType,
        ScanPath: task.params.paths,
      },
    };
  },
});
