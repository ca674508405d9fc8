import { makePageRequest } from '../../../domain/hosts.ts';
import { invalidParameter } from '../../../domain/errors.ts';
import {
  NECESSITIES,
  VUL_OPERATIONS,
  VUL_STATUSES,
  VUL_TYPES,
  listedTypes,
  matchDetail,
  parseVulRefs,
  vulStatusFilter,
  type VulFilter,
  type VulOperation,
  type VulStatus,
  type VulTarget,
  type Vulnerability,
} from '../../../domain/vulnerabilities.ts';
import {
  changeVulnerabilityStatus,
  describeVulnerabilityCves,
  listVulnerabilities,
  listVulnerabilityGroups,
} from '../../../services/vulnerabilities.ts';
import { defineAction } from '../action.ts';
import {
  bool,
  csv,
  int,
  oneOf,
  required,
  str,
  withDefault,
  type Codec,
  type Decoded,
} from '../../text-params.ts';
import { SAS_AUTH_VERSION } from './hosts.ts';

/** A comma-separated list of ids (`Ids=282,281`), at most `max` of them. */
function idList(max: number): Codec<number[] | undefined> {
  const items = csv(str({ pattern: /^\d{1,15}$/ }));
  return {
    decode(params, name) {
      const ids = items.decode(params, name)?.map(Number);
      if (ids && ids.length > max) throw invalidParameter(name, `it lists more than ${max} ids`);
      return ids;
    },
  };
}

/** A comma-separated list of status codes (`StatusList=1,2`). */
const statusCodes: Codec<VulStatus[] | undefined> = {
  decode(params, name) {
    return csv(oneOf(VUL_STATUSES.map(String)))
      .decode(params, name)
      ?.map((code) => Number(code) as VulStatus);
  },
};

const paging = {
  CurrentPage: withDefault(int({ min: 1, max: 1_000_000 }), 1),
  PageSize: withDefault(int({ min: 1, max: 500 }), 10),
};

/** The filters DescribeVulList and DescribeGroupedVul share. Lang, RaspDefend and the directory account are accepted and not used. */
const sharedFilters = {
  AttachTypes: csv(oneOf(VUL_TYPES)),
  Uuids: csv(str({ maxLength: 128 })),
  AliasName: str({ maxLength: 512 }),
  CveId: str({ maxLength: 64 }),
  Necessity: csv(oneOf(NECESSITIES)),
  Dealed: oneOf(['y', 'n']),
  GroupId: int({ min: 0 }),
  ClusterId: str({ maxLength: 128 }),
  Lang: oneOf(['zh', 'en']),
  RaspDefend: int({ min: 0, max: 1 }),
  ResourceDirectoryAccountId: int({ min: 0 }),
};

type SharedFilters = Decoded<typeof sharedFilters> & {
  Type: VulFilter['types'][number];
  StatusList?: VulStatus[] | undefined;
};

function sharedFilter(p: SharedFilters): VulFilter {
  return {
    types: listedTypes(p.Type, p.AttachTypes),
    uuids: p.Uuids,
    aliasName: p.AliasName,
    cveId: p.CveId,
    necessities: p.Necessity,
    statuses: vulStatusFilter(p.Dealed, p.StatusList),
    groupId: p.GroupId,
    clusterId: p.ClusterId,
  };
}

/** `TargetType`; Kubernetes components are found in containers (Parapet has no other k8s findings). */
const TARGET_OF = { uuid: 'host', containerId: 'container', k8s: 'container' } as const satisfies Record<
  string,
  VulTarget
>;

/** `AssetType=ECS,CONTAINER`: one of the two narrows the listing, both (or none) keep everything. */
function assetTarget(assetTypes: ('ECS' | 'CONTAINER')[] | undefined): VulTarget | undefined {
  const types = new Set(assetTypes);
  if (types.size !== 1) return undefined;
  return types.has('ECS') ? 'host' : 'container';
}

export const describeVulList = defineAction({
  name: 'DescribeVulList',
  params: {
    Type: required(oneOf(VUL_TYPES)),
    ...sharedFilters,
    Name: str({ maxLength: 512 }),
    StatusList: statusCodes,
    Ids: idList(50),
    Remark: str({ maxLength: 256 }),
    TargetType: oneOf(['k8s', 'uuid', 'containerId']),
    VpcInstanceIds: csv(str({ maxLength: 128 })),
    ...paging,
    UseNextToken: bool(),
    NextToken: str({ maxLength: 64 }),
  },
  async handle({ app, caller, params: p }) {
    const page = makePageRequest({
      currentPage: p.CurrentPage,
      pageSize: p.PageSize,
      useNextToken: p.UseNextToken,
      nextToken: p.NextToken,
    });
    const filter: VulFilter = {
      ...sharedFilter(p),
      name: p.Name,
      ids: p.Ids,
      remark: p.Remark,
      target: p.TargetType && TARGET_OF[p.TargetType],
      vpcInstanceIds: p.VpcInstanceIds,
    };
    const result = await listVulnerabilities(app, caller.tenant.id, filter, page);
    return {
      CurrentPage: page.mode === 'offset' ? page.currentPage : undefined,
      PageSize: page.pageSize,
      TotalCount: result.totalCount,
      NextToken: result.nextToken,
      VulRecords: result.items.map(renderVulRecord),
    };
  },
});

