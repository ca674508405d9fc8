/**
 * `npm run bench -- scan [FILES]`: virus-scans a temporary tree of FILES files
 * (default 10,000: 1–64 KiB each, one in a thousand of 2–8 MiB, five EICAR
 * copies) with each engine, after the baseline: reading and hashing every file
 * (md5, sha1, sha256 in one pass, as the built-in engine does a candidate) in
 * this process. The files stay in the page cache from writing them, so every
 * case reads from memory. No CPU budget (1): the figures are full speed.
 * clamscan and clamd load only the bundled signature (no official database
 * here), so their start-up is far shorter than in production. The last row,
 * ClamAV's own `clamdscan --multiscan` over the same clamd, is the reference
 * for the clamd engine.
 */
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_SCAN_LIMITS, type ScanLimits } from '../src/domain/virus-scan.ts';
import { makeBuiltinEngine } from '../src/scanning/malware/builtin-engine.ts';
import { startClamd } from '../src/scanning/malware/clamd-daemon.ts';
import { makeClamdEngine } from '../src/scanning/malware/clamd-engine.ts';
import { makeClamscanEngine } from '../src/scanning/malware/clamscan-engine.ts';
import type { MalwareEngine, ScanFile } from '../src/scanning/malware/engines.ts';
import { hashFile } from '../src/scanning/malware/file-hashes.ts';
import { runVirusScan } from '../src/scanning/malware/scan.ts';
import { BUNDLED_SIGNATURE_DIR } from '../src/scanning/malware/signatures.ts';
import { eicarBytes } from '../test/support/eicar.ts';

const FILES = Number(process.argv[2] ?? 10_000);
const EICAR_COPIES = 5;
const LIMITS: ScanLimits = { ...DEFAULT_SCAN_LIMITS, cpuBudget: 1 };
const KiB = 1024;
const MiB = 1024 * KiB;

interface CaseResult {
  files: number;
  bytes: number;
  seconds: number;
  detections: number;
}

/** Writes the tree: files spread over 100 directories. */
async function writeTree(root: string): Promise<ScanFile[]> {
  const files: ScanFile[] = [];
  const pool = randomBytes(8 * MiB);
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, `d${i % 100}`);
    if (i < 100) await mkdir(dir);
    const path = join(dir, `f${i}.bin`);
    const data =
      i < EICAR_COPIES
        ? eicarBytes()
        : i % 1000 === 999
          ? pool.subarray(0, (2 + (i % 7)) * MiB)
          : pool.subarray(i % 4096, (i % 4096) + KiB + ((i * 7919) % (63 * KiB)));
    await writeFile(path, data);
    files.push({ path, size: data.length });
  }
  return files;
}

async function baseline(files: readonly ScanFile[]): Promise<CaseResult> {
  const started = performance.now();
  for (const file of files) await hashFile(file.path);
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  return { files: files.length, bytes, seconds: (performance.now() - started) / 1000, detections: 0 };
}

async function scanWith(root: string, engine: MalwareEngine): Promise<CaseResult> {
  const started = performance.now();
  const report = await runVirusScan({ roots: [root], limits: LIMITS, engines: [engine] });
  const seconds = (performance.now() - started) / 1000;
  return {
    files: report.scannedFiles,
    bytes: report.scannedBytes,
    seconds,
    detections: report.detections.length,
  };
}

/** The reference for the clamd engine: ClamAV's own client over the same daemon (no walk of ours). */
async function clamdscanMultiscan(
  root: string,
  socketPath: string,
  files: readonly ScanFile[],
): Promise<CaseResult> {
  const config = join(dirname(socketPath), 'clamdscan.conf');
  await writeFile(config, `LocalSocket ${socketPath}\n`);
  const started = performance.now();
  // Exit status 1 means "virus found", which the tree has.
  const run = spawnSync(
    'clamdscan',
    ['--multiscan', '--infected', '--no-summary', `--config-file=${config}`, root],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0 && run.status !== 1) throw new Error(`clamdscan failed: ${run.stderr}`);
  const seconds = (performance.now() - started) / 1000;
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  const detections = run.stdout.split('\n').filter((line) => line.endsWith(' FOUND')).length;
  return { files: files.length, bytes, seconds, detections };
}

const dir = await mkdtemp(join(tmpdir(), 'parapet-bench-scan-'));
try {
  const root = join(dir, 'tree');
  await mkdir(root);
  const written = performance.now();
  const files = await writeTree(root);
  const totalMiB = files.reduce((sum, file) => sum + file.size, 0) / MiB;
  console.log(
    `  (wrote ${files.length} files, ${totalMiB.toFixed(0)} MiB, in ${((performance.now() - written) / 1000).toFixed(1)} s)`,
  );
  const everySize = join(dir, 'any-size');
  await mkdir(everySize);
  const never = createHash('sha256').update('matches nothing').digest('hex');
  await writeFile(join(everySize, 'any.hsb'), `${never}:*:Never.Matches:73\n`);

  const results = new Map<string, CaseResult>();
  results.set('baseline (hash all)', await baseline(files));
  results.set('builtin', await scanWith(root, await makeBuiltinEngine()));
  results.set(
    'builtin, * signature',
    await scanWith(root, await makeBuiltinEngine({ signatureDir: everySize })),
  );
  results.set(
    'clamscan',
    await scanWith(root, makeClamscanEngine({ signatureDirs: [BUNDLED_SIGNATURE_DIR] })),
  );
  // A fresh clamd per case: clamd caches the verdicts of files it has seen.
  const withClamd = async (name: string, run: (socketPath: string) => Promise<CaseResult>) => {
    const clamdDir = join(dir, `clamd-${results.size}`);
    await mkdir(clamdDir);
    const clamd = await startClamd({ dir: clamdDir, databaseDir: BUNDLED_SIGNATURE_DIR }).catch(
      (error: Error) => void console.log(`  (${name} skipped: ${error.message})`),
    );
    if (!clamd) return;
    try {
      results.set(name, await run(clamd.socketPath));
    } finally {
      await clamd.stop();
    }
  };
  await withClamd('clamd', (socketPath) =>
    scanWith(root, makeClamdEngine({ socketPath, maxFileBytes: LIMITS.maxFileBytes })),
  );
  await withClamd('clamdscan --multiscan', (socketPath) => clamdscanMultiscan(root, socketPath, files));

  const base = results.get('baseline (hash all)');
  console.log('case                   files   MiB     wall s   files/s    MB/s   × baseline  detections');
  for (const [name, result] of results) {
    const mbPerSecond = result.bytes / 1e6 / result.seconds;
    // Throughput relative to the baseline's: above 1 is faster than reading and hashing everything.
    const ratio = base ? base.seconds / result.seconds : 1;
    console.log(
      `${name.padEnd(22)} ${String(result.files).padStart(6)} ${(result.bytes / MiB).toFixed(0).padStart(5)}  ` +
        `${result.seconds.toFixed(2).padStart(8)}  ${String(Math.round(result.files / result.seconds)).padStart(8)} ` +
        `${mbPerSecond.toFixed(0).padStart(7)}  ${ratio.toFixed(2).padStart(10)}  ${String(result.detections).padStart(10)}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
