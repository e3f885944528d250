/**
 * `latentwatch`: the engine from a terminal.
 *   latentwatch ingest FILE [--db PATH] [--fps N] [--size N] [--json]
 *   latentwatch serve [--db PATH] [--port N] [--import FILE]
 *   latentwatch demo [--out FILE] [--seconds N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../shared/envelope.js';
import { z } from 'zod';
import { modelBlobs, removeUnfinishedModels } from '../core/store/models.js';
import type { EvalReport } from '../core/engine/evaluate.js';
import { writeDemoClip } from '../core/demo/demo-scene.js';
import { workerEntryBeside } from '../core/jobs/worker-host.js';
import { mediaTools } from '../core/media/ffmpeg-locate.js';
import { ingestVideo } from '../core/media/ingest.js';
import { defaultDbPath, defaultDemoPath, packageRoot } from '../core/paths.js';
import { Store } from '../core/store/store.js';
import { APP_VERSION } from '../core/version.js';
import { type CropRect, type JobProgress, MODEL_KINDS, type ModelKind, type ScoreSeries, type TrainingBackend } from '../shared/domain.js';
import { MAX_CONDITION_FRAMES, MAX_FRAME_SIZE, MAX_MIXTURE_COMPONENTS, MAX_SAMPLE_FPS, MIN_FRAME_SIZE, TRAINING_BACKENDS } from '../shared/domain.js';
import { USAGE } from './usage.js';

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
    const unit = p.stage.startsWith('training') ? 'steps' : 'frames';
    const line = p.total === null && p.done === 0 ? `${p.stage}...` : `${p.stage}: ${pct} ${p.done}${p.total ? `/${p.total}` : ''} ${unit}, ${p.rate.toFixed(0)} frames/s, ETA ${fmtTime(p.etaSec)}`;
    process.stderr.write(tty ? `\r${line.padEnd(79)}` : `${line}\n`);
  };
}

async function cmdIngest(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { db: { type: 'string' }, fps: { type: 'string' }, size: { type: 'string' }, crop: { type: 'string' }, json: { type: 'boolean' }, 'drop-short': { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new UsageError('ingest takes exactly one FILE');
  let crop: CropRect | undefined;
  if (values.crop) {
    const m = /^(\d+),(\d+),(\d+),(\d+)$/.exec(values.crop);
    if (!m || Number(m[3]) < 2 || Number(m[4]) < 2) throw new UsageError(`--crop ${values.crop}: give X,Y,WIDTH,HEIGHT in source pixels, e.g. --crop 0,120,640,360`);
    crop = { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) };
  }
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
    const r = await ingestVideo(store, positionals[0]!, { ...(fps ? { fps } : {}), ...(size ? { size } : {}), ...(crop ? { crop } : {}) }, { signal: ac.signal, onProgress: progressPrinter(!!values.json) });
    const secs = (performance.now() - t0) / 1000;
    if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
    for (const note of r.notes ?? []) console.error(`Warning: ${note}`);
    if (r.endedEarly && values['drop-short']) {
      store.deleteVideo(r.videoId);
      console.error('Not kept (--drop-short): the file ended early.');
      return 3;
    }
    const v = store.getVideo(r.videoId);
    if (values.json) console.log(JSON.stringify({ ...v, seconds: secs, framesPerSec: r.frameCount / secs, db: dbPath, maxRssMb: maxRssMb() }));
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
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, port: { type: 'string' }, import: { type: 'string', multiple: true }, 'max-upload-mb': { type: 'string' } } });
  const port = num('port', values.port, z.number().int().min(0).max(65535)) ?? 0;
  const maxMb = num('max-upload-mb', values['max-upload-mb'] ?? process.env.LATENTWATCH_MAX_UPLOAD_MB, z.number().positive().max(1024 * 1024));
  const dbPath = resolve(values.db ?? defaultDbPath());
  const root = packageRoot(import.meta.url);
  // The engine (TensorFlow.js, ONNX Runtime, the server) loads only for the commands that use it.
  const [{ createAppCore }, { startServer }] = await Promise.all([import('../core/app/create-app.js'), import('../server/index.js')]);
  const core = createAppCore({ dbPath, mode: 'browser', worker: workerEntryBeside(import.meta.url) });
  for (const line of core.recoveryReport) console.log(line);
  const server = await startServer({ core, staticDir: join(root, 'out', 'renderer'), uploadDir: join(core.dataDir, 'uploads'), port, ...(maxMb ? { maxUploadBytes: Math.round(maxMb * 1024 * 1024) } : {}) });
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
  const out = resolve(values.out ?? defaultDemoPath(packageRoot(import.meta.url)));
  const r = await writeDemoClip(out, { seconds });
  console.log(`Wrote ${out} (${r.frames} frames)`);
  return 0;
}

/** A video given as an id in the library, or as a file (imported first unless already there). */
async function resolveVideo(store: Store, ref: string, quiet: boolean): Promise<number> {
  if (/^\d+$/.test(ref)) return store.getVideo(Number(ref)).id;
  const abs = resolve(ref);
  const existing = store.listVideos().find((v) => v.path === abs && v.status === 'ready');
  if (existing) return existing.id;
  if (!quiet) process.stderr.write(`Importing ${abs}\n`);
  return (await ingestVideo(store, abs, {}, { onProgress: progressPrinter(quiet) })).videoId;
}

