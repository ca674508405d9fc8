/**
 * The record exports (Sas `ExportRecord`): hosts from the inventory, and the
 * per-host lists agents report (users, ports, processes, software). Until the
 * agent reports those, their sheets have the columns and no rows.
 */
import type { RecordExportType } from '../../domain/exports.ts';
import { isOnline } from '../../domain/hosts.ts';
import { listHosts, snapshotHosts } from '../../persistence/hosts.ts';
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

/** A list no agent reports yet: its columns, no rows. */
function notReportedYet(sheetName: Localized, columns: ExportColumn[]): ExportSource {
  return {
    sheetName,
    columns: [...HOST_COLUMNS, ...columns],
    snapshot: () => Promise.resolve({ count: 0, maxId: 0 }),
    async *pages() {},
  };
}

export const RECORD_SOURCES: Record<RecordExportType, ExportSource> = {
  assetInstance: hostSource,
  user: notReportedYet({ zh: '账号', en: 'Users' }, [
    textColumn('用户名', 'User'),
    textColumn('是否root权限', 'Root'),
    textColumn('用户组', 'Groups', 24),
    dateColumn('最后登录时间', 'Last login'),
    textColumn('最后登录IP', 'Last login IP', 16),
  ]),
  port: notReportedYet({ zh: '端口', en: 'Ports' }, [
    numberColumn('端口', 'Port'),
    textColumn('协议', 'Protocol', 10),
    textColumn('绑定IP', 'Bind IP', 16),
    textColumn('进程', 'Process'),
    numberColumn('PID', 'PID'),
  ]),
  process: notReportedYet({ zh: '进程', en: 'Processes' }, [
    textColumn('进程名', 'Process'),
    numberColumn('PID', 'PID'),
    textColumn('启动用户', 'User'),
    textColumn('启动参数', 'Command line', 48),
    textColumn('进程路径', 'Path', 30),
    dateColumn('启动时间', 'Started'),
  ]),
  software: notReportedYet({ zh: '软件', en: 'Software' }, [
    textColumn('软件名称', 'Software', 24),
    textColumn('版本', 'Version'),
    textColumn('安装路径', 'Install path', 30),
    dateColumn('采集时间', 'Collected'),
  ]),
};
