/** `npm run bench [-- NAME [ARGS…]]`: runs one benchmark, or all of them in turn. */
import { spawnSync } from 'node:child_process';

const benchmarks = ['demo-data', 'xlsx-writer', 'export', 'report-data', 'fleet', 'scan'];
const [name, ...args] = process.argv.slice(2);
for (const bench of name ? [name] : benchmarks) {
  if (!benchmarks.includes(bench))
    throw new Error(`unknown benchmark "${bench}"; known: ${benchmarks.join(', ')}`);
  console.log(`== ${bench}`);
  const result = spawnSync(process.execPath, [`bench/${bench}.ts`, ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
