/**
 * Sas asset fingerprints (what agents collected): DescribePropertySoftwareDetail,
 * DescribePropertyProcDetail, DescribePropertyPortDetail, DescribePropertyUserDetail.
 * `Extend=1` makes the name filter a substring match, as on the cloud.
 */
import type { HostRef } from '../../../domain/hosts.ts';
import {
  listInventory,
  type InventoryCondition,
  type InventoryItem,
  type InventoryKind,
} from '../../../services/inventory.ts';
import { int, oneOf, str, withDefault, type Decoded, type ParamSpec } from '../../text-params.ts';
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

type Filter = [column: string, value: string | number | undefined, match: 'exact' | 'contains'];

const nameMatch = (extend: string | undefined) => (extend === '1' ? 'contains' : 'exact');

/**
 * One DescribeProperty*Detail: its own parameters on top of paging and
 * `Uuid`, the filters they make, and the fields of one item; the host's
 * fields and `PageInfo` are the same for all four.
 */
function defineInventoryAction<K extends InventoryKind, S extends ParamSpec>(definition: {
  name: string;
  kind: K;
  params: S;
  filters(p: Decoded<S & typeof paging>): Filter[];
  fields(item: InventoryItem<K>): Record<string, unknown>;
}) {
  return defineAction({
    name: definition.name,
    params: { ...paging, ...definition.params },
    async handle({ app, caller, params }) {
      const p = params as Decoded<typeof paging>;
      const conditions: InventoryCondition[] = definition
        .filters(params)
        .flatMap(([column, value, match]) => (value === undefined ? [] : [{ column, value, match }]));
      const page = await listInventory(
        app,
        caller.tenant.id,
        definition.kind,
        { hostUuids: p.Uuid === undefined ? undefined : [p.Uuid], conditions },
        { currentPage: p.CurrentPage, pageSize: p.PageSize },
      );
      return {
        PageInfo: {
          CurrentPage: p.CurrentPage,
          PageSize: p.PageSize,
          Count: page.items.length,
          TotalCount: page.totalCount,
        },
        Propertys: page.items.map(({ host, item, collectedAt }) => ({
          ...hostFields(host, collectedAt),
          ...definition.fields(item),
        })),
      };
    },
  });
}

export const describePropertySoftwareDetail = defineInventoryAction({
  name: 'DescribePropertySoftwareDetail',
  kind: 'software',
  params: { Name: str({ maxLength: 512 }), SoftwareVersion: str({ maxLength: 256 }) },
  filters: (p) => [
    ['name', p.Name, nameMatch(p.Extend)],
    ['version', p.SoftwareVersion, 'exact'],
  ],
  fields: (item) => ({
    Name: item.name,
    Version: item.version,
    Path: '',
    InstallTime: consoleTime(item.installedAt),
    InstallTimeDt: item.installedAt,
  }),
});

export const describePropertyProcDetail = defineInventoryAction({
  name: 'DescribePropertyProcDetail',
  kind: 'processes',
  params: {
    Name: str({ maxLength: 256 }),
    User: str({ maxLength: 256 }),
    Cmdline: str({ maxLength: 1024 }),
  },
  filters: (p) => [
    ['name', p.Name, nameMatch(p.Extend)],
    ['user_name', p.User, 'exact'],
    ['cmdline', p.Cmdline, 'contains'],
  ],
  fields: (item) => ({
    Name: item.name,
    Pid: String(item.pid),
    Path: item.path,
    Cmdline: item.cmdline,
    User: item.user,
    EuidName: item.user,
    State: item.state,
    StartTime: consoleTime(item.startedAt),
    StartTimeDt: item.startedAt,
  }),
});

export const describePropertyPortDetail = defineInventoryAction({
  name: 'DescribePropertyPortDetail',
  kind: 'ports',
  params: {
    Port: int({ min: 0, max: 65_535 }),
    ProcName: str({ maxLength: 256 }),
    BindIp: str({ maxLength: 64 }),
  },
  filters: (p) => [
    ['port', p.Port, 'exact'],
    ['process_name', p.ProcName, nameMatch(p.Extend)],
    ['bind_ip', p.BindIp, 'exact'],
  ],
  fields: (item) => ({
    Port: String(item.port),
    Proto: item.protocol,
    BindIp: item.bindIp,
    Pid: String(item.pid),
    ProcName: item.processName,
  }),
});

export const describePropertyUserDetail = defineInventoryAction({
  name: 'DescribePropertyUserDetail',
  kind: 'users',
  params: { User: str({ maxLength: 256 }), IsRoot: oneOf(['0', '1']) },
  filters: (p) => [
    ['name', p.User, nameMatch(p.Extend)],
    ['is_root', p.IsRoot === undefined ? undefined : Number(p.IsRoot), 'exact'],
  ],
  fields: (item) => ({
    User: item.name,
    IsRoot: item.isRoot ? '1' : '0',
    IsCouldLogin: item.canLogin ? 1 : 0,
    GroupNames: item.groups,
    LastLoginIp: item.lastLoginIp ?? '',
    LastLoginTime: consoleTime(item.lastLoginAt),
    LastLoginTimeDt: item.lastLoginAt,
    LastLoginTimestamp: item.lastLoginAt,
  }),
});
