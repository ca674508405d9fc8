/**
 * The reads of an image vulnerability export: a snapshot (count and highest
 * id when the export is asked for) and keyset pages up to that id, like the
 * host vulnerability export (vulnerability-export.ts).
 */
import type {
  ImageFilter,
  ImageVulFilter,
  ImageVulHandleStatus,
  ImageVulSeverity,
  ImageVulType,
} from '../domain/images.ts';
import type { Queryable } from './database.ts';
import { and, CONTAINER_NUM, FROM_IMAGE_VULS, HOST_NUM, whereImages, whereImageVuls } from './images.ts';
import type { Sql } from './vulnerabilities.ts';
import type { FindingsSnapshot, KeysetSlice } from './vulnerability-export.ts';

/** One exported image vulnerability with its image, flat. */
export interface ImageVulExportRow {
  id: number;
  imageName: string;
  imageVersion: string;
  imageId: string;
  vulId: string;
  vulName: string;
  cveIds: string;
  type: ImageVulType;
  severity: ImageVulSeverity;
  handleStatus: ImageVulHandleStatus;
  appName: string;
  appVersion: string;
  fixedVersion: string;
  appPath: string;
  position: string;
  hostNum: number;
  containerNum: number;
  firstScanTime: number;
  latestScanTime: number;
  solution: string;
}

/** `v.tenant_id` first, so a keyset walks the (tenant_id, id) index. */
function whereExport(tenantId: number, images: ImageFilter, vulnerabilities: ImageVulFilter): Sql {
  return and(whereTenantVuls(tenantId, vulnerabilities), whereImages(tenantId, images));
}

function whereTenantVuls(tenantId: number, vulnerabilities: ImageVulFilter): Sql {
  return and({ text: 'v.tenant_id = ?', params: [tenantId] }, whereImageVuls(vulnerabilities));
}

export async function snapshotImageVuls(
  db: Queryable,
  tenantId: number,
  images: ImageFilter,
  vulnerabilities: ImageVulFilter,
): Promise<FindingsSnapshot> {
  // Without an image condition the count reads the vulnerabilities alone, from the
  // covering (tenant_id, id) index: 12 ms instead of 470 ms for 100k rows on SQLite.
  // A vulnerability's image is in its tenant, so the join would change no count.
  const withImages = Object.values(images).some((value) => value !== undefined);
  const where = withImages
    ? whereExport(tenantId, images, vulnerabilities)
    : whereTenantVuls(tenantId, vulnerabilities);
  const row = await db.get<{ n: number; max_id: number | null }>(
    `SELECT COUNT(*) AS n, MAX(v.id) AS max_id
     ${withImages ? FROM_IMAGE_VULS : 'FROM image_vulnerabilities v'} WHERE ${where.text}`,
    where.params,
  );
  return { count: Number(row?.n ?? 0), maxId: Number(row?.max_id ?? 0) };
}

/** Matching image vulnerabilities with afterId < id ≤ maxId, by id. */
export async function exportImageVulsPage(
  db: Queryable,
  tenantId: number,
  images: ImageFilter,
  vulnerabilities: ImageVulFilter,
  slice: KeysetSlice,
): Promise<ImageVulExportRow[]> {
  const where = whereExport(tenantId, images, vulnerabilities);
  const rows = await db.allArrays(
    `SELECT v.id, i.name, i.version, i.image_id, v.vul_id, v.vul_name, v.cve_ids, v.type, v.severity,
       v.handle_status, v.app_name, v.app_version, v.fixed_version, v.app_path, v.position, ${HOST_NUM},
       ${CONTAINER_NUM}, v.first_scan_time, v.latest_scan_time, v.solution
     ${FROM_IMAGE_VULS} WHERE ${where.text} AND v.id > ? AND v.id <= ?
     ORDER BY v.id LIMIT ?`,
    [...where.params, slice.afterId, slice.maxId, slice.limit],
  );
  return rows.map((r) => ({
    id: r[0] as number,
    imageName: r[1] as string,
    imageVersion: r[2] as string,
    imageId: r[3] as string,
    vulId: r[4] as string,
    vulName: r[5] as string,
    cveIds: r[6] as string,
    type: r[7] as ImageVulType,
    severity: r[8] as ImageVulSeverity,
    handleStatus: r[9] as ImageVulHandleStatus,
    appName: r[10] as string,
    appVersion: r[11] as string,
    fixedVersion: r[12] as string,
    appPath: r[13] as string,
    position: r[14] as string,
    hostNum: Number(r[15]),
    containerNum: Number(r[16]),
    firstScanTime: r[17] as number,
    latestScanTime: r[18] as number,
    solution: r[19] as string,
  }));
}
