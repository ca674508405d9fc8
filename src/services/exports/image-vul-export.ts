/**
 * The local image vulnerability export (HSS `BatchExportLocalVulTask`): one row
 * per vulnerability of the matching images, with its image, in zh or en.
 */
import {
  repairNecessity,
  type ImageVulExportFilter,
  type ImageVulHandleStatus,
  type ImageVulSeverity,
  type ImageVulType,
  type RepairNecessity,
} from '../../domain/images.ts';
import { parseRelated } from '../../domain/vulnerabilities.ts';
import type { CellValue } from '../../formats/xlsx-writer.ts';
import { exportImageVulsPage, snapshotImageVuls } from '../../persistence/image-vul-export.ts';
import {
  dateColumn,
  keysetPages,
  numberColumn,
  textColumn,
  type ExportColumn,
  type ExportSource,
  type Localized,
} from './export-source.ts';

const TYPE_NAMES: Record<ImageVulType, Localized> = {
  linux_vul: { zh: 'Linux软件漏洞', en: 'Linux software' },
  app_vul: { zh: '应用漏洞', en: 'Application' },
};

const SEVERITY_NAMES: Record<ImageVulSeverity, Localized> = {
  Critical: { zh: '严重', en: 'Critical' },
  High: { zh: '高', en: 'High' },
  Medium: { zh: '中', en: 'Medium' },
  Low: { zh: '低', en: 'Low' },
};

const NECESSITY_NAMES: Record<RepairNecessity, Localized> = {
  immediate_repair: { zh: '立即修复', en: 'Fix now' },
  delay_repair: { zh: '延后修复', en: 'Fix later' },
  not_needed_repair: { zh: '暂可不修复', en: 'Not needed' },
};

const HANDLE_STATUS_NAMES: Record<ImageVulHandleStatus, Localized> = {
  unhandled: { zh: '未处理', en: 'Unhandled' },
  handled: { zh: '已处理', en: 'Handled' },
};

const COLUMNS: readonly ExportColumn[] = [
  textColumn('镜像名称', 'Image name', 36),
  textColumn('镜像版本', 'Image version', 16),
  textColumn('镜像ID', 'Image ID', 24),
  textColumn('漏洞编号', 'Vulnerability ID', 24),
  textColumn('漏洞名称', 'Vulnerability', 48),
  textColumn('CVE编号', 'CVE IDs', 24),
  textColumn('漏洞类型', 'Type', 16),
  textColumn('危险程度', 'Severity', 10),
  textColumn('修复必要性', 'Repair necessity', 14),
  textColumn('处理状态', 'Handle status', 12),
  textColumn('软件包', 'Package', 22),
  textColumn('当前版本', 'Installed version', 20),
  textColumn('修复版本', 'Fixed version', 20),
  textColumn('路径', 'Path', 40),
  textColumn('镜像层', 'Layer', 24),
  numberColumn('主机数', 'Hosts'),
  numberColumn('容器数', 'Containers'),
  dateColumn('首次扫描时间', 'First scanned'),
  dateColumn('最近扫描时间', 'Last scanned'),
  textColumn('解决方案', 'Solution', 48),
];

export function imageVulExportSource(filter: ImageVulExportFilter): ExportSource {
  return {
    sheetName: { zh: '镜像漏洞', en: 'Image vulnerabilities' },
    columns: COLUMNS,
    snapshot: (db, tenantId) => snapshotImageVuls(db, tenantId, filter.images, filter.vulnerabilities),
    pages: (db, tenantId, maxId, lang) =>
      keysetPages(
        maxId,
        (slice) => exportImageVulsPage(db, tenantId, filter.images, filter.vulnerabilities, slice),
        (r): CellValue[] => [
          r.imageName,
          r.imageVersion,
          r.imageId,
          r.vulId,
          r.vulName,
          parseRelated(r.cveIds).join(', '),
          TYPE_NAMES[r.type][lang],
          SEVERITY_NAMES[r.severity][lang],
          NECESSITY_NAMES[repairNecessity(r.severity)][lang],
          HANDLE_STATUS_NAMES[r.handleStatus][lang],
          r.appName,
          r.appVersion,
          r.fixedVersion,
          r.appPath,
          r.position,
          r.hostNum,
          r.containerNum,
          r.firstScanTime,
          r.latestScanTime,
          r.solution,
        ],
      ),
  };
}
