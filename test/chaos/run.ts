/**
 * The chaos run (issue 12): kill -9 at random moments of ingest, training, scoring and a server's
 * import, each followed by integrity_check and a fresh start that must show a consistent state; then a
 * fuzz of browser mode's HTTP and WebSocket surface on 127.0.0.1 that counts server exits, 5xx and
 * changed rows. Bounded by counts and a time budget; everything counted is printed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaTools } from '../../src/core/media/ffmpeg-locate.js';
import { fuzz, rng, type FuzzCounts } from './fuzz.js';
import { checkAfterKill, cliOk, ended, killAfter, rowCounts, startServe } from './procs.js';

export interface ChaosOptions {
  seed: number;
  ingestKills: number;
  trainKills: number;
  scoreKills: number;
  serverKills: number;
  fuzzRequests: number;
  /** Stop starting new rounds after this many seconds. */
  budgetSec: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  kills: Record<string, { rounds: number; killed: number; finished: number }>;
  problems: string[];
  recoveryLines: number;
  fuzz: (FuzzCounts & { serverExits: number; changedRows: Record<string, [number, number]> }) | null;
  seconds: number;
}

function makeClip(path: string, seconds: number): void {
  const r = spawnSync(mediaTools().ffmpeg.path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=160x120:rate=25`, '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path]);
  if (r.status !== 0) throw new Error(`ffmpeg: ${String(r.stderr)}`);
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const t0 = performance.now();
  const log = o.log ?? (() => undefined);
  const left = () => o.budgetSec - (performance.now() - t0) / 1000;
  const r = rng(o.seed);
  const dir = mkdtempSync(join(tmpdir(), 'lw-chaos-'));
  const db = join(dir, 'lib.db');
  const clip = join(dir, 'clip.mp4');
  const report: ChaosReport = { seed: o.seed, kills: {}, problems: [], recoveryLines: 0, fuzz: null, seconds: 0 };
  try {
    makeClip(clip, 20);
    /** One kill: `ms` drawn in [minMs, maxMs], counted from the start or from the first output matching `after`. */
    const round = async (name: string, args: string[], minMs: number, maxMs: number, after?: RegExp) => {
      const k = (report.kills[name] ??= { rounds: 0, killed: 0, finished: 0 });
      const ms = Math.round(minMs + r() * (maxMs - minMs));
      const how = await killAfter(args, ms, after);
      k.rounds++;
      if (how === 'SIGKILL') k.killed++;
      else k.finished++;
      const { problems, report: lines } = await checkAfterKill(db);
      report.recoveryLines += lines.length;
      for (const p of problems) report.problems.push(`${name} killed at ${ms} ms: ${p}`);
      const at = `${ms} ms${after ? ` after "${after.source}"` : ''}`;
      log(`${name}: ${how === 'SIGKILL' ? `killed at ${at}` : `ended (${how}) before ${at}`}; ${problems.length ? problems.join('; ') : 'consistent'}${lines.length ? ` (start said: ${lines.join(' ')})` : ''}`);
    };
    for (let i = 0; i < o.ingestKills && left() > 0; i++) await round('ingest', ['ingest', clip, '--db', db, '--size', '32'], 0, 2500, i % 2 ? /probing|decoding/ : undefined);
    for (let i = 0; i < o.serverKills && left() > 0; i++) {
      const copy = join(dir, `served-${i}.mp4`); // a new path each round: serve skips a file already imported
      copyFileSync(clip, copy);
      await round('serve --import', ['serve', '--db', db, '--port', '0', '--import', copy], 3000, 20000);
    }

    if ((o.trainKills > 0 || o.scoreKills > 0) && left() > 30) {
      const out = await cliOk(['ingest', clip, '--db', db, '--size', '32', '--fps', '5', '--json']);
      const videoId = (JSON.parse(out.trim().split('\n').pop()!) as { id: number }).id;
      const train = ['train', '--db', db, '--video', String(videoId), '--epochs', '2', '--max-frames', '100'];
      for (let i = 0; i < o.trainKills && left() > 20; i++) await round('train', train, 0, 8000, /training|loading frames/);
      if (o.scoreKills > 0 && left() > 30) {
        const t = await cliOk([...train.slice(0, -4), '--epochs', '1', '--max-frames', '100', '--json']);
        const modelId = (JSON.parse(t.trim().split('\n').pop()!) as { modelId: number }).modelId;
        // Scoring is fast (about 1,700 frames/s): score every frame of the clip, killed within 600 ms of its start.
        const all = await cliOk(['ingest', clip, '--db', db, '--size', '32', '--json']);
        const allId = (JSON.parse(all.trim().split('\n').pop()!) as { id: number }).id;
        for (let i = 0; i < o.scoreKills && left() > 10; i++)
          await round('score', ['score', '--db', db, '--model', String(modelId), '--video', String(allId)], 0, 600, /scoring with model/);
      }
    }

    if (o.fuzzRequests > 0 && left() > 5) {
      const before = rowCounts(db);
      let serverExits = 0;
      let server = await startServe(['--db', db]);
      const ensureUp = async () => {
        if (server.proc.exitCode !== null || server.proc.signalCode !== null) {
          serverExits++;
          log(`fuzz: the server ended (${server.proc.exitCode ?? server.proc.signalCode}); restarting`);
          server = await startServe(['--db', db]);
        }
        return { port: server.port, token: server.token };
      };
      try {
        const counts = await fuzz(o.fuzzRequests, o.seed, ensureUp);
        await new Promise((res) => setTimeout(res, 300));
        await ensureUp();
        const after = rowCounts(db);
        const changedRows = Object.fromEntries(Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]).map((t) => [t, [before[t] ?? 0, after[t] ?? 0] as [number, number]]));
        report.fuzz = { ...counts, serverExits, changedRows };
        if (serverExits) report.problems.push(`fuzz: the server ended ${serverExits} time(s)`);
        if (counts.fiveXx) report.problems.push(`fuzz: ${counts.fiveXx} answers were 5xx (${counts.examples5xx.join('; ')})`);
        if (Object.keys(changedRows).length) report.problems.push(`fuzz: rows changed: ${JSON.stringify(changedRows)}`);
      } finally {
        server.proc.kill('SIGTERM');
        await ended(server.proc);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    report.seconds = (performance.now() - t0) / 1000;
  }
  return report;
}
