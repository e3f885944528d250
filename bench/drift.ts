/**
 * Drift: do scores creep over long footage whose light slowly changes? (issue 10 item 3)
 *
 *   npm run bench:drift -- [--minutes 10] [--ramp 0.12] [--window 30] [--seed 6] [--epochs N]
 *
 * Renders a synthetic scene (shared/bench/make-scene.mjs) with a short training clip and a long test
 * clip, brightens the test clip linearly over its length (ffmpeg eq, +ramp at the end: a day's light
 * change compressed into minutes), trains the default model on the training clip, and scores the long
 * clip twice: with the adaptive per-video baseline off, then on. Prints, per minute of footage, the
 * share of normal frames (truth.csv) over the model's threshold, and the first and last minute's for
 * each, so creep shows as a rising row. The window is short (30 s) because the footage is short: the
 * ramp compresses hours of light change into minutes, and a causal median lags a ramp by half its window.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scoreVideo } from '../src/core/engine/score-video.js';
import { trainModel } from '../src/core/engine/train-model.js';
import { mediaTools } from '../src/core/media/ffmpeg-locate.js';
import { ingestVideo } from '../src/core/media/ingest.js';
import { getModel, readScores } from '../src/core/store/models.js';
import { Store } from '../src/core/store/store.js';
import type { Calibration } from '../src/core/scoring/calibrate.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { minutes: { type: 'string' }, ramp: { type: 'string' }, window: { type: 'string' }, seed: { type: 'string' }, epochs: { type: 'string' } } });
const minutes = Number(values.minutes ?? 10);
const ramp = Number(values.ramp ?? 0.12);
const seed = Number(values.seed ?? 6);
const windowSec = Number(values.window ?? 30);
const fps = 10;

const maker = resolve(root, '..', 'shared', 'bench', 'make-scene.mjs');
if (!existsSync(maker)) {
  console.error(`bench:drift needs the shared bench scene generator at ${maker}.`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'lw-drift-'));
try {
  console.error(`rendering ${minutes} min of test footage (seed ${seed}) ...`);
  execFileSync(process.execPath, [maker, '--out', dir, '--seed', String(seed), '--train', '600', '--test', String(minutes * 60 * fps), '--fps', String(fps)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const ffmpeg = mediaTools().ffmpeg.path;
  const drifted = join(dir, 'drifted.mp4');
  const total = minutes * 60;
  execFileSync(ffmpeg, ['-v', 'error', '-y', '-i', join(dir, 'test.mp4'), '-vf', `eq=brightness='${ramp}*t/${total}':eval=frame`, '-c:v', 'libx264', '-crf', '18', '-pix_fmt', 'yuv420p', drifted]);
  const truth = readFileSync(join(dir, 'truth.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));

  const store = new Store(join(dir, 'drift.db'));
  const train = await ingestVideo(store, join(dir, 'train.mp4'), {});
  const test = await ingestVideo(store, drifted, {});
  const t0 = performance.now();
  const { modelId } = await trainModel(store, { videoId: train.videoId, checkpointDir: join(dir, 'ck'), ...(values.epochs ? { epochs: Number(values.epochs) } : {}) });
  console.error(`trained in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  const threshold = (getModel(store, modelId).calibration as Calibration).threshold;

  const perMinute = (on: boolean): number[] => {
    const combined = readScores(store, modelId, test.videoId).combined;
    const rates: number[] = [];
    for (let m = 0; m < minutes; m++) {
      let over = 0;
      let normal = 0;
      for (let i = m * 60 * fps; i < Math.min(combined.length, (m + 1) * 60 * fps); i++) {
        if (truth[i]) continue;
        normal++;
        if (combined[i]! >= threshold) over++;
      }
      rates.push(normal ? over / normal : NaN);
    }
    console.log(`adaptive ${on ? 'on ' : 'off'}  ${rates.map((r) => (100 * r).toFixed(1).padStart(5)).join(' ')}   (% of normal frames over the threshold, minute 1..${minutes})`);
    return rates;
  };
  await scoreVideo(store, modelId, test.videoId, { adaptive: { on: false, windowSec: 300 } });
  const off = perMinute(false);
  await scoreVideo(store, modelId, test.videoId, { adaptive: { on: true, windowSec } });
  const on = perMinute(true);
  store.close();
  const fmt = (r: number[]) => `${(100 * r[0]!).toFixed(1)}% -> ${(100 * r.at(-1)!).toFixed(1)}%`;
  console.log(`brightness +${ramp} over ${minutes} min, adaptive window ${windowSec} s; threshold ${threshold.toFixed(2)} (target FPR 1%)`);
  console.log(`false-positive rate, first -> last minute: adaptive off ${fmt(off)}, adaptive on ${fmt(on)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
