/**
 * `npm run test:chaos [-- --seed N --ingest N --train N --score N --server N --fuzz N --budget SEC]`:
 * kill -9 at random points of ingest, training, scoring and a server's import, then integrity_check and
 * a fresh start; then a fuzz of browser mode on 127.0.0.1. Prints counts; exits 1 on any problem.
 */
import { parseArgs } from 'node:util';
import { runChaos } from '../test/chaos/run.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' }, ingest: { type: 'string' }, train: { type: 'string' }, score: { type: 'string' },
    server: { type: 'string' }, fuzz: { type: 'string' }, budget: { type: 'string' },
  },
});
const int = (v: string | undefined, d: number) => (v === undefined ? d : Math.max(0, Math.floor(Number(v))) || 0);
const seed = int(values.seed, Math.floor(Math.random() * 1e9));
const report = await runChaos({
  seed,
  ingestKills: int(values.ingest, 8),
  trainKills: int(values.train, 4),
  scoreKills: int(values.score, 4),
  serverKills: int(values.server, 4),
  fuzzRequests: int(values.fuzz, 2000),
  budgetSec: int(values.budget, 600),
  log: (l) => console.log(l),
});
console.log('\nchaos summary');
console.log(`  seed ${report.seed}, ${report.seconds.toFixed(0)} s`);
for (const [k, v] of Object.entries(report.kills)) console.log(`  ${k}: ${v.rounds} rounds, ${v.killed} killed mid-way, ${v.finished} finished first`);
console.log(`  start-up recovery lines printed: ${report.recoveryLines}`);
if (report.fuzz) {
  const f = report.fuzz;
  console.log(`  fuzz: ${f.requests} requests, server exits ${f.serverExits}, 5xx ${f.fiveXx}, no answer ${f.noAnswer}, 'UI not built' 500s (not counted) ${f.notBuilt}, changed rows ${Object.keys(f.changedRows).length}`);
  console.log(`  fuzz statuses: ${Object.entries(f.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')}`);
}
console.log(report.problems.length ? `  PROBLEMS (${report.problems.length}):\n    ${report.problems.join('\n    ')}` : '  problems: 0');
process.exitCode = report.problems.length ? 1 : 0;
