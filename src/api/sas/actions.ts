/** The action table of the Sas dialect: every operation Parapet answers. */
import type { SasAction } from './action.ts';
import { describeExportInfo, describeVulExportInfo, exportRecord, exportVul } from './operations/exports.ts';
import {
  describePropertyPortDetail,
  describePropertyProcDetail,
  describePropertySoftwareDetail,
  describePropertyUserDetail,
} from './operations/assets.ts';
import { describeAllGroups, describeCloudCenterInstances, modifyAssetGroup } from './operations/hosts.ts';
import {
  cancelOnceTaskAction,
  describeOnceTask,
  generateOnceTaskAction,
  getLastOnceTaskInfo,
  getOnceTaskResultInfo,
  listUnfinishedOnceTask,
} from './operations/once-tasks.ts';
import {
  createVirusScanOnceTask,
  describeScanTaskProgress,
  describeScanTaskStatistics,
  getVirusScanLatestTaskStatistic,
  listVirusScanMachineEvent,
  listVirusScanTask,
  startVirusScanTask,
} from './operations/virus-scans.ts';
import {
  deleteCustomizeReport,
  describeCustomizeReportConfigDetail,
  describeCustomizeReportList,
  describeReportExport,
  exportCustomizeReport,
  saveCustomizeReportConfig,
  sendCustomizeReport,
} from './operations/reports.ts';
import {
  describeGroupedVul,
  describeVulDetails,
  describeVulList,
  modifyOperateVul,
} from './operations/vulnerabilities.ts';

export const sasActions: SasAction[] = [
  describeAllGroups,
  describeCloudCenterInstances,
  describeVulList,
  describeGroupedVul,
  describeVulDetails,
  modifyOperateVul,
  exportVul,
  describeVulExportInfo,
  exportRecord,
  describeExportInfo,
  saveCustomizeReportConfig,
  describeCustomizeReportList,
  describeCustomizeReportConfigDetail,
  deleteCustomizeReport,
  exportCustomizeReport,
  describeReportExport,
  sendCustomizeReport,
  generateOnceTaskAction,
  getOnceTaskResultInfo,
  getLastOnceTaskInfo,
  describeOnceTask,
  listUnfinishedOnceTask,
  cancelOnceTaskAction,
  startVirusScanTask,
  createVirusScanOnceTask,
  describeScanTaskProgress,
  listVirusScanTask,
  listVirusScanMachineEvent,
  describeScanTaskStatistics,
  getVirusScanLatestTaskStatistic,
  describePropertySoftwareDetail,
  describePropertyProcDetail,
  describePropertyPortDetail,
  describePropertyUserDetail,
  modifyAssetGroup,
];
