/** Sas one-time tasks: GenerateOnceTask, its progress and listings, and CancelOnceTask. */
import { invalidParameter } from '../../../domain/errors.ts';
import {
  MAX_UNFINISHED_ONCE_TASKS,
  ONCE_TASK_TYPES,
  cancelOnceTask,
  generateOnceTask,
  getOnceTask,
  lastOnceTask,
  listOnceTasks,
  listUnfinishedOnceTasks,
  type OnceTaskView,
  type OnceTaskWithTargets,
} from '../../../services/once-tasks.ts';
import { cancelVirusScan } from '../../../services/virus-scans.ts';
import {
  SAS_ONCE_TASK_STATUS,
  SAS_ONCE_TASK_STATUS_CODE,
  statusesOfSasCode,
} from '../../task-status-names.ts';
import { int, oneOf, required, str, withDefault } from '../../text-params.ts';
import { defineAction } from '../action.ts';

const taskType = oneOf(ONCE_TASK_TYPES);
const onceTaskId = str({ maxLength: 64, pattern: /^[0-9a-zA-Z_-]{1,64}$/ });
const epochMs = int({ min: 0, max: 8_640_000_000_000_000 });

/** When the task's hosts were asked: the task's creation, epoch ms. */
const collectTime = (view: OnceTaskView) => view.task.createdAt;

export const generateOnceTaskAction = defineAction({
  name: 'GenerateOnceTask',
  ramService: 'yundun-aegis',
  params: {
    TaskType: required(taskType),
    TaskName: required(str({ maxLength: 128 })),
    Param: required(str({ maxLength: 64 * 1024 })),
    Source: str({ maxLength: 64 }),
  },
  async handle({ app, caller, params: p }) {
    const result = await generateOnceTask(app, caller.tenant.id, {
      taskType: p.TaskType,
      taskName: p.TaskName,
      param: p.Param,
      source: p.Source ?? 'Manual',
    });
    if (!result.created) {
      // The cloud's answer at its limit of MAX_UNFINISHED_ONCE_TASKS: no task, and the latest one.
      return { CanCreate: false, LastTask: result.last?.onceTaskId, ...counts(result.last) };
    }
    return { TaskId: result.view.onceTaskId, CanCreate: true, ...counts(result.view) };
  },
});

function counts(view: OnceTaskView | undefined) {
  return view
    ? { CollectTime: collectTime(view), TotalCount: view.counts.total, FinishCount: view.counts.answered }
    : {};
}

export const getOnceTaskResultInfo = defineAction({
  name: 'GetOnceTaskResultInfo',
  ramService: 'yundun-aegis',
  params: {
    TaskId: required(onceTaskId),
    TaskName: required(str({ maxLength: 128 })),
    TaskType: required(taskType),
  },
  async handle({ app, caller, params: p }) {
    const view = await getOnceTask(app, caller.tenant.id, p.TaskId);
    // The SDK types TaskId as a number although the cloud's ids are hex: it is left out (spec §1.4).
    return { ...counts(view), TaskInfo: { Status: SAS_ONCE_TASK_STATUS[view.task.status] } };
  },
});

export const getLastOnceTaskInfo = defineAction({
  name: 'GetLastOnceTaskInfo',
  ramService: 'yundun-aegis',
  params: {
    TaskType: required(taskType),
    TaskName: required(str({ maxLength: 128 })),
    Source: str({ maxLength: 64 }),
  },
  async handle({ app, caller, params: p }) {
    const view = await lastOnceTask(app, caller.tenant.id, p.TaskType);
    // Result says whether there was a task to show (SUCCESS | TASK_NOT_EXISTS in the SDK's model).
    if (!view) return { TaskInfo: { Result: 'TASK_NOT_EXISTS' } };
    return {
      ...counts(view),
      TaskInfo: {
        Status: SAS_ONCE_TASK_STATUS[view.task.status],
        Progress: view.counts.progress,
        Result: 'SUCCESS',
      },
    };
  },
});

/** One host's part of a task, as DescribeOnceTask's DetailData lists it. */
function targetDetail({ target, host }: OnceTaskWithTargets['targets'][number]) {
  return {
    uuid: host?.uuid,
    instanceName: host?.instanceName,
    status: SAS_ONCE_TASK_STATUS[target.status],
    progress: target.progress,
    late: target.late,
    result: target.summary,
    error: target.errorMessage,
  };
}

