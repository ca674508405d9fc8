/** Local container images of a tenant and the vulnerabilities their scans found (HSS image listings). */
import { missingParameter } from '../domain/errors.ts';
import type {
  AffectedImage,
  AffectedImageFilter,
  ImageFilter,
  ImageVulFilter,
  ImageVulnerability,
  LocalImage,
  OffsetPage,
} from '../domain/images.ts';
import * as images from '../persistence/images.ts';
import type { AppContext } from './context.ts';

/** The tenant's images matching the filter, newest first (latest update time, then id). */
export async function listLocalImages(
  app: AppContext,
  tenantId: number,
  filter: ImageFilter,
  page: OffsetPage,
): Promise<{ total: number; images: LocalImage[] }> {
  const [list, total] = await Promise.all([
    images.listImages(app.db, tenantId, filter, page),
    images.countImages(app.db, tenantId, filter),
  ]);
  return { total, images: list };
}

/**
 * The vulnerabilities of one image, the most severe first, then by vulnerability
 * id. An image the tenant does not have has none (not an error), so nothing
 * tells one tenant what another holds.
 */
export async function listImageVulnerabilities(
  app: AppContext,
  tenantId: number,
  imageId: string,
  filter: ImageVulFilter,
  page: OffsetPage,
): Promise<{ total: number; vulnerabilities: ImageVulnerability[] }> {
  const [vulnerabilities, total] = await Promise.all([
    images.listImageVuls(app.db, tenantId, imageId, filter, page),
    images.countImageVuls(app.db, tenantId, imageId, filter),
  ]);
  return { total, vulnerabilities };
}

/**
 * The images a vulnerability (`vulId`, required) was found in, one row per
 * image, newest image first. MissingParameter `vul_id` without it.
 */
export async function listVulAffectImages(
  app: AppContext,
  tenantId: number,
  filter: AffectedImageFilter,
  page: OffsetPage,
): Promise<{ total: number; images: AffectedImage[] }> {
  if (filter.vulId === undefined || filter.vulId === '') throw missingParameter('vul_id');
  const [list, total] = await Promise.all([
    images.listAffectedImages(app.db, tenantId, filter, page),
    images.countAffectedImages(app.db, tenantId, filter),
  ]);
  return { total, images: list };
}
