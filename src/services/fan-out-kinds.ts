/**
 * The fan-out task kinds (work done by agents) and what each one asks an
 * agent to do. Their tasks are created by once-tasks.ts and virus-scans.ts
 * and ended by assignments.ts as results arrive.
 */
import type { AssignmentParams, AssignmentType } from '../domain/agent-protocol.ts';
import type { ScanType } from '../domain/virus-scan.ts';
import { defineFanOutKind, type Task } from '../engine/index.ts';

/** `GenerateOnceTask` `ASSETS_COLLECTION`. */
export const ASSETS_COLLECTION_KIND = defineFanOutKind('assets-collection');
/** `StartVirusScanTask` and `CreateVirusScanOnceTask`. */
export const VIRUS_SCAN_KIND = defineFanOutKind('virus-scan');

export interface AssetsCollectionParams {
  taskType: 'ASSETS_COLLECTION';
  taskName: string;
  source: string;
  /** The Sas `Param` text, as given. */
  param: string;
  /** The Sas TaskId (32 hex). */
  onceTaskId: string;
}

export interface VirusScanParams {
  scanType: ScanType;
  /** `user` scans: the paths. */
  paths: string[];
  /** The Sas `TargetInfo` text (StartVirusScanTask), echoed by DescribeScanTaskProgress. */
  targetInfo: string;
  /** Which operation started it. */
  origin: 'StartVirusScanTask' | 'CreateVirusScanOnceTask';
}

/** What an agent is asked to do for a target of `task`; undefined for a task of another kind. */
export function assignmentOf(task: Task): AssignmentParams | undefined {
  switch (task.kind) {
    case ASSETS_COLLECTION_KIND.kind:
      return { type: 'ASSETS_COLLECTION' };
    case VIRUS_SCAN_KIND.kind: {
      const params = task.params as VirusScanParams;
      return { type: 'VIRUS_SCAN', scanType: params.scanType, paths: params.paths };
    }
    default:
      return undefined;
  }
}

/** The result type an agent must post for a target of `task`. */
export function resultTypeOf(task: Task): AssignmentType | undefined {
  return assignmentOf(task)?.type;
}
