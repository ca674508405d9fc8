/**
 * The record exports (Sas `ExportRecord`): hosts from the inventory, the
 * per-host lists agents report (users, ports, processes, software, as each
 * host's last asset collection found them) and virus-scan events.
 */
import type { ExportLang, RecordExportType } from '../../domain/exports.ts';
import { isOnline } from '../../domain/hosts.ts';
import type { CellValue } from '../../formats/xlsx-writer.ts';
import { listHosts, snapshotHosts } from '../../persistence/hosts.ts';
import {
  listInventory,
  snapshotInventory,
  type InventoryItem,
  type InventoryKind,
} from '../../persistence/inventory.ts';
import { listVirusEvents, snapshotVirusEvents } from '../../persistence/virus-events.ts';
import {
  dateColumn,
  keysetPages,
  numberColumn,
  textColumn,
  type ExportColumn,
  type ExportSource,
  type Localized,
} from './export-source.ts';

const HOST_COLUMNS = [
  textColumn('主机名称', 'Host name', 24),
  textColumn('公网IP', 'Public IP', 16),
  textColumn('私网IP', 'Private IP', 16),
];

const ONLINE: Record<'online' | 'offline', Localized> = {
  online: { zh: '在线', en: 'Online' },
  offline: { zh: '离线', en: 'Offline' },
};

const hostSource: ExportSource = {
  sheetName: { zh: '主机', en: 'Hosts' },
  columns: [
    ...HOST_COLUMNS,
    textColumn('主机UUID', 'Host UUID', 38),
    textColumn('实例ID', 'Instance ID', 22),
    textColumn('分组', 'Group', 16),
    textColumn('操作系统', 'Operating system', 24),
    textColumn('内核', 'Kernel', 24),
    textColumn('地域', 'Region', 14),
    numberColumn('CPU核数', 'CPU cores'),
    numberColumn('内存(MB)', 'Memory (MB)'),
    textColumn('客户端状态', 'Agent status', 12),
    textColumn('客户端版本', 'Agent version', 14),
    numberColumn('未处理漏洞', 'Unhandled vulnerabilities'),
    dateColumn('添加时间', 'Added'),
    dateColumn('最后在线时间', 'Last seen'),
  ],
  snapshot: (db, tenantId) => snapshotHosts(db, tenantId),
  pages: (db, tenantId, maxId, lang) =>
    keysetPages(
      maxId,
      async (slice) =>
        (
          await listHosts(
            db,
            tenantId,
            { criteria: [], join: 'AND' },
            { afterId: slice.afterId, offset: 0, limit: slice.limit },
          )
        ).filter((host) => host.id <= slice.maxId),
      (h) => [
        h.instanceName,
        h.internetIp,
        h.intranetIp,
        h.uuid,
        h.instanceId,
        h.groupName,
        h.osName,
        h.kernel,
        h.regionId,
        h.cores,
        h.memMb,
        ONLINE[isOnline(h.clientStatus) ? 'online' : 'offline'][lang],
        h.agentVersion,
        h.unhandledVulCount,
        h.createdAt,
        h.lastSeenAt,
      ],
    ),
};

const LEVELS: Record<string, Localized> = {
  serious: { zh: '紧急', en: 'Urgent' },
  suspicious: { zh: '可疑', en: 'Suspicious' },
  remind: { zh: '提醒', en: 'Reminder' },
};

/** Files virus scans flagged (`ExportRecord` `virusScanExport`). */
const virusEventSource: ExportSource = {
  sheetName: { zh: '病毒扫描', en: 'Virus scan' },
  columns: [
    ...HOST_COLUMNS,
    textColumn('主机UUID', 'Host UUID', 38),
    numberColumn('扫描任务', 'Scan task'),
    textColumn('病毒名', 'Signature', 28),
    textColumn('等级', 'Level', 10),
    textColumn('文件路径', 'File path', 48),
    numberColumn('文件大小', 'File size'),
    textColumn('MD5', 'MD5', 34),
    textColumn('SHA256', 'SHA256', 66),
    textColumn('检测引擎', 'Engine', 10),
    dateColumn('发现时间', 'Detected'),
  ],
  snapshot: (db, tenantId) => snapshotVirusEvents(db, tenantId),
  pages: (db, tenantId, maxId, lang) =>
    keysetPages(
      maxId,
      async (slice) =>
        (
          await listVirusEvents(db, tenantId, {}, { afterId: slice.afterId, offset: 0, limit: slice.limit })
        ).filter((event) => event.id <= slice.maxId),
      (e) => [
        e.host.instanceName,
        e.host.internetIp,
        e.host.intranetIp,
        e.host.uuid,
        e.taskId,
        e.signature,
        LEVELS[e.level]?.[lang] ?? e.level,
        e.path,
        e.size,
        e.md5,
        e.sha256,
        e.engine,
        e.detectedAt,
      ],
    ),
};

