/**
 * Chaos helpers: run the `latentwatch` command from source in a child process (one process, so a
 * kill -9 hits the engine itself), kill it at a chosen moment, and check the library afterwards:
 * PRAGMA integrity_check, then a fresh start (createAppCore) must show a consistent state.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createAppCore } from '../../src/core/app/create-app.js';
import { workerEntryBeside } from '../../src/core/jobs/worker-host.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliEntry = join(root, 'src', 'cli', 'index.ts');

/** `latentwatch ARGS` from source, as one process. */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', cliEntry, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Wait for a child to end; resolves to its exit code or signal. */
export const ended = (p: ChildProcess): Promise<string> =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve(String(p.exitCode ?? p.signalCode))
    : new Promise((r) => p.once('exit', (code, sig) => r(String(code ?? sig))));

/** Run to the end, collecting stdout. */
export async function cliOk(args: string[]): Promise<string> {
  const p = cli(args);
  let out = '';
  let err = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const code = await ended(p);
  if (code !== '0') throw new Error(`latentwatch ${args.join(' ')} exited ${code}: ${err.slice(-800)}`);
  return out;
}

/**
 * Start `args`, kill -9 it `ms` after it started (or, with `after`, `ms` after its output first
 * matched `after`: the work itself, past the start-up), or nothing if it ended first. Resolves to how it ended.
 */
export async function killAfter(args: string[], ms: number, after?: RegExp): Promise<string> {
  const p = cli(args);
  p.stdout!.resume();
  let timer: NodeJS.Timeout | null = null;
  const arm = () => (timer ??= setTimeout(() => p.kill('SIGKILL'), ms));
  if (!after) arm();
  else {
    let seen = '';
    p.stderr!.on('data', (d: Buffer) => {
      seen = (seen + d.toString()).slice(-4000);
      if (after.test(seen)) arm();
    });
  }
  const how = await ended(p);
  if (timer) clearTimeout(timer);
  return how;
}

/** `latentwatch serve` in a child; resolves once it printed its URL. */
export async function startServe(args: string[]): Promise<{ proc: ChildProcess; port: number; token: string }> {
  const proc = cli(['serve', '--port', '0', ...args]);
  proc.stderr!.resume();
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Open: http:\/\/127\.0\.0\.1:(\d+)\/\?token=([^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), token: decodeURIComponent(m[2]!) });
      }
    });
    proc.once('exit', (c) => (clearTimeout(timer), reject(new Error(`serve exited ${c}: ${out}`))));
  });
}

/** Rows in every table: a fingerprint of what a fuzz may not change. */
export function rowCounts(dbPath: string): Record<string, number> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>).map((t) => t.name);
    return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
  } finally {
    db.close();
  }
}

/**
 * The library after a kill: integrity_check must say ok, and the next start must show nothing half-done:
 * no video importing, no model training, no job queued or running, every ready video's frames all there.
 * Returns the problems found (empty when consistent) and what the start reported.
 */
export async function checkAfterKill(dbPath: string): Promise<{ problems: string[]; report: string[] }> {
  const problems: string[] = [];
  if (existsSync(dbPath)) {
    // Killed before it opened the library: there is nothing to check yet.
    const raw = new Database(dbPath, { fileMustExist: true });
    try {
      const ic = raw.pragma('integrity_check', { simple: true });
      if (ic !== 'ok') problems.push(`integrity_check: ${String(ic)}`);
    } finally {
      raw.close();
    }
  }
  const core = createAppCore({ dbPath, mode: 'browser', worker: workerEntryBeside(import.meta.url) });
  try {
    for (const v of await core.api.listVideos()) {
      if (v.status !== 'ready') problems.push(`video ${v.id} is ${v.status} after a restart`);
      const n = core.store.db.prepare('SELECT count(*) AS n, coalesce(max(idx) + 1, 0) AS m FROM frames WHERE video_id = ?').get(v.id) as { n: number; m: number };
      const c = core.store.db.prepare('SELECT coalesce(sum(frame_count), 0) AS n FROM clips WHERE video_id = ?').get(v.id) as { n: number };
      if (n.n !== v.frameCount || n.m !== v.frameCount || c.n !== v.frameCount) problems.push(`video ${v.id}: ${v.frameCount} frames recorded, ${n.n} rows, ${c.n} in clips`);
    }
    for (const m of await core.api.listModels()) if (m.status !== 'ready') problems.push(`model ${m.id} is ${m.status} after a restart`);
    const partial = core.store.db
      .prepare(`SELECT s.model_id AS m, s.video_id AS v, count(*) AS n, max(vid.frame_count) AS f FROM scores s JOIN videos vid ON vid.id = s.video_id GROUP BY s.model_id, s.video_id HAVING n <> f`)
      .all() as Array<{ m: number; v: number; n: number; f: number }>;
    for (const p of partial) problems.push(`model ${p.m} has ${p.n} of ${p.f} scores of video ${p.v} after a restart`);
    for (const j of await core.api.listJobs()) {
      if (j.state === 'queued' || j.state === 'running') problems.push(`job ${j.title} is ${j.state} after a restart`);
      if (j.state === 'failed' && !j.error?.message) problems.push(`job ${j.title} failed without a reason`);
    }
    return { problems, report: core.recoveryReport };
  } finally {
    core.close();
  }
}
