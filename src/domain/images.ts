/**
 * Glossary.
 * - Local image: a container image present on one or more of a tenant's hosts
 *   (HSS "local image"), known by its image id: the content id as 64 lowercase
 *   hex digits, without the `sha256:` prefix. Name is the repository
 *   (`nginx`, `swr.cn-north-4.myhuaweicloud.com/team/api`), version the tag,
 *   digest the repository digest (`sha256:…`).
 * - SWR image: an image from Huawei Cloud's SoftWare Repository (`swr.*`);
 *   every other image is `other_image`.
 * - Image scan: looks inside an image for vulnerable packages; the scan status
 *   says where it stands. A failed scan says why in the scan failed description.
 * - Image vulnerability: one vulnerability in one package of an image, found by
 *   scans. `linux_vul` is an OS package (no path), `app_vul` an application
 *   component at a path (a .jar, a node module, a Python package). Position is
 *   the image layer holding it.
 * - Handle status: `handled` needs no more action (fixed or ignored),
 *   `unhandled` does.
 * - Repair necessity: how soon to fix, from the severity (see repairNecessity).
 * - Severity level of an image: the worst severity among its unhandled
 *   vulnerabilities, on the HSS scale (Critical counts as High), `Security` when
 *   there is none.
 */

export const IMAGE_SCAN_STATUSES = [
  'unscan',
  'success',
  'scanning',
  'failed',
  'waiting_for_scan',
  'download_failed',
  'image_oversized',
  'image_scan_stop',
] as const;
export type ImageScanStatus = (typeof IMAGE_SCAN_STATUSES)[number];

/** Why a scan failed; stored as '' when it did not. */
export const SCAN_FAILED_DESCS = [
  'unknown_error',
  'failed_to_match_agent',
  'create_container_failed',
  'get_container_info_failed',
  'docker_offline',
  'get_docker_root_failed',
  'image_not_exist_or_docker_api_fault',
  'huge_image',
  'docker_root_in_nfs',
  'response_timed_out',
] as const;
export type ScanFailedDesc = (typeof SCAN_FAILED_DESCS)[number];

export const LOCAL_IMAGE_TYPES = ['other_image', 'swr_image'] as const;
export type LocalImageType = (typeof LOCAL_IMAGE_TYPES)[number];

export const IMAGE_VUL_TYPES = ['linux_vul', 'app_vul'] as const;
export type ImageVulType = (typeof IMAGE_VUL_TYPES)[number];

export const IMAGE_VUL_HANDLE_STATUSES = ['unhandled', 'handled'] as const;
export type ImageVulHandleStatus = (typeof IMAGE_VUL_HANDLE_STATUSES)[number];

/** Most severe last. */
export const IMAGE_VUL_SEVERITIES = ['Low', 'Medium', 'High', 'Critical'] as const;
export type ImageVulSeverity = (typeof IMAGE_VUL_SEVERITIES)[number];

export const IMAGE_SEVERITY_LEVELS = ['Security', 'Low', 'Medium', 'High'] as const;
export type ImageSeverityLevel = (typeof IMAGE_SEVERITY_LEVELS)[number];

export const REPAIR_NECESSITIES = ['immediate_repair', 'delay_repair', 'not_needed_repair'] as const;
export type RepairNecessity = (typeof REPAIR_NECESSITIES)[number];

/** The handle status as the affected-images view names it. */
export const AFFECTED_IMAGE_STATUSES = ['vul_status_unfix', 'vul_status_ignored'] as const;
export type AffectedImageStatus = (typeof AFFECTED_IMAGE_STATUSES)[number];

/** Critical and High → fix now, Medium → later, Low → not needed. */
export function repairNecessity(severity: ImageVulSeverity): RepairNecessity {
  switch (severity) {
    case 'Critical':
    case 'High':
      return 'immediate_repair';
    case 'Medium':
      return 'delay_repair';
    case 'Low':
      return 'not_needed_repair';
  }
}

/** The severities a repair necessity stands for. */
export function severitiesOf(necessity: RepairNecessity): ImageVulSeverity[] {
  return IMAGE_VUL_SEVERITIES.filter((severity) => repairNecessity(severity) === necessity);
}

/** A slice of a listing: skip `offset` rows, return at most `limit`. */
export interface OffsetPage {
  offset: number;
  limit: number;
}

