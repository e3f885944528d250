/**
 * bench:score — frames/s of LatentWatch's scoring of a stored video (SQLite read, ONNX Runtime, every
 * score component, latents and scores written in transactions, events) against bare ONNX Runtime
 * inference of the same graph on prebuilt input tensors, measured in one run. 64x64 RGB, default model.
 *   npx tsx bench/score.ts [--frames N] [--rounds N] [--threads N]
 * (--threads: ONNX Runtime's intra-op threads, for both; default 2.)
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { scoreVideo } from '../src/core/engine/score-video.js';
import { ONNX_INPUT, ONNX_SCORE_OUTPUTS } from '../src/core/ml/onnx/export-vae.js';
import { DEFAULT_VAE_CONFIG } from '../src/core/ml/vae/spec.js';
import { Store } from '../src/core/store/store.js';
import { tempDir } from '../test/helpers.js';
import { storeRandomModel } from './random-model.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const frames = arg('frames', 6000);
const rounds = arg('rounds', 3);
const threads = arg('threads', 2);
const batch = 256;
const S = DEFAULT_VAE_CONFIG.inputSize;
const tmp = tempDir('lw-bench-score-');
const store = new Store(join(tmp.dir, 'bench.db'));

// A stored video of synthetic frames (no decoding: this measures scoring only).
const videoId = store.beginVideo({ path: '/bench/synthetic', name: 'synthetic', sizeBytes: 0, codec: 'none', width: S, height: S, sourceFps: 10, durationSec: frames / 10, sampledFps: 10, frameSize: S, channels: 3 });
const fb = S * S * 3;
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
for (let first = 0; first < frames; first += 128) {
  const n = Math.min(128, frames - first);
  const px = new Uint8Array(n * fb);
  for (let i = 0; i < px.length; i++) px[i] = rnd();
  store.appendFrames(videoId, Array.from({ length: n }, (_, k) => ({ index: first + k, sourceFrame: first + k, ptsSec: (first + k) / 10 })), px);
}
store.finishVideo(videoId, 'synthetic');
const { modelId, onnx } = await storeRandomModel(store, videoId);

async function bare(threads: number): Promise<number> {
  const session = await ort.InferenceSession.create(onnx, { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: threads, interOpNumThreads: 1 });
  const input = new ort.Tensor('uint8', new Uint8Array(batch * fb).map(() => rnd()), [batch, S, S, 3]);
  await session.run({ [ONNX_INPUT]: input }, [...ONNX_SCORE_OUTPUTS]);
  const t0 = performance.now();
  for (let done = 0; done < frames; done += batch) await session.run({ [ONNX_INPUT]: input }, [...ONNX_SCORE_OUTPUTS]);
  const secs = (performance.now() - t0) / 1000;
  await session.release();
  return (Math.ceil(frames / batch) * batch) / secs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bareRates: number[] = [];
const fullRates: number[] = [];
console.log(`bench:score  ${frames} frames of ${S}x${S}x3, default model (filters ${DEFAULT_VAE_CONFIG.filters.join('/')}, latent ${DEFAULT_VAE_CONFIG.latentDim}), batch ${batch}, ${threads} ONNX Runtime thread${threads === 1 ? '' : 's'}`);
for (let r = 0; r < rounds; r++) {
  const b = await bare(threads);
  const full = await scoreVideo(store, modelId, videoId, { batch, threads });
  bareRates.push(b);
  fullRates.push(full.framesPerSec);
  console.log(`  round ${r + 1}: bare ORT ${b.toFixed(0)} frames/s, LatentWatch scoring ${full.framesPerSec.toFixed(0)} frames/s`);
}
const b = median(bareRates);
const f = median(fullRates);
console.log(`\nbare ONNX Runtime (same graph, score outputs):  ${b.toFixed(0)} frames/s`);
console.log(`latentwatch scoring (SQLite in and out):        ${f.toFixed(0)} frames/s   (bar: >= 1000)`);
console.log(`ratio scoring/bare:                             ${(f / b).toFixed(3)}`);
store.close();
tmp.cleanup();
