/**
 * HSS image listings: ListImageLocal, ListImageVulnerabilities and
 * ListVulAffectImages, rendered with the field names and types of the Go
 * SDK's models (spec hss-v5.md §1.4–1.5).
 */
import {
  AFFECTED_IMAGE_STATUSES,
  IMAGE_VUL_HANDLE_STATUSES,
  IMAGE_VUL_SEVERITIES,
  IMAGE_VUL_TYPES,
  LOCAL_IMAGE_TYPES,
  REPAIR_NECESSITIES,
  type AffectedImage,
  type ImageVulnerability,
  type LocalImage,
} from '../../../domain/images.ts';
import * as images from '../../../services/images.ts';
import { bool, oneOf, required, str } from '../../text-params.ts';
import { defineOperation } from '../operation.ts';
import { checkRange, enterpriseProjectId, epochMs, paging } from '../params.ts';

/** The query spelling of scan statuses; the response says `waiting` for `waiting_for_scan`. */
const LIST_SCAN_STATUSES = ['unscan', 'success', 'scanning', 'failed', 'waiting_for_scan'] as const;
const name = str({ maxLength: 256 });

function renderLocalImage(image: LocalImage): Record<string, unknown> {
  return {
    image_name: image.name,
    image_id: image.imageId,
    image_digest: image.digest,
    image_version: image.version,
    local_image_type: image.localImageType,
    scan_status: image.scanStatus === 'waiting_for_scan' ? 'waiting' : image.scanStatus,
    image_size: image.size,
    latest_update_time: image.latestUpdateTime,
    latest_scan_time: image.latestScanTime ?? 0,
    vul_num: image.vulNum,
    unsafe_setting_num: image.unsafeSettingNum,
    malicious_file_num: image.maliciousFileNum,
    host_name: image.hostName,
    host_id: image.hostId,
    host_num: image.hostNum,
    container_num: image.containerNum,
    component_num: image.componentNum,
    scan_failed_desc: image.scanFailedDesc,
    severity_level: image.severityLevel,
    agent_id: image.agentId,
    // Parapet scans every image it lists; nothing keeps one from being scanned.
    non_scan_reason: '',
  };
}

export const listImageLocal = defineOperation({
  name: 'ListImageLocal',
  method: 'GET',
  path: '/image/local-repositories',
  action: 'hss:image:list',
  query: {
    enterprise_project_id: enterpriseProjectId,
    image_name: name,
    image_version: name,
    host_name: name,
    host_id: name,
    host_ip: str({ maxLength: 64 }),
    container_id: name,
    container_name: name,
    pod_id: name,
    pod_name: name,
    app_name: name,
    image_size: epochMs,
    start_latest_update_time: epochMs,
    end_latest_update_time: epochMs,
    start_latest_scan_time: epochMs,
    end_latest_scan_time: epochMs,
    has_vul: bool(),
    has_container: bool(),
    scan_status: oneOf(LIST_SCAN_STATUSES),
    local_image_type: oneOf(LOCAL_IMAGE_TYPES),
    ...paging,
  },
  async handle({ app, caller, query: q }) {
    checkRange(
      q.start_latest_update_time,
      q.end_latest_update_time,
      'start_latest_update_time',
      'end_latest_update_time',
    );
    checkRange(
      q.start_latest_scan_time,
      q.end_latest_scan_time,
      'start_latest_scan_time',
      'end_latest_scan_time',
    );
    const { total, images: found } = await images.listLocalImages(
      app,
      caller.tenant.id,
      {
        imageName: q.image_name,
        imageVersion: q.image_version,
        hostName: q.host_name,
        hostId: q.host_id,
        hostIp: q.host_ip,
        containerId: q.container_id,
        containerName: q.container_name,
        podId: q.pod_id,
        podName: q.pod_name,
        appName: q.app_name,
        imageSize: q.image_size,
        updateTimeFrom: q.start_latest_update_time,
        updateTimeTo: q.end_latest_update_time,
        scanTimeFrom: q.start_latest_scan_time,
        scanTimeTo: q.end_latest_scan_time,
        hasVul: q.has_vul,
        hasContainer: q.has_container,
        scanStatus: q.scan_status,
        localImageType: q.local_image_type,
      },
      { offset: q.offset, limit: q.limit },
    );
    return { json: { total_num: total, data_list: found.map(renderLocalImage) } };
  },
});