/** One kind of agent-reported inventory, each row with its host's columns first. */
function inventorySource<K extends InventoryKind>(
  kind: K,
  sheetName: Localized,
  columns: ExportColumn[],
  cells: (item: InventoryItem<K>, lang: ExportLang) => CellValue[],
): ExportSource {
  return {
    sheetName,
    columns: [...HOST_COLUMNS, ...columns],
    snapshot: (db, tenantId) => snapshotInventory(db, kind, tenantId),
    pages: (db, tenantId, maxId, lang) =>
      keysetPages(
        maxId,
        async (slice) =>
          (
            await listInventory(
              db,
              kind,
              tenantId,
              { conditions: [] },
              { afterId: slice.afterId, offset: 0, limit: slice.limit },
            )
          ).filter((row) => row.id <= slice.maxId),
        (row) => [row.host.instanceName, row.host.internetIp, row.host.intranetIp, ...cells(row.item, lang)],
      ),
  };
}

const YES_NO: Record<'yes' | 'no', Localized> = { yes: { zh: '是', en: 'Yes' }, no: { zh: '否', en: 'No' } };
const yesNo = (value: boolean, lang: ExportLang) => YES_NO[value ? 'yes' : 'no'][lang];

export const RECORD_SOURCES: Record<RecordExportType, ExportSource> = {
  assetInstance: hostSource,
  user: inventorySource(
    'users',
    { zh: '账号', en: 'Users' },
    [
      textColumn('用户名', 'User'),
      textColumn('是否root权限', 'Root'),
      textColumn('用户组', 'Groups', 24),
      dateColumn('最后登录时间', 'Last login'),
      textColumn('最后登录IP', 'Last login IP', 16),
      textColumn('可登录', 'Can log in', 10),
      textColumn('Shell', 'Shell', 18),
    ],
    (u, lang) => [
      u.name,
      yesNo(u.isRoot, lang),
      u.groups.join(','),
      u.lastLoginAt,
      u.lastLoginIp ?? '',
      yesNo(u.canLogin, lang),
      u.shell,
    ],
  ),
  port: inventorySource(
    'ports',
    { zh: '端口', en: 'Ports' },
    [
      numberColumn('端口', 'Port'),
      textColumn('协议', 'Protocol', 10),
      textColumn('绑定IP', 'Bind IP', 16),
      textColumn('进程', 'Process'),
      numberColumn('PID', 'PID'),
    ],
    (p) => [p.port, p.protocol, p.bindIp, p.processName, p.pid],
  ),
  process: inventorySource(
    'processes',
    { zh: '进程', en: 'Processes' },
    [
      textColumn('进程名', 'Process'),
      numberColumn('PID', 'PID'),
      textColumn('启动用户', 'User'),
      textColumn('启动参数', 'Command line', 48),
      textColumn('进程路径', 'Path', 30),
      dateColumn('启动时间', 'Started'),
    ],
    (p) => [p.name, p.pid, p.user, p.cmdline, p.path, p.startedAt],
  ),
  software: inventorySource(
    'software',
    { zh: '软件', en: 'Software' },
    [
      textColumn('软件名称', 'Software', 24),
      textColumn('版本', 'Version'),
      textColumn('架构', 'Architecture', 10),
      textColumn('来源', 'Package manager', 10),
      textColumn('源码包', 'Source package', 20),
      dateColumn('安装时间', 'Installed'),
    ],
    (p) => [p.name, p.version, p.arch, p.manager, p.source, p.installedAt],
  ),
  virusScanExport: virusEventSource,
};
