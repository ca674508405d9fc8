/** Sas export operations: ExportVul / ExportRecord start a task; Describe…ExportInfo poll it. */
import { invalidParameter, parseJsonParameter } from '../../../domain/errors.ts';
import { EXPORT_LANGS, RECORD_EXPORT_TYPES, type RecordExportType } from '../../../domain/exports.ts';
import {
  NECESSITIES,
  VUL_TYPES,
  listedTypes,
  vulStatusFilter,
  type PackageRef,
} from '../../../domain/vulnerabilities.ts';
import { downloadLink } from '../../../services/artifacts.ts';
import type { AppContext } from '../../../services/context.ts';
import { describeExport, startExport, type ExportInfo } from '../../../services/exports/exports.ts';
import { SAS_EXPORT_STATUS } from '../../task-status-names.ts';
import { defineAction, type SasRequestInfo } from '../action.ts';
import { csv, int, oneOf, repeated, required, str, withDefault, type Codec } from '../../text-params.ts';

/** `VulEntityList.N.EntityName` / `.EntityVersion`. */
const packageRef: Codec<PackageRef | undefined> = {
  decode(params, name) {
    const entityName = str({ maxLength: 256 }).decode(params, `${name}.EntityName`);
    const version = str({ maxLength: 256 }).decode(params, `${name}.EntityVersion`);
    if (entityName === undefined) {
      if (version !== undefined)
        throw invalidParameter(`${name}.EntityName`, 'it is required with EntityVersion');
      return undefined;
    }
    return version === undefined ? { name: entityName } : { name: entityName, version };
  },
};

const lang = withDefault(oneOf(EXPORT_LANGS), 'zh');
const epochMs = int({ min: 0, max: 8_640_000_000_000_000 });

export const exportVul = defineAction({
  name: 'ExportVul',
  params: {
    Type: required(oneOf(VUL_TYPES)),
    AttachTypes: csv(oneOf(VUL_TYPES)),
    Lang: lang,
    Uuids: csv(str({ maxLength: 128 })),
    AliasName: str({ maxLength: 512 }),
    CveId: str({ maxLength: 64 }),
    ContainerName: str({ maxLength: 256 }),
    ImageName: str({ maxLength: 512 }),
    Path: str({ maxLength: 1024 }),
    GroupId: int({ min: 0 }),
    VpcInstanceIds: csv(str({ maxLength: 128 })),
    Necessity: csv(oneOf(NECESSITIES)),
    Dealed: oneOf(['y', 'n']),
    SearchTags: csv(str({ maxLength: 128 })),
    CreateTsStart: epochMs,
    CreateTsEnd: epochMs,
    RaspDefend: int({ min: 0, max: 1 }),
    ResourceDirectoryAccountId: int({ min: 0 }),
    VulEntityList: repeated(packageRef),
  },
  async handle({ app, caller, params: p }) {
    if (p.CreateTsStart !== undefined && p.CreateTsEnd !== undefined && p.CreateTsStart > p.CreateTsEnd) {
      throw invalidParameter('CreateTsStart', 'it is after CreateTsEnd');
    }
    const started = await startExport(
      app,
      caller,
      {
        source: 'vul',
        filter: {
          types: listedTypes(p.Type, p.AttachTypes),
          uuids: p.Uuids,
          aliasName: p.AliasName,
          cveId: p.CveId,
          containerName: p.ContainerName,
          imageName: p.ImageName,
          path: p.Path,
          groupId: p.GroupId,
          vpcInstanceIds: p.VpcInstanceIds,
          necessities: p.Necessity,
          statuses: vulStatusFilter(p.Dealed, undefined),
          searchTags: p.SearchTags,
          firstSeenFrom: p.CreateTsStart,
          firstSeenTo: p.CreateTsEnd,
          packages: p.VulEntityList,
        },
      },
      { lang: p.Lang },
    );
    // The cloud names a vulnerability export without its extension (`app_20211101`).
    return { Id: started.id, FileName: started.fileName.replace(/\.xlsx$/, '') };
  },
});

/** An ExportRecord type Parapet can export; the cloud's other types are refused with the list of these. */
function recordType(): Codec<RecordExportType> {
  const pattern = /^[A-Za-z]{1,64}$/;
  return {
    decode(params, name) {
      const value = required(str({ pattern })).decode(params, name);
      if ((RECORD_EXPORT_TYPES as readonly string[]).includes(value)) return value as RecordExportType;
      throw invalidParameter(
        name,
        `Parapet cannot export "${value}" yet; it exports ${RECORD_EXPORT_TYPES.join(', ')} (and vulnerabilities with ExportVul)`,
      );
    },
  };
}

export const exportRecord = defineAction({
  name: 'ExportRecord',
  params: {
    ExportType: recordType(),
    ExportFileType: str({ maxLength: 64 }),
    Params: str({ maxLength: 4096 }),
    Lang: lang,
    ResourceDirectoryAccountId: int({ min: 0 }),
  },
  async handle({ app, caller, params: p }) {
    // The cloud documents Params as feature-specific paging hints and advises
    // leaving it empty; Parapet exports every row, so it only checks the JSON.
    if (p.Params !== undefined) {
      const parsed = parseJsonParameter(p.Params, 'Params');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw invalidParameter('Params', 'it must be a JSON object');
      }
    }
    const started = await startExport(
      app,
      caller,
      { source: 'record', type: p.ExportType },
      {
        lang: p.Lang,
      },
    );
    return { Id: started.id, FileName: started.fileName };
  },
});

function renderExportInfo(
  app: AppContext,
  info: ExportInfo,
  fileName: string,
  request: SasRequestInfo,
): Record<string, unknown> {
  const status = SAS_EXPORT_STATUS[info.status];
  return {
    Id: info.id,
    FileName: fileName,
    ExportStatus: status,
    Progress: info.progress,
    CurrentCount: info.currentCount,
    TotalCount: info.totalCount,
    Message: info.message ?? (status === 'success' ? 'success' : status),
    Link: info.artifact && downloadLink(app, info.artifact, request.baseUrl).url,
  };
}

const exportInfoParams = {
  ExportId: required(int({ min: 1 })),
  ResourceDirectoryAccountId: int({ min: 0 }),
};

export const describeVulExportInfo = defineAction({
  name: 'DescribeVulExportInfo',
  params: exportInfoParams,
  async handle({ app, caller, params: p, request }) {
    const info = await describeExport(app, caller.tenant.id, p.ExportId);
    return renderExportInfo(app, info, info.fileName.replace(/\.xlsx$/, ''), request);
  },
});

export const describeExportInfo = defineAction({
  name: 'DescribeExportInfo',
  params: exportInfoParams,
  async handle({ app, caller, params: p, request }) {
    const info = await describeExport(app, caller.tenant.id, p.ExportId);
    return renderExportInfo(app, info, info.fileName, request);
  },
});
