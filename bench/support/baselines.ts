/**
 * What export benchmarks compare against: synthetic vulnerability-like rows,
 * and the same rows written by exceljs's streaming WorkbookWriter and as
 * plain CSV. Everything here is deterministic and made up.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type ExcelJS from 'exceljs';
import type { CellValue, XlsxColumn } from '../../src/formats/xlsx-writer.ts';

export type Row = readonly CellValue[];
export type RowBatches = Iterable<readonly Row[]> | AsyncIterable<readonly Row[]>;

/** The 16 columns of `syntheticRows`, like a vulnerability export's. */
export const syntheticColumns: readonly XlsxColumn[] = [
  { header: 'Host name', width: 24, type: 'text' },
  { header: 'Internet IP', width: 16, type: 'text' },
  { header: 'Intranet IP', width: 16, type: 'text' },
  { header: 'UUID', width: 38, type: 'text' },
  { header: 'Group', width: 16, type: 'text' },
  { header: 'Vulnerability', width: 40, type: 'text' },
  { header: 'Alias', width: 60, type: 'text' },
  { header: 'CVE', width: 30, type: 'text' },
  { header: 'Type', width: 8, type: 'text' },
  { header: 'Necessity', width: 10, type: 'text' },
  { header: 'Status', width: 12, type: 'text' },
  { header: 'First seen', width: 20, type: 'date' },
  { header: 'Last seen', width: 20, type: 'date' },
  { header: 'Package', width: 20, type: 'text' },
  { header: 'Installed version', width: 22, type: 'text' },
  { header: 'Fixed version', width: 22, type: 'text' },
];

/** A small seeded PRNG (mulberry32): the same seed gives the same rows. */
function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const GROUPS = [
  'default',
  'web',
  'db',
  'cache',
  'batch',
  'edge',
  'payments',
  'staging',
  'ci',
  'ops',
  'ml',
  'mail',
];
const PACKAGES = [
  'openssl',
  'linux-image-generic',
  'glibc',
  'curl',
  'sudo',
  'openssh-server',
  'nginx',
  'python3.10',
];
const TOPICS = [
  'heap overflow',
  'use after free',
  'privilege escalation',
  'denial of service',
  'info leak',
  'RCE',
];
const TYPES = ['cve', 'sys', 'cms', 'app', 'emg'];
const NECESSITIES = ['asap', 'later', 'nntf'];
const STATUSES = ['unfixed', 'unfixed', 'unfixed', 'fixed', 'verifying', 'ignored'];
const HOST_ROLES = ['web', 'db', 'app', 'cache', 'worker'];
const DEFINITIONS = 2_000;
const ROWS_PER_HOST = 100;
const START_MS = Date.UTC(2023, 0, 1);

interface Definition {
  name: string;
  alias: string;
  cves: string;
  type: string;
  pkg: string;
  installed: string;
  fixed: string;
}

function makeDefinitions(random: () => number): Definition[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: DEFINITIONS }, (_, i) => {
    const pkg = pick(PACKAGES);
    const minor = Math.floor(random() * 30);
    const cves = Array.from(
      { length: 1 + Math.floor(random() * 3) },
      () => `CVE-${2019 + Math.floor(random() * 6)}-${1000 + Math.floor(random() * 49_000)}`,
    );
    // One in twenty has characters that need escaping, as real advisory titles do.
    const detail = i % 20 === 0 ? ` in versions < 1.${minor} & later` : ` (${cves[0]})`;
    return {
      name: `USN-${4000 + i}-1: ${pkg} vulnerabilities`,
      alias: `${pkg}: ${pick(TOPICS)} in the ${pick(TOPICS)} path${detail}`.padEnd(60, '.'),
      cves: cves.join(', '),
      type: pick(TYPES),
      pkg,
      installed: `1.${minor}.${Math.floor(random() * 20)}-0ubuntu0.22.04.1`,
      fixed: `1.${minor}.${20 + Math.floor(random() * 20)}-0ubuntu0.22.04.2`,
    };
  });
}

/**
 * `count` synthetic vulnerability rows in `syntheticColumns` order, in
 * batches of `batchSize`: 100 per host, dates as epoch ms from 2023 on.
 */