function withSignal<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  return fn(ac.signal).finally(() => {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  });
}

function openStore(db: string | undefined): { store: Store; dbPath: string } {
  const dbPath = resolve(db ?? defaultDbPath());
  const store = new Store(dbPath);
  store.recoverInterrupted();
  removeUnfinishedModels(store);
  return { store, dbPath };
}

const posInt = z.number().int().positive();

const LIKELIHOODS = ['bernoulli', 'gaussian-fixed', 'gaussian-learned'] as const;
function parseLikelihood(v: string): (typeof LIKELIHOODS)[number] {
  if (!(LIKELIHOODS as readonly string[]).includes(v)) throw new UsageError(`--likelihood ${v}: choose one of ${LIKELIHOODS.join(', ')}`);
  return v as (typeof LIKELIHOODS)[number];
}

function parseKind(v: string | undefined): ModelKind | undefined {
  if (v === undefined) return undefined;
  if (!(MODEL_KINDS as readonly string[]).includes(v)) throw new UsageError(`--kind ${v}: choose one of ${MODEL_KINDS.join(', ')}`);
  return v as ModelKind;
}

async function cmdTrain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' }, video: { type: 'string' }, kind: { type: 'string' }, epochs: { type: 'string' }, backend: { type: 'string' }, workers: { type: 'string' },
      latent: { type: 'string' }, likelihood: { type: 'string' }, 'max-frames': { type: 'string' }, 'target-fpr': { type: 'string' }, 'batch-size': { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' },
      parent: { type: 'string' }, components: { type: 'string' }, 'condition-frames': { type: 'string' }, 'no-mask': { type: 'boolean' },
    },
  });
  if (!values.video) throw new UsageError('train needs --video ID|FILE');
  const kind = parseKind(values.kind);
  if (values.components !== undefined && kind !== 'gmvae') throw new UsageError("--components is for --kind gmvae (the mixture prior's K)");
  if (values['condition-frames'] !== undefined && kind !== 'cvae') throw new UsageError('--condition-frames is for --kind cvae (how many earlier frames each frame is predicted from)');
  const backend = values.backend;
  if (backend && !(TRAINING_BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend ${backend}: choose one of ${TRAINING_BACKENDS.join(', ')}`);
  const { store, dbPath } = openStore(values.db);
  try {
    const videoId = await resolveVideo(store, values.video, !!values.json);
    const { trainModel } = await import('../core/engine/train-model.js');
    const r = await withSignal((signal) =>
      trainModel(
        store,
        {
          videoId,
          ...(kind ? { kind } : {}),
          checkpointDir: join(dirname(dbPath), 'checkpoints'),
          epochs: num('epochs', values.epochs, posInt),
          latentDim: num('latent', values.latent, posInt),
          maxFrames: num('max-frames', values['max-frames'], posInt),
          targetFpr: num('target-fpr', values['target-fpr'], z.number().positive().max(0.5)),
          batchSize: num('batch-size', values['batch-size'], posInt),
          workers: num('workers', values.workers, z.number().int().min(1).max(64)),
          ...(values.likelihood ? { likelihood: parseLikelihood(values.likelihood) } : {}),
          seed: num('seed', values.seed, z.number().int().min(0)),
          parentModelId: num('parent', values.parent, posInt),
          mixtureComponents: num('components', values.components, z.number().int().min(1).max(MAX_MIXTURE_COMPONENTS)),
          conditionFrames: num('condition-frames', values['condition-frames'], z.number().int().min(1).max(MAX_CONDITION_FRAMES)),
          ...(values['no-mask'] ? { useIgnoreMask: false } : {}),
          ...(backend ? { backend: backend as TrainingBackend } : {}),
        },
        { signal, onProgress: progressPrinter(!!values.json) },
      ),
    );
    if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
    if (values.json) console.log(JSON.stringify(r));
    else
      console.log(
        `Model ${r.modelId}: trained on ${r.backend}${r.device ? ` (${r.device}${r.workers ? `, ${r.workers} thread${r.workers === 1 ? '' : 's'}` : ''})` : ''} in ${r.trainSeconds.toFixed(1)} s (${r.trainFramesPerSec.toFixed(1)} frames/s, ${r.epochs} epochs, best ${r.bestEpoch + 1}); alarm threshold ${r.threshold.toFixed(2)}`,
      );
    return 0;
  } finally {
    store.close();
  }
}

/** X,Y,W,H in normalized 0..1 frame coordinates. */
function parseRect(v: string): { x: number; y: number; width: number; height: number } {
  const parts = v.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) throw new UsageError(`--rect ${v}: give X,Y,W,H as four numbers in 0..1, e.g. 0,0,0.3,0.1`);
  const [x, y, width, height] = parts as [number, number, number, number];
  return { x, y, width, height };
}

async function cmdMask(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, video: { type: 'string' }, rect: { type: 'string', multiple: true }, clear: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const videoId = num('video', values.video, posInt);
  if (!videoId) throw new UsageError('mask needs --video ID');
  if (values.clear && values.rect?.length) throw new UsageError('give either --rect or --clear, not both');
  const { store } = openStore(values.db);
  try {
    const masks = await import('../core/store/ignore-masks.js');
    const { ignoredFraction } = await import('../shared/ignore-mask.js');
    const m = values.clear ? masks.setIgnoreMask(store, videoId, { rects: [] }) : values.rect?.length ? masks.setIgnoreMask(store, videoId, { rects: values.rect.map(parseRect) }) : masks.getIgnoreMask(store, videoId);
    const size = store.getVideo(videoId).frameSize;
    if (values.json) console.log(JSON.stringify({ videoId, ...m, ignoredFraction: ignoredFraction(m, size) }));
    else if (m.rects.length === 0) console.log(`Video ${videoId}: no ignore mask.`);
    else {
      console.log(`Video ${videoId}: ${m.rects.length} ignored region(s), ${(100 * ignoredFraction(m, size)).toFixed(1)}% of its ${size}x${size} frames:`);
      for (const r of m.rects) console.log(`  x ${r.x} y ${r.y} width ${r.width} height ${r.height}`);
    }
    return 0;
  } finally {
    store.close();
  }
}

async function cmdScore(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, model: { type: 'string' }, video: { type: 'string' }, adaptive: { type: 'string' }, window: { type: 'string' }, json: { type: 'boolean' } } });
  const modelId = num('model', values.model, posInt);
  if (!modelId || !values.video) throw new UsageError('score needs --model ID and --video ID|FILE');
  if (values.adaptive !== undefined && !['on', 'off'].includes(values.adaptive)) throw new UsageError('--adaptive takes on or off');
  const windowSec = num('window', values.window, z.number().min(10).max(86_400));
  const { store } = openStore(values.db);
  try {
    const videoId = await resolveVideo(store, values.video, !!values.json);
    const { scoreVideo } = await import('../core/engine/score-video.js');
    if (values.adaptive !== undefined || windowSec !== undefined) {
      const { getAdaptiveBaseline, setAdaptiveBaseline } = await import('../core/scoring/adaptive.js');
      const was = getAdaptiveBaseline(store, videoId);
      setAdaptiveBaseline(store, videoId, { on: values.adaptive ? values.adaptive === 'on' : was.on, windowSec: windowSec ?? was.windowSec });
    }
    const r = await withSignal((signal) => scoreVideo(store, modelId, videoId, { signal, onProgress: progressPrinter(!!values.json) }));
    if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
    if (values.json) console.log(JSON.stringify({ ...r, maxRssMb: maxRssMb() }));
    else console.log(`Scored ${r.frames} frames of video ${videoId} with model ${modelId} in ${r.seconds.toFixed(1)} s (${r.framesPerSec.toFixed(0)} frames/s): ${r.events} event(s).`);
    return 0;
  } finally {
    store.close();
  }
}

async function cmdEvents(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, model: { type: 'string' }, video: { type: 'string' }, json: { type: 'boolean' } } });
  const modelId = num('model', values.model, posInt);
  const videoId = num('video', values.video, posInt);
  if (!modelId || !videoId) throw new UsageError('events needs --model ID and --video ID');
  const { store } = openStore(values.db);
  try {
    const { changeEvents } = await import('../core/app/queries.js');
    const events = changeEvents(store, modelId, videoId);
    if (values.json) console.log(JSON.stringify(events));
    else if (events.length === 0) console.log('No events.');
    else for (const e of events) console.log(`${fmtClock(e.startSec)}-${fmtClock(e.endSec)}  frames ${e.startIdx}-${e.endIdx}  peak ${e.peakScore.toFixed(2)} at frame ${e.peakIdx}`);
    return 0;
  } finally {
    store.close();
  }
}

async function cmdExport(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, model: { type: 'string' }, format: { type: 'string' }, video: { type: 'string' }, out: { type: 'string' } } });
  const modelId = num('model', values.model, posInt);
  if (!modelId) throw new UsageError('export needs --model ID');
  const format = values.format ?? 'onnx';
  if (!['onnx', 'csv', 'json'].includes(format)) throw new UsageError(`--format ${format}: choose onnx, csv or json`);
  const { store } = openStore(values.db);
  try {
    let body: Uint8Array | string;
    if (format === 'onnx') body = modelBlobs(store, modelId).onnx;
    else {
      const videoId = num('video', values.video, posInt);
      if (!videoId) throw new UsageError(`--format ${format} needs --video ID (the video whose scores to export)`);
      const { changeEvents, scoreSeries } = await import('../core/app/queries.js');
      const scores = scoreSeries(store, modelId, videoId);
      const events = changeEvents(store, modelId, videoId);
      body = format === 'json' ? JSON.stringify({ scores, events }) : scoresCsv(scores);
    }
    if (values.out) {
      const { writeFileAtomic } = await import('../core/ml/vae/checkpoint.js');
      await writeFileAtomic(resolve(values.out), typeof body === 'string' ? Buffer.from(body) : body);
      console.error(`Wrote ${resolve(values.out)}`);
    } else if (typeof body === 'string') process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
    else throw new UsageError('an ONNX model is binary: give --out FILE');
    return 0;
  } finally {
    store.close();
  }
}

function scoresCsv(s: ScoreSeries): string {
  const cols = ['combined', 'recon', 'patch', 'kl', 'elbo', 'temporal', 'stillness', 'sharpness'] as const;
  const lines = [`frame,pts_sec,${cols.join(',')}`];
  for (let i = 0; i < s.index.length; i++) lines.push([s.index[i], s.ptsSec[i]!.toFixed(6), ...cols.map((c) => s[c][i]!.toPrecision(7))].join(','));
  return lines.join('\n') + '\n';
}

/** Peak resident memory of this process so far, in MiB. */
const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;

const fmtClock = (sec: number): string => {
  const ms = Math.round(sec * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s2 = (ms % 60_000) / 1000;
  return `${h ? `${h}:` : ''}${String(m).padStart(h ? 2 : 1, '0')}:${s2.toFixed(1).padStart(4, '0')}`;
};

const readText = (path: string, what: string): Promise<string> =>
  readFile(resolve(path), 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new AppError('NotFoundError', `Cannot read the ${what} ${path}: ${e.code ?? e.message}`);
  });

async function cmdEval(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      train: { type: 'string' }, test: { type: 'string', multiple: true }, truth: { type: 'string', multiple: true }, clips: { type: 'string', multiple: true },
      'train-clips': { type: 'string' }, kind: { type: 'string' }, epochs: { type: 'string' }, 'max-frames': { type: 'string' }, iw: { type: 'string' },
      backend: { type: 'string' }, seed: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const testPaths = values.test ?? [];
  const truthPaths = values.truth ?? [];
  const clipPaths = values.clips ?? [];
  if (!values.train || !testPaths.length || !truthPaths.length) throw new UsageError('eval needs --train TRAIN.mp4 --test TEST.mp4 --truth truth.csv');
  if (truthPaths.length !== testPaths.length) throw new UsageError(`eval: ${testPaths.length} --test but ${truthPaths.length} --truth: give one truth file per test video, in the same order`);
  if (clipPaths.length && clipPaths.length !== testPaths.length)
    throw new UsageError(`eval: ${testPaths.length} --test but ${clipPaths.length} --clips: give one clips.csv per test video, in the same order, or none`);
  const kind = parseKind(values.kind);
  const backend = values.backend;
  if (backend && !(TRAINING_BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend ${backend}: choose one of ${TRAINING_BACKENDS.join(', ')}`);
  const tmp = values.db ? null : mkdtempSync(join(tmpdir(), 'latentwatch-eval-'));
  const dbPath = resolve(values.db ?? join(tmp!, 'eval.db'));
  const store = new Store(dbPath);
  try {
    const tests = await Promise.all(
      testPaths.map(async (path, i) => ({
        path,
        truthCsv: await readText(truthPaths[i]!, 'truth file'),
        ...(clipPaths[i] ? { clipsCsv: await readText(clipPaths[i], 'clips file') } : {}),
      })),
    );
    const trainClipsCsv = values['train-clips'] ? await readText(values['train-clips'], 'training clips file') : undefined;
    const { evaluate } = await import('../core/engine/evaluate.js');
    const report = await withSignal((signal) =>
      evaluate(
        store,
        {
          trainPath: values.train!,
          ...(trainClipsCsv !== undefined ? { trainClipsCsv } : {}),
          tests,
          ...(values.iw ? { iwSamples: num('iw', values.iw, posInt) } : {}),
          train: {
            ...(kind ? { kind } : {}),
            checkpointDir: join(dirname(dbPath), 'checkpoints'),
            epochs: num('epochs', values.epochs, posInt),
            maxFrames: num('max-frames', values['max-frames'], posInt),
            seed: num('seed', values.seed, z.number().int().min(0)),
            ...(backend ? { backend: backend as TrainingBackend } : {}),
          },
        },
        { signal, onProgress: progressPrinter(!!values.json) },
      ),
    );
    if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
    if (values.json) {
      const { auc, baselines, threshold, eventRecall, falsePositiveRate, backend: b, trainSeconds, ...rest } = report;
      console.log(JSON.stringify({ auc, baselines, threshold, eventRecall, falsePositiveRate, backend: b, trainSeconds, ...rest }));
    } else printEval(report);
    return 0;
  } finally {
    store.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

const f3 = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(3));

function printEval(r: EvalReport): void {
  const kinds = Object.keys(r.auc);
  const row = (name: string, a: Record<string, number>) => `${name.padEnd(12)}${kinds.map((k) => f3(a[k]).padStart(13)).join('')}`;
  const table = (title: string, auc: Record<string, number>, baselines: EvalReport['baselines'], components: Record<string, Record<string, number>>) => {
    console.log(title);
    console.log(`${'AUC'.padEnd(12)}${kinds.map((k) => k.padStart(13)).join('')}`);
    console.log(row(r.kind, auc));
    for (const [b, a] of Object.entries(baselines)) console.log(row(`ref-${b}`, a));
    for (const [c, a] of Object.entries(components)) console.log(row(`  ${c}`, a));
  };
  table('Deployable: scores as stored, all test frames pooled', r.auc, r.baselines, r.components);
  console.log('');
  if (r.clips.length > 1) {
    table(`Per-clip protocol (scores min-max scaled within each of the ${r.clips.length} clips, then pooled): comparison with published numbers only`, r.perClip.auc, r.perClip.baselines, r.perClip.components);
    console.log('');
  }
  const d = r.detection;
  console.log(
    `threshold ${r.threshold.toFixed(3)} (from TRAIN): false-positive rate ${d.falsePositiveRate.toFixed(4)}, frame recall ${r.frameRecall.toFixed(3)}, frames over it in an event ${r.eventRecall.toFixed(3)}`,
  );
  console.log(
    `stored events: ${d.detectedEvents} detected; event recall ${f3(d.eventRecall)} (${d.eventsFound}/${d.truthEvents}), anomalous clips found ${d.clipsFound}/${d.anomalousClips}; ` +
      `${d.falseAlarms} false alarms in ${(d.normalHours * 60).toFixed(1)} min of normal footage = ${d.falseAlarmsPerHour.toFixed(1)} per hour`,
  );
  if (r.clips.length > 1) {
    console.log(`${'clip'.padEnd(14)}${['frames', 'anomalous', 'AUC in clip', 'FPR', 'events found', 'clip found', 'detected', 'false alarms', 'FA/hour'].map((h) => h.padStart(13)).join('')}`);
    for (const c of d.clips)
      console.log(
        `${c.clip.padEnd(14)}${[
          String(c.frames), String(c.anomalousFrames), f3(c.auc), c.falsePositiveRate.toFixed(4), `${c.eventsFound}/${c.truthEvents}`,
          c.found === null ? '-' : c.found ? 'yes' : 'NO', String(c.detectedEvents), String(c.falseAlarms), c.falseAlarmsPerHour.toFixed(1),
        ].map((v) => v.padStart(13)).join('')}`,
      );
  }
  if (r.iw)
    console.log(
      `importance-weighted log p(x), K = ${r.iw.samples}, mean over normal test frames: ELBO ${r.iw.meanElbo.toFixed(1)} ≤ L_K ${r.iw.meanBound.toFixed(1)} nats (ESS ${r.iw.meanEss.toFixed(1)}, ${r.iw.framesPerSec.toFixed(0)} frames/s)`,
    );
  console.log(`trained on ${r.backend}: ${r.trainSeconds.toFixed(1)} s (${r.trainFramesPerSec.toFixed(1)} frames/s); scored at ${r.scoreFramesPerSec.toFixed(0)} frames/s`);
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
      case 'train':
        return await cmdTrain(rest);
      case 'score':
        return await cmdScore(rest);
      case 'mask':
        return await cmdMask(rest);
      case 'events':
        return await cmdEvents(rest);
      case 'export':
        return await cmdExport(rest);
      case 'eval':
        return await cmdEval(rest);
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

