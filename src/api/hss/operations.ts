import type { HssOperation } from './operation.ts';
import {
  batchExportLocalVulTask,
  listDownloadExportedFile,
  listQueryExportTask,
} from './operations/exports.ts';
import { listImageLocal, listImageVulnerabilities, listVulAffectImages } from './operations/images.ts';

/** Every HSS v5 operation Parapet serves (docs/api.md lists them with their actions). */
export const hssOperations: HssOperation[] = [
  batchExportLocalVulTask,
  listQueryExportTask,
  listDownloadExportedFile,
  listImageLocal,
  listImageVulnerabilities,
  listVulAffectImages,
];