export function* syntheticRows(count: number, batchSize = 1_000, seed = 1): Generator<Row[]> {
  const random = makeRandom(seed);
  const definitions = makeDefinitions(random);
  let host: string[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const batch: Row[] = [];
    for (let i = start; i < Math.min(count, start + batchSize); i++) {
      if (i % ROWS_PER_HOST === 0) {
        const n = i / ROWS_PER_HOST;
        const hex = (bits: number): string =>
          Math.floor(random() * 2 ** bits)
            .toString(16)
            .padStart(bits / 4, '0');
        host = [
          `${HOST_ROLES[n % HOST_ROLES.length]}-${String(n).padStart(6, '0')}.example.internal`,
          `203.0.${(n >> 8) & 255}.${n & 255}`,
          `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          `${hex(32)}-${hex(16)}-4${hex(12)}-a${hex(12)}-${hex(24)}${hex(24)}`,
          GROUPS[n % GROUPS.length]!,
        ];
      }
      const definition = definitions[Math.floor(random() * DEFINITIONS)]!;
      const firstSeen = START_MS + Math.floor(random() * 365 * 86_400_000);
      const lastSeen = firstSeen + Math.floor(random() * 90 * 86_400_000);
      batch.push([
        ...host,
        definition.name,
        definition.alias,
        definition.cves,
        definition.type,
        NECESSITIES[i % NECESSITIES.length],
        STATUSES[Math.floor(random() * STATUSES.length)],
        firstSeen,
        lastSeen,
        definition.pkg,
        definition.installed,
        definition.fixed,
      ]);
    }
    yield batch;
  }
}

export interface BaselineOptions {
  columns: readonly XlsxColumn[];
  sheetName: string;
  /** Data rows per sheet. (Default: 1,048,575) */
  maxRowsPerSheet?: number;
  /** Minutes east of UTC of every date. (Default: 0) */
  utcOffsetMinutes?: number;
  /** Deflate level for exceljs. (Default: 1, as the xlsx writer's default) */
  compressionLevel?: number;
}

/**
 * Writes `batches` with exceljs's streaming WorkbookWriter (inline strings,
 * styles, each row committed), yielding to the event loop every 100 rows so
 * its zip stream can drain. Returns the number of rows.
 */
export async function writeWithExcelJs(
  file: string,
  batches: RowBatches,
  options: BaselineOptions,
): Promise<number> {
  const { columns, maxRowsPerSheet = 1_048_575, utcOffsetMinutes = 0, compressionLevel = 1 } = options;
  // Loaded here so that processes not running this baseline do not carry it.
  const { default: excelJs } = await import('exceljs');
  const output = createWriteStream(file);
  const workbook = new excelJs.stream.xlsx.WorkbookWriter({
    stream: output,
    useSharedStrings: false,
    useStyles: true,
    zip: { zlib: { level: compressionLevel } },
  });
  const isDate = columns.map((column) => column.type === 'date');
  const addSheet = (number: number): ExcelJS.Worksheet => {
    const name = number === 1 ? options.sheetName : `${options.sheetName} (${number})`;
    const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((column, i) => ({
      header: column.header,
      key: String(i),
      width: column.width,
      style: isDate[i] ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {},
    }));
    sheet.getRow(1).font = { bold: true };
    return sheet;
  };
  let sheets = 1;
  let sheet = addSheet(sheets);
  let sheetRows = 0;
  let rows = 0;
  for await (const batch of batches) {
    for (const row of batch) {
      if (sheetRows === maxRowsPerSheet) {
        sheet.commit();
        sheet = addSheet(++sheets);
        sheetRows = 0;
      }
      const values = row.map((value, i) =>
        isDate[i] && typeof value === 'number' ? new Date(value + utcOffsetMinutes * 60_000) : value,
      );
      sheet.addRow(values).commit();
      sheetRows++;
      if (++rows % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  sheet.commit();
  await workbook.commit();
  await finished(output);
  return rows;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Writes `batches` as CSV (dates as `yyyy-mm-dd hh:mm:ss`), honouring the file stream's backpressure. */
export async function writeCsv(file: string, batches: RowBatches, options: BaselineOptions): Promise<number> {
  const { columns, utcOffsetMinutes = 0 } = options;
  const isDate = columns.map((column) => column.type === 'date');
  const output = createWriteStream(file);
  let chunk = columns.map((column) => csvField(column.header)).join(',') + '\n';
  let rows = 0;
  for await (const batch of batches) {
    for (const row of batch) {
      let line = '';
      for (let i = 0; i < columns.length; i++) {
        const value = row[i];
        if (i > 0) line += ',';
        if (value === null || value === undefined) continue;
        if (typeof value === 'string') line += csvField(value);
        else if (isDate[i])
          line += new Date(value + utcOffsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
        else line += String(value);
      }
      chunk += line + '\n';
      rows++;
      if (chunk.length >= 64 * 1024) {
        const more = output.write(chunk);
        chunk = '';
        if (!more) await once(output, 'drain');
      }
    }
  }
  output.end(chunk);
  await finished(output);
  return rows;
}
