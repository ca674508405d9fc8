/** The vulnerability export (Sas `ExportVul`): one row per finding, with its host, in zh or en. */
import {
  VUL_STATUS,
  parseRelated,
  type Necessity,
  type VulFilter,
  type VulStatus,
  type VulType,
} from '../../domain/vulnerabilities.ts';
import { exportFindingsPage, snapshotFindings } from '../../persistence/vulnerability-export.ts';
import type { CellValue } from '../../formats/xlsx-writer.ts';
import { keysetPages, type ExportSource, type Localized } from './export-source.ts';

const TYPE_NAMES: Record<VulType, Localized> = {
  cve: { zh: 'Linux软件漏洞', en: 'Linux software' },
  sys: { zh: 'Windows系统漏洞', en: 'Windows system' },
  cms: { zh: 'Web-CMS漏洞', en: 'Web-CMS' },
  app: { zh: '应用漏洞', en: 'Application' },
  emg: { zh: '应急漏洞', en: 'Urgent' },
  sca: { zh: '软件成分分析漏洞', en: 'Software component (SCA)' },
};

const NECESSITY_NAMES: Record<Necessity, Localized> = {
  asap: { zh: '高', en: 'High' },
  later: { zh: '中', en: 'Medium' },
  nntf: { zh: '低', en: 'Low' },
};

const STATUS_NAMES: Record<VulStatus, Localized> = {
  [VUL_STATUS.unfixed]: { zh: '未修复', en: 'Unfixed' },
  [VUL_STATUS.fixFailed]: { zh: '修复失败', en: 'Fix failed' },
  [VUL_STATUS.rollbackFailed]: { zh: '回滚失败', en: 'Rollback failed' },
  [VUL_STATUS.fixing]: { zh: '修复中', en: 'Fixing' },
  [VUL_STATUS.rollingBack]: { zh: '回滚中', en: 'Rolling back' },
  [VUL_STATUS.verifying]: { zh: '验证中', en: 'Verifying' },
  [VUL_STATUS.fixed]: { zh: '修复成功', en: 'Fixed' },
  [VUL_STATUS.fixedRestartNeeded]: { zh: '修复成功，待重启', en: 'Fixed, restart required' },
  [VUL_STATUS.rolledBack]: { zh: '已回滚', en: 'Rolled back' },
  [VUL_STATUS.ignored]: { zh: '已忽略', en: 'Ignored' },
  [VUL_STATUS.rolledBackRestartNeeded]: { zh: '已回滚，待重启', en: 'Rolled back, restart required' },
  [VUL_STATUS.notFound]: { zh: '漏洞不存在', en: 'No longer found' },
  [VUL_STATUS.expired]: { zh: '已失效', en: 'Expired' },
};

export function vulExportSource(filter: VulFilter): ExportSource {
  return {
    sheetName: { zh: '漏洞', en: 'Vulnerabilities' },
    columns: [
      { header: { zh: '主机名称', en: 'Host name' }, width: 24, type: 'text' },
      { header: { zh: '公网IP', en: 'Public IP' }, width: 16, type: 'text' },
      { header: { zh: '私网IP', en: 'Private IP' }, width: 16, type: 'text' },
      { header: { zh: '主机UUID', en: 'Host UUID' }, width: 38, type: 'text' },
      { header: { zh: '分组', en: 'Group' }, width: 16, type: 'text' },
      { header: { zh: '漏洞名称', en: 'Vulnerability' }, width: 48, type: 'text' },
      { header: { zh: '漏洞编号', en: 'Vulnerability ID' }, width: 28, type: 'text' },
      { header: { zh: 'CVE编号', en: 'CVE IDs' }, width: 24, type: 'text' },
      { header: { zh: '漏洞类型', en: 'Type' }, width: 16, type: 'text' },
      { header: { zh: '修复紧急度', en: 'Priority' }, width: 10, type: 'text' },
      { header: { zh: '状态', en: 'Status' }, width: 16, type: 'text' },
      { header: { zh: '首次发现时间', en: 'First seen' }, width: 20, type: 'date' },
      { header: { zh: '最后发现时间', en: 'Last seen' }, width: 20, type: 'date' },
      { header: { zh: '软件包', en: 'Package' }, width: 20, type: 'text' },
      { header: { zh: '当前版本', en: 'Installed version' }, width: 18, type: 'text' },
      { header: { zh: '修复版本', en: 'Fixed version' }, width: 18, type: 'text' },
      { header: { zh: '修复命令', en: 'Fix command' }, width: 40, type: 'text' },
      { header: { zh: '路径', en: 'Path' }, width: 30, type: 'text' },
    ],
    snapshot: (db, tenantId) => snapshotFindings(db, tenantId, filter),
    async *pages(db, tenantId, maxId, lang) {
      // One type at a time: a keyset over one type walks the (tenant, type, id)
      // index, where a keyset over several would sort them all for every page.
      for (const type of filter.types) {
        const ofType: VulFilter = { ...filter, types: [type] };
        yield* keysetPages(
          maxId,
          (slice) => exportFindingsPage(db, tenantId, ofType, slice),
          (r): CellValue[] => [
            r.hostName,
            r.internetIp,
            r.intranetIp,
            r.uuid,
            r.groupName,
            r.aliasName,
            r.name,
            parseRelated(r.related).join(', '),
            TYPE_NAMES[r.type][lang],
            NECESSITY_NAMES[r.necessity][lang],
            STATUS_NAMES[r.status][lang],
            r.firstTs,
            r.lastTs,
            r.packageName,
            r.packageVersion,
            r.fixedVersion,
            r.updateCmd,
            r.path,
          ],
        );
      }
    },
  };
}