/** One row of ListImageLocal. Host fields name the image's first host ('' when it is on none). */
export interface LocalImage {
  imageId: string;
  name: string;
  version: string;
  digest: string;
  /** Bytes. */
  size: number;
  localImageType: LocalImageType;
  scanStatus: ImageScanStatus;
  scanFailedDesc: ScanFailedDesc | '';
  /** When the image was created or last updated (epoch ms). */
  latestUpdateTime: number;
  /** When its last scan finished (epoch ms); undefined when never scanned. */
  latestScanTime: number | undefined;
  /** All its vulnerabilities, handled or not. */
  vulNum: number;
  unsafeSettingNum: number;
  maliciousFileNum: number;
  hostNum: number;
  containerNum: number;
  componentNum: number;
  severityLevel: ImageSeverityLevel;
  /** The host's instance name. */
  hostName: string;
  /** The host's uuid. */
  hostId: string;
  /** Parapet's agents are known by their host's uuid. */
  agentId: string;
}

/** One vulnerability of one image (HSS ImageVulInfo). */
export interface ImageVulnerability {
  vulId: string;
  vulName: string;
  type: ImageVulType;
  severity: ImageVulSeverity;
  repairNecessity: RepairNecessity;
  handleStatus: ImageVulHandleStatus;
  description: string;
  /** The image layer holding the package (`sha256:…`). */
  position: string;
  appName: string;
  /** '' for linux_vul. */
  appPath: string;
  /** The installed version. */
  version: string;
  fixedVersion: string;
  solution: string;
  url: string;
  cveIds: string[];
  /** The highest CVSS score of its CVEs. */
  cvss: number;
  firstScanTime: number;
  latestScanTime: number;
}

/** One image a vulnerability was found in (HSS ListVulAffectImages). */
export interface AffectedImage {
  imageId: string;
  imageName: string;
  imageVersion: string;
  imageDigest: string;
  vulId: string;
  /** The worst severity among the image's matching rows of the vulnerability. */
  severity: ImageVulSeverity;
  /** Unfixed while any matching row is unhandled. */
  status: AffectedImageStatus;
  firstScanTime: number;
  latestScanTime: number;
  containerNum: number;
  hostNum: number;
  /** The uuid of the image's first host; '' when it is on none. */
  agentId: string;
}

/**
 * What an image listing keeps; every given field must hold. Image, host,
 * container, pod and app names match case-insensitive substrings; the rest
 * match exactly. Times are epoch ms, inclusive.
 */
export interface ImageFilter {
  imageIds?: readonly string[];
  imageName?: string;
  imageVersion?: string;
  /** A host holding the image; the host fields shown are then of the first such host. */
  hostName?: string;
  /** Host uuid. */
  hostId?: string;
  /** The host's public or private IP, or one in its IP list. */
  hostIp?: string;
  /** A container running the image. */
  containerId?: string;
  containerName?: string;
  podId?: string;
  podName?: string;
  /** Images with a vulnerable component of this name. */
  appName?: string;
  /** Bytes. */
  imageSize?: number;
  updateTimeFrom?: number;
  updateTimeTo?: number;
  scanTimeFrom?: number;
  scanTimeTo?: number;
  hasVul?: boolean;
  hasContainer?: boolean;
  scanStatus?: ImageScanStatus;
  localImageType?: LocalImageType;
}

/** What a listing of image vulnerabilities keeps; all exact except vulIdLike (substring). */
export interface ImageVulFilter {
  type?: ImageVulType;
  handleStatus?: ImageVulHandleStatus;
  vulIds?: readonly string[];
  vulIdLike?: string;
  appName?: string;
  repairNecessity?: RepairNecessity;
}

/** What the images affected by one vulnerability are narrowed by. */
export interface AffectedImageFilter {
  /** Required by the service. */
  vulId?: string;
  isHandled?: boolean;
  type?: ImageVulType;
  severity?: ImageVulSeverity;
  imageId?: string;
  /** Substring, case-insensitive. */
  imageName?: string;
  /** vul_status_unfix = unhandled, vul_status_ignored = handled. */
  status?: AffectedImageStatus;
}

/** An image vulnerability export: the vulnerabilities matching `vulnerabilities` in images matching `images`. */
export interface ImageVulExportFilter {
  images: ImageFilter;
  vulnerabilities: ImageVulFilter;
}
