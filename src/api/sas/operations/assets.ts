/**
 * Sas asset fingerprints (what agents collected): DescribePropertySoftwareDetail,
 * DescribePropertyProcDetail, DescribePropertyPortDetail, DescribePropertyUserDetail.
 * `Extend=1` makes the name filter a substring match, as on the cloud.
 */
import type { HostRef } from '../../../domain/hosts.ts';
import { listInventory, type InventoryCondition } from '../../../services/inventory.ts';
import { int, oneOf, str, withDefault, type Codec } from '../../text-params.ts';
import { defineAction } from '../action.ts';

const paging = {
  CurrentPage: withDefault(int({ min: 1, max: 1_000_000 }), 1),
  PageSize: withDefault(int({ min: 1, max: 500 }), 10),
  Uuid: str({ maxLength: 128 }),
  Extend: str({ maxLength: 8 }),
};

/** `yyyy-MM-dd HH:mm:ss` in UTC+8, the console's zone, as the cloud's text timestamps. */
function consoleTime(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

function hostFields(host: HostRef, collectedAt: number) {
  return {
    Uuid: host.uuid,
    InstanceId: host.instanceId,
    InstanceName: host.instanceName,
    InternetIp: host.internetIp,
    IntranetIp: host.intranetIp,
    Ip: host.internetIp || host.intranetIp,
    CreateTimestamp: collectedAt,
  };
}

function conditions(
  pairs: [string, string | number | undefined, 'exact' | 'contains'][],
): InventoryCondition[] {
  return pairs.flatMap(([column, value, match]) => (value === undefined ? [] : [{ column, value, match }]));
}

function pageInfo(p: { CurrentPage: number; PageSize: number }, count: number, total: number | undefined) {
  return { CurrentPage: p.CurrentPage, PageSize: p.PageSize, Count: count, TotalCount: total };
}

const nameMatch = (extend: string | undefined) => (extend === '1' ? 'contains' : 'exact');

export const describePropertySoftwareDetail = defineAction({
  name: 'DescribePropertySoftwareDetail',
  params: {
    ...paging,
    Name: str({ maxLength: 512 }),
    SoftwareVersion: str({ maxLength: 256 }),
  },
  async handle({ app, caller, params: p }) {
    const page = await listInventory(
      app,
      caller.tenant.id,
      'software',
      {
        hostUuids: p.Uuid === undefined ? undefined : [p.Uuid],
        conditions: conditions([
          ['name', p.Name, nameMatch(p.Extend)],
          ['version', p.SoftwareVersion, 'exact'],
        ]),
      },
      { currentPage: p.CurrentPage, pageSize: p.PageSize },
    );
    return {
      PageInfo: pageInfo(p, page.items.length, page.totalCount),
      Propertys: page.items.map(({ host, item, collectedAt }) => ({
        ...hostFields(host, collectedAt),
        Name: item.name,
        Version: item.version,
        Path: '',
        InstallTime: consoleTime(item.installedAt),
        InstallTimeDt: item.installedAt,
      })),
    };
  },
});

export const describePropertyProcDetail = defineAction({
  name: 'DescribePropertyProcDetail',
  params: {
    ...paging,
    Name: str({ maxLength: 256 }),
    User: str({ maxLength: 256 }),
    Cmdline: str({ maxLength: 1024 }),
  },
  async handle({ app, caller, params: p }) {
    const page = await listInventory(
      app,
      caller.tenant.id,
      'processes',
      {
        hostUuids: p.Uuid === undefined ? undefined : [p.Uuid],
        conditions: conditions([
          ['name', p.Name, nameMatch(p.Extend)],
          ['user_name', p.User, 'exact'],
          ['cmdline', p.Cmdline, 'contains'],
        ]),
      },
      { currentPage: p.CurrentPage, pageSize: p.PageSize },
    );
    return {
      PageInfo: pageInfo(p, page.items.length, page.totalCount),
      Propertys: page.items.map(({ host, item, collectedAt }) => ({
        ...hostFields(host, collectedAt),
        Name: item.name,
        Pid: String(item.pid),
        Path: item.path,
        Cmdline: item.cmdline,
        User: item.user,
        EuidName: item.user,
        State: item.state,
        StartTime: consoleTime(item.startedAt),
        StartTimeDt: item.startedAt,
      })),
    };
  },
});

const port: Codec<number | undefined> = int({ min: 0, max: 65_535 });

export const describePropertyPortDetail = defineAction({
  name: 'DescribePropertyPortDetail',
  params: { ...paging, Port: port, ProcName: str({ maxLength: 256 }), BindIp: str({ maxLength: 64 }) },
  async handle({ app, caller, params: p }) {
    const page = await listInventory(
      app,
      caller.tenant.id,
      'ports',
      {
        hostUuids: p.Uuid === undefined ? undefined : [p.Uuid],
        conditions: conditions([
          ['port', p.Port, 'exact'],
          ['process_name', p.ProcName, nameMatch(p.Extend)],
          ['bind_ip', p.BindIp, 'exact'],
        ]),
      },
      { currentPage: p.CurrentPage, pageSize: p.PageSize },
    );
    return {
      PageInfo: pageInfo(p, page.items.length, page.totalCount),
      Propertys: page.items.map(({ host, item, collectedAt }) => ({
        ...hostFields(host, collectedAt),
        Port: String(item.port),
        Proto: item.protocol,
        BindIp: item.bindIp,
        Pid: String(item.pid),
        ProcName: item.processName,
      })),
    };
  },
});

export const describePropertyUserDetail = defineAction({
  name: 'DescribePropertyUserDetail',
  params: { ...paging, User: str({ maxLength: 256 }), IsRoot: oneOf(['0', '1']) },
  async handle({ app, caller, params: p }) {
    const page = await listInventory(
      app,
      caller.tenant.id,
      'users',
      {
        hostUuids: p.Uuid === undefined ? undefined : [p.Uuid],
        conditions: conditions([
          ['name', p.User, nameMatch(p.Extend)],
          ['is_root', p.IsRoot === undefined ? undefined : Number(p.IsRoot), 'exact'],
        ]),
      },
      { currentPage: p.CurrentPage, pageSize: p.PageSize },
    );
    return {
      PageInfo: pageInfo(p, page.items.length, page.totalCount),
      Propertys: page.items.map(({ host, item, collectedAt }) => ({
        ...hostFields(host, collectedAt),
        User: item.name,
        IsRoot: item.isRoot ? '1' : '0',
        IsCouldLogin: item.canLogin ? 1 : 0,
        GroupNames: item.groups,
        LastLoginIp: item.lastLoginIp ?? '',
        LastLoginTime: consoleTime(item.lastLoginAt),
        LastLoginTimeDt: item.lastLoginAt,
        LastLoginTimestamp: item.lastLoginAt,
      })),
    };
  },
});