export const describeOnceTask = defineAction({
  name: 'DescribeOnceTask',
  ramService: 'yundun-aegis',
  params: {
    TaskType: taskType,
    RootTaskId: onceTaskId,
    TaskId: onceTaskId,
    Source: str({ maxLength: 64 }),
    StartTimeQuery: epochMs,
    EndTimeQuery: epochMs,
    TaskStatus: oneOf(['1', '2', '3', '4']),
    CurrentPage: withDefault(int({ min: 1, max: 1_000_000 }), 1),
    PageSize: withDefault(int({ min: 1, max: 100 }), 20),
  },
  async handle({ app, caller, params: p }) {
    if (p.TaskType === undefined && p.RootTaskId === undefined) {
      throw invalidParameter('TaskType', 'TaskType and RootTaskId may not both be empty');
    }
    const page = { currentPage: p.CurrentPage, pageSize: p.PageSize };
    const { items, totalCount } = await listOnceTasks(
      app,
      caller.tenant.id,
      {
        taskType: p.TaskType,
        onceTaskId: p.TaskId ?? p.RootTaskId,
        statuses: p.TaskStatus === undefined ? undefined : statusesOfSasCode(Number(p.TaskStatus)),
        createdFrom: p.StartTimeQuery,
        createdTo: p.EndTimeQuery,
      },
      page,
    );
    return {
      PageInfo: {
        Count: items.length,
        CurrentPage: p.CurrentPage,
        PageSize: p.PageSize,
        TotalCount: totalCount,
      },
      TaskManageResponseList: items.map((item) => ({
        TaskId: item.onceTaskId,
        TaskName: item.task.params.taskName,
        TaskType: item.task.params.taskType,
        TaskStatus: SAS_ONCE_TASK_STATUS_CODE[item.task.status],
        TaskStatusText: SAS_ONCE_TASK_STATUS[item.task.status],
        Progress: `${item.counts.progress}%`,
        SuccessCount: item.counts.succeeded,
        FailCount: item.counts.failed + item.counts.timedOut,
        TaskStartTime: item.task.createdAt,
        TaskEndTime: item.task.finishedAt,
        ResultInfo: item.task.errorMessage ?? SAS_ONCE_TASK_STATUS[item.task.status],
        DetailData: JSON.stringify(item.targets.map(targetDetail)),
      })),
    };
  },
});

export const listUnfinishedOnceTask = defineAction({
  name: 'ListUnfinishedOnceTask',
  ramService: 'yundun-aegis',
  params: { TaskType: required(oneOf(['ASSETS_COLLECTION', 'IMAGE_SCAN'])), Target: str({ maxLength: 128 }) },
  async handle({ app, caller, params: p }) {
    const views =
      p.TaskType === 'ASSETS_COLLECTION'
        ? await listUnfinishedOnceTasks(app, caller.tenant.id, p.TaskType, p.Target)
        : [];
    return {
      OnceTasks: views.slice(0, MAX_UNFINISHED_ONCE_TASKS).map((view) => ({
        TaskId: view.onceTaskId,
        TaskType: view.task.params.taskType,
        Target: p.Target,
        StatusText: SAS_ONCE_TASK_STATUS[view.task.status],
        Status: SAS_ONCE_TASK_STATUS_CODE[view.task.status],
        Finish: 0,
        Progress: view.counts.progress,
        FinishCount: view.counts.answered,
        TotalCount: view.counts.total,
        StartTime: view.task.createdAt,
        ResultInfo: SAS_ONCE_TASK_STATUS[view.task.status],
      })),
    };
  },
});

export const cancelOnceTaskAction = defineAction({
  name: 'CancelOnceTask',
  ramService: 'yundun-aegis',
  params: { TaskId: required(onceTaskId) },
  async handle({ app, caller, params: p }) {
    // A virus scan's id (ScanTaskId) is a number; a one-time task's is 32 hex.
    if (/^\d{1,15}$/.test(p.TaskId)) await cancelVirusScan(app, caller.tenant.id, Number(p.TaskId));
    else await cancelOnceTask(app, caller.tenant.id, p.TaskId);
    return {};
  },
});
