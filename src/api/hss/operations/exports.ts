/**
 * HSS export operations: BatchExportLocalVulTask starts an export of image
 * vulnerabilities (a .zip holding an .xlsx) on the one export pipeline;
 * ListQueryExportTask polls any export task; ListDownloadExportedFile
 * streams the file.
 */
import { invalidParameter, ParapetError } from '../../../domain/errors.ts';
import { IMAGE_VUL_HANDLE_STATUSES, IMAGE_SCAN_STATUSES, IMAGE_VUL_TYPES } from '../../../domain/images.ts';
import { getArtifact } from '../../../services/artifacts.ts';
import { describeExport, startExport } from '../../../services/exports/exports.ts';
import { fileGone } from '../../downloads.ts';
import { HSS_EXPORT_TASK_STATUS } from '../../task-status-names.ts';
import { int, required, str } from '../../text-params.ts';
import { jsonBool, jsonInt, jsonOneOf, jsonString, jsonStringList } from '../json-params.ts';
import { defineOperation } from '../operation.ts';
import { checkRange, enterpriseProjectId, requestLang } from '../params.ts';

/** record_total_num is an int64 limited to 0..2^31-1 in the contract. */
const MAX_RECORD_TOTAL = 2 ** 31 - 1;
const time = jsonInt({ max: 99_999_999_999_999 });

/** Image ids as ListImageLocal gives them (64 hex); a `sha256:` prefix is accepted and dropped. */
const imageIdList = jsonStringList({ maxLength: 128, pattern: /^(sha256:)?[A-Za-z0-9._-]{1,120}$/ });

export const batchExportLocalVulTask = defineOperation({
  name: 'BatchExportLocalVulTask',
  method: 'POST',
  path: '/image/local-vulnerability/export',
  action: 'hss:image:exportLocalVul',
  query: {
    export_size: required(int({ min: 1, max: MAX_RECORD_TOTAL })),
    enterprise_project_id: enterpriseProjectId,
    lang: str({ maxLength: 16 }),
  },
  bodyRequired: true,
  body: {
    image_id_list: imageIdList,
    operate_all: jsonBool(),
    vul_type: jsonOneOf(IMAGE_VUL_TYPES),
    handle_status: jsonOneOf(IMAGE_VUL_HANDLE_STATUSES),
    scan_status: jsonOneOf(IMAGE_SCAN_STATUSES),
    image_name: jsonString({ maxLength: 256 }),
    image_version: jsonString({ maxLength: 256 }),
    image_size: jsonInt(),
    start_latest_update_time: time,
    end_latest_update_time: time,
    start_latest_scan_time: time,
    end_latest_scan_time: time,
    has_container: jsonBool(),
    vul_id_list: jsonStringList({ maxLength: 128 }),
  },
  async handle({ app, caller, query: q, body: b, request }) {
    const imageIds = b.image_id_list?.map((id) => id.replace(/^sha256:/, ''));
    if (b.operate_all !== true && (imageIds === undefined || imageIds.length === 0)) {
      throw invalidParameter('image_id_list', 'give the images to export, or set operate_all to true');
    }
    checkRange(
      b.start_latest_update_time,
      b.end_latest_update_time,
      'start_latest_update_time',
      'end_latest_update_time',
    );
    checkRange(
      b.start_latest_scan_time,
      b.end_latest_scan_time,
      'start_latest_scan_time',
      'end_latest_scan_time',
    );
    const started = await startExport(
      app,
      caller,
      {
        source: 'imageVul',
        filter: {
          images: {
            imageIds: b.operate_all === true ? undefined : imageIds,
            imageName: b.image_name,
            imageVersion: b.image_version,
            imageSize: b.image_size,
            updateTimeFrom: b.start_latest_update_time,
            updateTimeTo: b.end_latest_update_time,
            scanTimeFrom: b.start_latest_scan_time,
            scanTimeTo: b.end_latest_scan_time,
            hasContainer: b.has_container,
            scanStatus: b.scan_status,
          },
          vulnerabilities: { type: b.vul_type, handleStatus: b.handle_status, vulIds: b.vul_id_list },
        },
      },
      { lang: requestLang(q.lang, request.headers), maxRows: q.export_size, packaging: 'zip' },
    );
    return {
      json: { record_total_num: Math.min(started.matched, MAX_RECORD_TOTAL), task_id: String(started.id) },
    };
  },
});

/** A decimal id from the path; anything else names nothing, like an id of another project. */
function pathId(value: string | undefined): number | undefined {
  return value !== undefined && /^[1-9]\d{0,14}$/.test(value) ? Number(value) : undefined;
}

export const listQueryExportTask = defineOperation({
  name: 'ListQueryExportTask',
  method: 'GET',
  path: '/export-task/:task_id',
  action: 'hss:exportTask:get',
  query: { enterprise_project_id: enterpriseProjectId },
  async handle({ app, caller, request }) {
    const id = pathId(request.path.task_id);
    if (id === undefined) {
      throw new ParapetError(
        'ExportTask.NotFound',
        `No export task ${request.path.task_id?.slice(0, 64)} exists for this project.`,
      );
    }
    const info = await describeExport(app, caller.tenant.id, id);
    return {
      json: {
        task_id: String(info.id),
        task_name: info.fileName.replace(/\.(zip|xlsx)$/, ''),
        task_status: HSS_EXPORT_TASK_STATUS[info.status],
        ...(info.artifact ? { file_id: String(info.artifact.id) } : {}),
        file_name: info.fileName,
      },
    };
  },
});

export const listDownloadExportedFile = defineOperation({
  name: 'ListDownloadExportedFile',
  method: 'GET',
  path: '/download/:file_id',
  action: 'hss:file:download',
  // `lang` is accepted for scripts that send it; the file's language was chosen when it was exported.
  query: { enterprise_project_id: enterpriseProjectId, lang: str({ maxLength: 16 }) },
  async handle({ app, caller, request }) {
    const id = pathId(request.path.file_id);
    const artifact = id === undefined ? undefined : await getArtifact(app, caller.tenant.id, id);
    if (!artifact || artifact.expiresAt <= app.now()) throw fileGone(app);
    return { file: artifact };
  },
});
