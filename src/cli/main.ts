/**
 * `latentwatch`: the engine from a terminal.
 *   latentwatch ingest FILE [--db PATH] [--fps N] [--size N] [--json]
 *   latentwatch serve [--db PATH] [--port N] [--import FILE]
 *   latentwatch demo [--out FILE] [--seconds N]
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createAppCore } from '../core/app/create-app.js';
import { writeDemoClip } from '../core/demo/demo-scene.js';
import { workerEntryBeside } from '../core/jobs/worker-host.js';
import { mediaTools } from '../core/media/ffmpeg-locate.js';
import { ingestVideo } from '../core/media/ingest.js';
import { defaultDbPath, packageRoot } from '../core/paths.js';
import { Store } from '../core/store/store.js';
import { APP_VERSION } from '../core/version.js';
import { startServer } from '../server/index.js';
import type { JobProgress } from '../shared/domain.js';
import { MAX_FRAME_SIZE, MAX_SAMPLE_FPS, MIN_FRAME_SIZE } from '../shared/domain.js';

const USAGE = `LatentWatch ${APP_VERSION}: change detection for camera footage

Usage:
  latentwatch ingest FILE [--db PATH] [--fps N] [--size N] [--json]
      Decode FILE to SIZExSIZE RGB frames (default 64; every frame, or N a second) into the library.
  latentwatch serve [--db PATH] [--port N] [--import FILE]
      Start browser mode on 127.0.0.1 and print the URL (with its token) to open.
  latentwatch demo [--out FILE] [--seconds N]
      Write the built-in demo footage (default resources/demo/demo.mp4).
  latentwatch info [--json]
      Show the version, the ffmpeg in use and where the library is.

The library defaults to ${defaultDbPath()} (set LATENTWATCH_DB or --db to change it).`;

class UsageError extends Error {
  override name = 'UsageError';
}

const num = (name: string, v: string | undefined, schema: z.ZodNumber): number | undefined => {
  if (v === undefined) return undefined;
  const r = schema.safeParse(Number(v));
  if (!r.success) throw new UsageError(`--${name} ${v}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
};

const fmtTime = (sec: number | null): string => {
  if (sec === null || !Number.isFinite(sec)) return '--:--';
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

function progressPrinter(quiet: boolean): (p: JobProgress) => void {
  let lastLine = 0;
  const tty = process.stderr.isTTY;
  return (p) => {
    if (quiet) return;
    const now = Date.now();
    if (!tty && now - lastLine < 2000 && p.fraction !== 1) return;
    lastLine = now;
    const pct = p.fraction !== null ? `${(p.fraction * 100).toFixed(0).padStart(3)}%` : '   ?';
    const line = `${p.stage}: ${pct} ${p.done}${p.total ? `/${p.total}` : ''} frames, ${p.rate.toFixed(0)} frames/s, ETA ${fmtTime(p.etaSec)}`;
    process.stderr.write(tty ? `\r${line.padEnd(79)}` : `${line}\n`);
  };
}

async function cmdIngest(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { db: { type: 'string' }, fps: { type: 'string' }, size: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('ingest takes exactly one FILE');
  const fps = num('fps', values.fps, z.number().positive().max(MAX_SAMPLE_FPS));
  const size = num('size', values.size, z.number().int().min(MIN_FRAME_SIZE).max(MAX_FRAME_SIZE));
  const dbPath = resolve(values.db ?? defaultDbPath());
  const store = new Store(dbPath);
  store.recoverInterrupted();
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  const t0 = performance.now();
  try {
    const r = await ingestVideo(store, positionals[0]!, { ...(fps ? { fps } : {}), ...(size ? { size } : {}) }, { signal: ac.signal, onProgress: progressPrinter(!!values.json) });
    const secs = (performance.now() - t0) / 1000;
    const v = store.getVideo(r.videoId);
    if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
    if (values.json) console.log(JSON.stringify({ ...v, seconds: secs, framesPerSec: r.frameCount / secs, db: dbPath }));
    else
      console.log(
        `Imported ${v.name} as video ${v.id}: ${v.frameCount} frames at ${v.frameSize}x${v.frameSize}, ${v.sampledFps.toFixed(2)} fps ` +
          `(source ${v.width}x${v.height} ${v.codec}, ${v.durationSec.toFixed(1)} s) in ${secs.toFixed(1)} s (${(r.frameCount / secs).toFixed(0)} frames/s) -> ${dbPath}`,
      );
    return 0;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
    store.close();
  }
}

async function cmdServe(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, port: { type: 'string' }, import: { type: 'string', multiple: true } } });
  const port = num('port', values.port, z.number().int().min(0).max(65535)) ?? 0;
  const dbPath = resolve(values.db ?? defaultDbPath());
  const root = packageRoot(import.meta.url);
  const core = createAppCore({ dbPath, mode: 'browser', worker: workerEntryBeside(import.meta.url) });
  if (core.recovered) console.log(`Removed ${core.recovered} half-imported video(s) left by an interrupted run.`);
  const server = await startServer({ core, staticDir: join(root, 'out', 'renderer'), uploadDir: join(core.dataDir, 'uploads'), port });
  for (const f of values.import ?? []) {
    const abs = resolve(f);
    if (core.store.listVideos().some((v) => v.path === abs && v.status === 'ready')) continue;
    await core.api.importVideo(abs);
  }
  console.log(`LatentWatch (browser mode) is serving ${dbPath}`);
  console.log(`Open: ${server.openUrl}`);
  const stop = () => {
    console.log('Stopping.');
    void server.close().then(() => {
      core.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}

async function cmdDemo(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, seconds: { type: 'string' } } });
  const seconds = num('seconds', values.seconds, z.number().positive().max(3600)) ?? 60;
  const out = resolve(values.out ?? join(packageRoot(import.meta.url), 'resources', 'demo', 'demo.mp4'));
  const r = await writeDemoClip(out, { seconds });
  console.log(`Wrote ${out} (${r.frames} frames)`);
  return 0;
}

async function cmdInfo(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, db: { type: 'string' } } });
  let ffmpeg: { path: string; source: string; ffprobe: string; version: string } | null = null;
  let ffmpegError: string | null = null;
  try {
    const t = mediaTools();
    ffmpeg = { path: t.ffmpeg.path, source: t.ffmpeg.source, ffprobe: t.ffprobe.path, version: t.version };
  } catch (e) {
    ffmpegError = (e as Error).message;
  }
  const info = { version: APP_VERSION, node: process.version, db: resolve(values.db ?? defaultDbPath()), ffmpeg, ffmpegError };
  if (values.json) console.log(JSON.stringify(info));
  else {
    console.log(`LatentWatch ${info.version} (Node ${info.node})`);
    console.log(`library: ${info.db}`);
    console.log(ffmpeg ? `ffmpeg:  ${ffmpeg.path} (${ffmpeg.source}): ${ffmpeg.version}\nffprobe: ${ffmpeg.ffprobe}` : `ffmpeg:  missing. ${ffmpegError}`);
  }
  return ffmpeg ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'ingest':
        return await cmdIngest(rest);
      case 'serve':
        return await cmdServe(rest);
      case 'demo':
        return await cmdDemo(rest);
      case 'info':
        return await cmdInfo(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return cmd === undefined ? 2 : 0;
      case '--version':
        console.log(APP_VERSION);
        return 0;
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    const err = e as Error;
    if (err.name === 'AbortError') {
      console.error('\nCanceled: nothing was kept.');
      return 130;
    }
    if (err.name === 'UsageError' || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`latentwatch: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`\nlatentwatch: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`);
    return 1;
  }
}