export const describeGroupedVul = defineAction({
  name: 'DescribeGroupedVul',
  params: {
    Type: withDefault(oneOf(VUL_TYPES), 'cve'),
    ...sharedFilters,
    SearchTags: csv(str({ maxLength: 128 })),
    AssetType: csv(oneOf(['ECS', 'CONTAINER'])),
    TargetType: oneOf(['containerId', 'uuid']),
    ...paging,
  },
  async handle({ app, caller, params: p }) {
    const filter: VulFilter = {
      ...sharedFilter(p),
      searchTags: p.SearchTags,
      target: p.TargetType ? TARGET_OF[p.TargetType] : assetTarget(p.AssetType),
    };
    const page = { currentPage: p.CurrentPage, pageSize: p.PageSize };
    const result = await listVulnerabilityGroups(app, caller.tenant.id, filter, page);
    return {
      CurrentPage: page.currentPage,
      PageSize: page.pageSize,
      TotalCount: result.totalCount,
      GroupedVulItems: result.items.map((group) => ({
        Name: group.name,
        AliasName: group.aliasName,
        Type: group.type,
        Tags: group.tags,
        Related: group.related,
        AsapCount: group.asapCount,
        LaterCount: group.laterCount,
        NntfCount: group.nntfCount,
        HandledCount: group.handledCount,
        TotalFixCount: group.totalFixCount,
        GmtFirst: group.gmtFirst,
        GmtLast: group.gmtLast,
        RaspDefend: 0,
      })),
    };
  },
});

export const describeVulDetails = defineAction({
  name: 'DescribeVulDetails',
  params: {
    Type: required(oneOf(VUL_TYPES)),
    Name: required(str({ maxLength: 512 })),
    AliasName: str({ maxLength: 512 }),
    Lang: oneOf(['zh', 'en']),
    ResourceDirectoryAccountId: int({ min: 0 }),
  },
  async handle({ app, caller, params }) {
    const cves = await describeVulnerabilityCves(app, caller.tenant.id, params.Type, params.Name);
    return {
      Cves: cves.map((cve) => ({
        CveId: cve.cveId,
        OtherId: cve.cveId,
        Title: cve.title,
        Summary: cve.summary,
        Solution: cve.solution,
        CvssScore: cve.cvssScore,
        CvssVector: cve.cvssVector,
        VulLevel: cve.vulLevel,
        ReleaseTime: cve.publishedAt,
      })),
    };
  },
});

export const modifyOperateVul = defineAction({
  name: 'ModifyOperateVul',
  params: {
    Type: required(oneOf(VUL_TYPES)),
    OperateType: required(oneOf(Object.keys(VUL_OPERATIONS) as VulOperation[])),
    Info: required(str({ maxLength: 256 * 1024 })),
    // Accepted for the SDKs' sake; Parapet keeps no reason or idempotency token for a status change yet.
    Reason: str({ maxLength: 1024 }),
    From: str({ maxLength: 64 }),
    ClientToken: str({ maxLength: 64 }),
    ResourceDirectoryAccountId: int({ min: 0 }),
  },
  async handle({ app, caller, params }) {
    await changeVulnerabilityStatus(app, caller.tenant.id, {
      type: params.Type,
      operation: params.OperateType,
      refs: parseVulRefs(params.Info, 'Info'),
    });
    return {};
  },
});

/** A finding with the SDK model's names and JSON types (ints as numbers, flags as booleans). */
function renderVulRecord(vul: Vulnerability): Record<string, unknown> {
  const ip = vul.host.internetIp === '' ? vul.host.intranetIp : vul.host.internetIp;
  const rpmEntityList =
    vul.packageName === ''
      ? []
      : [
          {
            Name: vul.packageName,
            Version: vul.packageVersion,
            FullVersion: vul.packageVersion,
            Path: vul.path,
            MatchDetail: matchDetail(vul),
            UpdateCmd: vul.updateCmd,
            MatchList: [matchDetail(vul)],
            ContainerName: vul.containerName,
            ImageName: vul.image,
          },
        ];
  return {
    PrimaryId: vul.id,
    Uuid: vul.host.uuid,
    Name: vul.name,
    AliasName: vul.aliasName,
    Type: vul.type,
    Tag: vul.tag,
    Necessity: vul.necessity,
    Status: vul.status,
    Related: vul.related.join(','),
    FirstTs: vul.firstTs,
    LastTs: vul.lastTs,
    ModifyTs: vul.modifyTs,
    RepairTs: vul.repairTs,
    Online: vul.host.online,
    Bind: true,
    AuthVersion: String(SAS_AUTH_VERSION),
    GroupId: vul.host.groupId,
    InstanceId: vul.host.instanceId,
    InstanceName: vul.host.instanceName,
    InternetIp: vul.host.internetIp,
    IntranetIp: vul.host.intranetIp,
    RegionId: vul.host.regionId,
    OsName: vul.host.osName,
    OsVersion: vul.host.os,
    RaspDefend: 0,
    ContainerId: vul.containerId,
    Image: vul.image,
    ExtendContentJson: {
      PrimaryId: vul.id,
      LastTs: vul.lastTs,
      AliasName: vul.aliasName,
      Ip: ip,
      Os: vul.host.os,
      Tag: vul.tag,
      Status: String(vul.status),
      cveList: vul.related,
      // Parapet computes no priority score; "none" is the cloud's word for that.
      Necessity: { Status: 'none', Is_calc: '0' },
      RpmEntityList: rpmEntityList,
    },
  };
}
