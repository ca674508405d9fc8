import {
  DEFAULT_GROUP_NAME,
  HOST_VENDOR,
  makePageRequest,
  parseHostCriteria,
  type Host,
  type HostImportance,
} from '../../../domain/hosts.ts';
import { listHostGroups, listHosts, moveHostsToGroup } from '../../../services/hosts.ts';
import { defineAction } from '../action.ts';
import { bool, csv, int, oneOf, required, str, withDefault } from '../../text-params.ts';

/** The Security Center edition reported for every Parapet asset: 3, Enterprise (every feature Parapet has). */
export const SAS_AUTH_VERSION = 3;

export const describeAllGroups = defineAction({
  name: 'DescribeAllGroups',
  params: { Lang: oneOf(['zh', 'en']) },
  async handle({ app, caller }) {
    const groups = await listHostGroups(app, caller.tenant.id);
    return {
      Count: groups.length,
      Groups: groups.map((group) => ({
        GroupId: group.id,
        GroupName: group.name,
        GroupFlag: group.name === DEFAULT_GROUP_NAME ? 0 : 1,
      })),
    };
  },
});

export const describeCloudCenterInstances = defineAction({
  name: 'DescribeCloudCenterInstances',
  params: {
    Criteria: str({ maxLength: 16 * 1024 }),
    LogicalExp: oneOf(['AND', 'OR']),
    MachineTypes: oneOf(['ecs', 'cloud_product', 'eci', 'rund', 'runc']),
    Flags: csv(str({ pattern: /^\d{1,2}$/ })),
    Importance: int({ min: 0, max: 2 }),
    CurrentPage: withDefault(int({ min: 1, max: 1_000_000 }), 1),
    PageSize: withDefault(int({ min: 1, max: 500 }), 20),
    UseNextToken: bool(),
    NextToken: str({ maxLength: 64 }),
    NoGroupTrace: bool(),
    Lang: oneOf(['zh', 'en']),
    ResourceDirectoryAccountId: int({ min: 0 }),
  },
  async handle({ app, caller, params }) {
    const page = makePageRequest({
      currentPage: params.CurrentPage,
      pageSize: params.PageSize,
      useNextToken: params.UseNextToken,
      nextToken: params.NextToken,
    });
    const result = await listHosts(
      app,
      caller.tenant.id,
      {
        criteria: params.Criteria === undefined ? [] : parseHostCriteria(params.Criteria, 'Criteria'),
        join: params.LogicalExp ?? 'OR',
        importance: params.Importance as HostImportance | undefined,
        machineTypes: params.MachineTypes === undefined ? undefined : [params.MachineTypes],
        vendors: params.Flags?.map(Number),
      },
      page,
    );
    return {
      Success: true,
      PageInfo: {
        CurrentPage: page.mode === 'offset' ? page.currentPage : undefined,
        PageSize: page.pageSize,
        TotalCount: result.totalCount,
        Count: result.items.length,
        NextToken: result.nextToken,
      },
      Instances: result.items.map((host) => renderInstance(host, params.NoGroupTrace === true)),
    };
  },
});

/**
 * One asset with the SDK model's names and JSON types. Parapet hosts are
 * servers (AssetType "0") in the customer's data center (vendor IDC).
 */
function renderInstance(host: Host, noGroupTrace: boolean): Record<string, unknown> {
  const groupName = host.groupName ?? DEFAULT_GROUP_NAME;
  const hasVuls = host.unhandledVulCount > 0 ? 'YES' : 'NO';
  return {
    Uuid: host.uuid,
    InstanceId: host.instanceId,
    InstanceName: host.instanceName,
    InternetIp: host.internetIp,
    IntranetIp: host.intranetIp,
    Ip: host.internetIp === '' ? host.intranetIp : host.internetIp,
    IpListString: host.ipList,
    MacListString: host.macList,
    Os: host.os,
    OsName: host.osName,
    Kernel: host.kernel,
    RegionId: host.regionId,
    Region: host.regionId,
    VpcInstanceId: host.vpcInstanceId,
    GroupId: host.groupId,
    // The cloud's NoGroupTrace=true keeps the default group's untranslated name.
    GroupTrace: noGroupTrace && groupName === DEFAULT_GROUP_NAME ? 'Ungrouped' : groupName,
    ClientStatus: host.clientStatus,
    ClientSubStatus: host.clientStatus,
    Cores: host.cores,
    Mem: host.memMb,
    CpuInfo: host.cpuInfo,
    Importance: host.importance,
    Tag: host.tag,
    AssetType: '0',
    Bind: true,
    AuthVersion: SAS_AUTH_VERSION,
    VulCount: host.unhandledVulCount,
    VulStatus: hasVuls,
    RiskStatus: hasVuls,
    LastLoginTimestamp: host.lastSeenAt,
    CreatedTime: host.createdAt,
    Status: 'Running',
    // Flag is 0 for Alibaba Cloud assets and 1 for any other.
    Flag: 1,
    FlagName: HOST_VENDOR.name,
    Vendor: HOST_VENDOR.code,
    VendorName: HOST_VENDOR.name,
  };
}

export const modifyAssetGroup = defineAction({
  name: 'ModifyAssetGroup',
  params: { GroupId: required(int({ min: 1 })), Uuids: required(csv(str({ maxLength: 128 }))) },
  async handle({ app, caller, params }) {
    await moveHostsToGroup(app, caller.tenant.id, params.GroupId, params.Uuids);
    return {};
  },
});
