/**
 * Splits a result into parts that each stay under MAX_AGENT_BODY_BYTES: list
 * fields (inventory packages, processes, ports, users; a scan's detections
 * and skipped files) are spread over the parts, every other field is repeated
 * in each. The server merges them back by concatenating each list in part
 * order and taking the other fields from part 1 (services/assignments.ts).
 */
import {
  MAX_AGENT_BODY_BYTES,
  type AssignmentResultData,
  type ResultPart,
} from '../domain/agent-protocol.ts';

/** Room left for the part's envelope (part numbers, status, field names). */
const BUDGET = MAX_AGENT_BODY_BYTES - 4096;

type Lists = Record<string, unknown[]>;

function listsOf(data: AssignmentResultData): {
  lists: Lists;
  rebuild: (lists: Lists) => AssignmentResultData;
} {
  if (data.type === 'ASSETS_COLLECTION') {
    const { packages, processes, ports, users, ...rest } = data.inventory;
    return {
      lists: { packages, processes, ports, users },
      rebuild: (l) => ({
        type: 'ASSETS_COLLECTION',
        inventory: {
          ...rest,
          packages: l.packages,
          processes: l.processes,
          ports: l.ports,
          users: l.users,
        } as typeof data.inventory,
      }),
    };
  }
  const { detections, skipped, ...rest } = data.report;
  return {
    lists: { detections, skipped },
    rebuild: (l) => ({
      type: 'VIRUS_SCAN',
      report: { ...rest, detections: l.detections, skipped: l.skipped } as typeof data.report,
    }),
  };
}

export function splitResult(data: AssignmentResultData): ResultPart[] {
  const { lists, rebuild } = listsOf(data);
  const empty = (): Lists => Object.fromEntries(Object.keys(lists).map((name) => [name, []]));
  const base = Buffer.byteLength(JSON.stringify(rebuild(empty())));
  const chunks: Lists[] = [];
  let current = empty();
  let size = base;
  for (const [name, items] of Object.entries(lists)) {
    for (const item of items) {
      const itemSize = Buffer.byteLength(JSON.stringify(item)) + 1;
      if (size + itemSize > BUDGET && size > base) {
        chunks.push(current);
        current = empty();
        size = base;
      }
      current[name]!.push(item);
      size += itemSize;
    }
  }
  chunks.push(current);
  return chunks.map((chunk, index) => ({
    part: index + 1,
    parts: chunks.length,
    status: 'succeeded',
    data: rebuild(chunk),
  }));
}
