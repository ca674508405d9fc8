/** Vulnerability findings of one tenant: listing, grouping, CVE details, and ignoring by hand. */
import { fetchPage, type Page, type PageRequest } from '../domain/hosts.ts';
import {
  VUL_OPERATIONS,
  parseRelated,
  type CveDetail,
  type VulFilter,
  type VulGroup,
  type VulOperation,
  type VulRef,
  type VulType,
  type Vulnerability,
} from '../domain/vulnerabilities.ts';
import * as findings from '../persistence/vulnerabilities.ts';
import type { AppContext } from './context.ts';

export function listVulnerabilities(
  app: AppContext,
  tenantId: number,
  filter: VulFilter,
  page: PageRequest,
): Promise<Page<Vulnerability>> {
  return fetchPage(
    page,
    (slice) => findings.listFindings(app.db, tenantId, filter, slice),
    () => findings.countFindings(app.db, tenantId, filter),
  );
}

export interface OffsetPage {
  currentPage: number;
  pageSize: number;
}

/** Findings grouped by (type, name), most urgent first, with counts per necessity over unhandled findings. */
export async function listVulnerabilityGroups(
  app: AppContext,
  tenantId: number,
  filter: VulFilter,
  page: OffsetPage,
): Promise<{ items: VulGroup[]; totalCount: number }> {
  const [items, totalCount] = await Promise.all([
    findings.listFindingGroups(app.db, tenantId, filter, {
      offset: (page.currentPage - 1) * page.pageSize,
      limit: page.pageSize,
    }),
    findings.countFindingGroups(app.db, tenantId, filter),
  ]);
  return { items, totalCount };
}

/**
 * The CVEs a vulnerability names, across the tenant's findings of it. A name
 * the tenant has no finding of yields no CVEs (not an error), so nothing tells
 * one tenant what another has found.
 */
export async function describeVulnerabilityCves(
  app: AppContext,
  tenantId: number,
  type: VulType,
  name: string,
): Promise<CveDetail[]> {
  const texts = await findings.listRelatedTexts(app.db, tenantId, type, name);
  const cveIds = [...new Set(texts.flatMap(parseRelated))];
  return findings.listCves(app.db, cveIds);
}

export interface VulStatusChange {
  type: VulType;
  operation: VulOperation;
  refs: VulRef[];
}

/**
 * Ignores findings or takes them back. Each operation moves only findings in
 * its starting status (ignore: unfixed → ignored; undo: ignored → unfixed);
 * others are left alone. All refs change in one transaction. Returns how many
 * findings changed.
 */
export function changeVulnerabilityStatus(
  app: AppContext,
  tenantId: number,
  change: VulStatusChange,
): Promise<number> {
  const { from, to } = VUL_OPERATIONS[change.operation];
  const at = app.now();
  return app.db.withTransaction(async (tx) => {
    let changed = 0;
    for (const ref of change.refs) {
      changed += await findings.moveFindingStatus(tx, tenantId, { type: change.type, ...ref, from, to, at });
    }
    return changed;
  });
}
