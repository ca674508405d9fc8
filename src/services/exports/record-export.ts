/**
 * The record exports (Sas `ExportRecord`): hosts from the inventory, and the
 * per-host lists agents report (users, ports, processes, software). Until the
 * agent reports those, their sheets have the columns and no rows.
 */
import type { RecordExportType } from '../../domain/exports.ts';
import { isOnline } from '../../domain/hosts.ts';
import { listHosts, snapshotHosts } from '../../persistence/hosts.ts';
import type { ExportColumn, ExportSource, Localized } from './export-source.ts';
import { keysetPages } from './export-source.ts';

const text = (zh: string, en: string, width = 18): ExportColumn => ({
  header: { zh, en },
  width,
  type: 'text',
});
const date = (zh: string, en: string): ExportColumn => ({ header: { zh, en }, width: 20, type: 'date' });
const number = (zh: string, en: string): ExportColumn => ({ header: { zh, en }, width: 12, type: 'number' });

const HOST_COLUMNS = [
  text('主机名称', 'Host name', 24),
  text('公网IP', 'Public IP', 16),
  text('私网IP', 'Private IP', 16),
];

const ONLINE: Record<'online' | 'offline', Localized> = {
  online: { zh: '在线', en: 'Online' },
  offline: { zh: '离线', en: 'Offline' },
};

const hostSource: ExportSource = {
  sheetName: { zh: '主机', en: 'Hosts' },
  columns: [
    ...HOST_COLUMNS,
    text('主机UUID', 'Host UUID', 38),
    text('实例ID', 'Instance ID', 22),
    text('分组', 'Group', 16),
    text('操作系统', 'Operating system', 24),
    text('内核', 'Kernel', 24),
    text('地域', 'Region', 14),
    number('CPU核数', 'CPU cores'),
    number('内存(MB)', 'Memory (MB)'),
    text('客户端状态', 'Agent status', 12),
    text('客户端版本', 'Agent version', 14),
    number('未处理漏洞', 'Unhandled vulnerabilities'),
    date('添加时间', 'Added'),
    date('最后在线时间', 'Last seen'),
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
    text('用户名', 'User'),
    text('是否root权限', 'Root'),
    text('用户组', 'Groups', 24),
    date('最后登录时间', 'Last login'),
    text('最后登录IP', 'Last login IP', 16),
  ]),
  port: notReportedYet({ zh: '端口', en: 'Ports' }, [
    number('端口', 'Port'),
    text('协议', 'Protocol', 10),
    text('绑定IP', 'Bind IP', 16),
    text('进程', 'Process'),
    number('PID', 'PID'),
  ]),
  process: notReportedYet({ zh: '进程', en: 'Processes' }, [
    text('进程名', 'Process'),
    number('PID', 'PID'),
    text('启动用户', 'User'),
    text('启动参数', 'Command line', 48),
    text('进程路径', 'Path', 30),
    date('启动时间', 'Started'),
  ]),
  software: notReportedYet({ zh: '软件', en: 'Software' }, [
    text('软件名称', 'Software', 24),
    text('版本', 'Version'),
    text('安装路径', 'Install path', 30),
    date('采集时间', 'Collected'),
  ]),
};