/** Image types of the cloud's image APIs; Parapet holds local images only, so the others list nothing. */
const IMAGE_TYPES = [
  'local_image',
  'private_image',
  'shared_image',
  'instance_image',
  'cicd',
  'harbor',
  'jfrog',
] as const;

function renderImageVul(vul: ImageVulnerability): Record<string, unknown> {
  return {
    vul_id: vul.vulId,
    repair_necessity: vul.repairNecessity,
    description: vul.description,
    position: vul.position,
    app_name: vul.appName,
    app_path: vul.appPath,
    version: vul.version,
    solution: vul.solution,
    url: vul.url,
  };
}

export const listImageVulnerabilities = defineOperation({
  name: 'ListImageVulnerabilities',
  method: 'GET',
  path: '/image/:image_id/vulnerabilities',
  action: 'hss:image:listVul',
  query: {
    enterprise_project_id: enterpriseProjectId,
    image_type: required(oneOf(IMAGE_TYPES)),
    namespace: name,
    image_name: name,
    tag_name: name,
    instance_id: name,
    repair_necessity: oneOf(REPAIR_NECESSITIES),
    vul_id: name,
    app_name: name,
    type: oneOf(IMAGE_VUL_TYPES),
    handle_status: oneOf(IMAGE_VUL_HANDLE_STATUSES),
    offset: paging.offset,
    limit: paging.limit,
  },
  async handle({ app, caller, query: q, request }) {
    if (q.image_type !== 'local_image') return { json: { total_num: 0, data_list: [] } };
    const { total, vulnerabilities } = await images.listImageVulnerabilities(
      app,
      caller.tenant.id,
      request.path.image_id ?? '',
      {
        type: q.type,
        handleStatus: q.handle_status,
        vulIdLike: q.vul_id,
        appName: q.app_name,
        repairNecessity: q.repair_necessity,
      },
      { offset: q.offset, limit: q.limit },
    );
    return { json: { total_num: total, data_list: vulnerabilities.map(renderImageVul) } };
  },
});

function renderAffectedImage(image: AffectedImage): Record<string, unknown> {
  return {
    image_id: image.imageId,
    image_name: image.imageName,
    image_version: image.imageVersion,
    image_digest: image.imageDigest,
    image_type: 'local_image',
    vul_id: image.vulId,
    repair_necessity: image.severity,
    status: image.status,
    // Strings holding epoch ms in the Go model.
    first_scan_time: String(image.firstScanTime),
    latest_scan_time: String(image.latestScanTime),
    container_num: image.containerNum,
    agent_id: image.agentId,
    registry_name: '',
    registry_type: '',
    cluster_name: '',
    cluster_id: '',
  };
}

export const listVulAffectImages = defineOperation({
  name: 'ListVulAffectImages',
  method: 'GET',
  path: '/vulnerability/images',
  action: 'hss:vul:listAffectedImages',
  query: {
    enterprise_project_id: enterpriseProjectId,
    vul_id: required(name),
    is_handled: bool(),
    type: oneOf(IMAGE_VUL_TYPES),
    image_type: oneOf(['local_image', 'registry', 'cicd'] as const),
    repair_necessity: oneOf(IMAGE_VUL_SEVERITIES),
    image_id: name,
    image_name: name,
    registry_name: name,
    registry_type: name,
    status: oneOf(AFFECTED_IMAGE_STATUSES),
    cluster_id: name,
    ...paging,
  },
  async handle({ app, caller, query: q }) {
    const elsewhere =
      (q.image_type !== undefined && q.image_type !== 'local_image') ||
      q.registry_name !== undefined ||
      q.registry_type !== undefined ||
      q.cluster_id !== undefined;
    if (elsewhere) return { json: { total_num: 0, data_list: [] } };
    const { total, images: found } = await images.listVulAffectImages(
      app,
      caller.tenant.id,
      {
        vulId: q.vul_id,
        isHandled: q.is_handled,
        type: q.type,
        severity: q.repair_necessity,
        imageId: q.image_id,
        imageName: q.image_name,
        status: q.status,
      },
      { offset: q.offset, limit: q.limit },
    );
    return { json: { total_num: total, data_list: found.map(renderAffectedImage) } };
  },
});
