/**
 * The PixelCNN prior over VQ-VAE codes (src/core/ml/pixelcnn) on real or synthetic footage, before it
 * is wired into the kind registry: decode train.mp4 / test.mp4 to 64×64 RGB with ffmpeg, train the
 * VQ-VAE (ml/vq, default config: a 4×4 grid of K = 64 codes), fit the prior to the training frames'
 * codes, score every test frame, and print
 *   - frame-level ROC-AUC (pooled, against truth.csv) of codeNll = −log p(codes) under the prior,
 *     of the VQ-VAE's code rarity (positions independent, training frequencies) and of its
 *     reconstruction NLL, for comparison;
 *   - the prior's training frames/s (tfjs, the selected backend) and scoring frames/s (ONNX Runtime:
 *     codes -> code_nll, and frames -> VQ + prior in one session).
 *
 *   npx tsx bench/pixelcnn.ts [--data DIR (../shared/data/ucsd-ped2)] [--train-step 2] [--vq-epochs 10]
 *                             [--epochs 30] [--seed 1] [--json]
 *
 * DIR holds train.mp4, test.mp4 and truth.csv (frame,anomaly,...): the Ped2 dev split, or a scene of
 * ../shared/bench/make-scene.mjs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { aucByKind, type KindAuc } from '../src/core/eval/roc.js';
import { selectBackend } from '../src/core/ml/backend/index.js';
import { exportVqToOnnx } from '../src/core/ml/onnx/export-vq.js';
import { OnnxPixelCnnScorer } from '../src/core/ml/pixelcnn/runtime-pixelcnn.js';
import { scoreWithCodePrior, trainCodePrior } from '../src/core/ml/pixelcnn/vq-pixelcnn.js';
import { codeRarity } from '../src/core/scoring/calibrate.js';
import { codeUsage } from '../src/core/ml/family/vq.js';
import type { FrameSet } from '../src/core/ml/vae/train.js';
import { trainVqVae } from '../src/core/ml/vq/train-vq.js';
import { DEFAULT_VQ_CONFIG, vqGrid } from '../src/core/ml/vq/vq-vae.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(root, '..', 'shared', 'data', 'ucsd-ped2') },
    'train-step': { type: 'string', default: '2' },
    'vq-epochs': { type: 'string', default: '10' },
    epochs: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
});
const SIZE = 64;
const log = (s: string): void => {
  if (!args.json) console.log(s);
};

function decode(file: string, step: number): FrameSet {
  const ffmpeg = process.env.FFMPEG_PATH ?? 'ffmpeg';
  const filter = `${step > 1 ? `select='not(mod(n\\,${step}))',` : ''}scale=${SIZE}:${SIZE}:flags=area`;
  const raw = execFileSync(ffmpeg, ['-v', 'error', '-i', file, '-vf', filter, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  const per = SIZE * SIZE * 3;
  return { data: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength - (raw.byteLength % per)), count: Math.floor(raw.byteLength / per), size: SIZE, channels: 3 };
}

const seed = Number(args.seed);
const backend = await selectBackend('wasm');
log(`backend: ${backend.detail}`);
const train = decode(join(args.data, 'train.mp4'), Number(args['train-step']));
const test = decode(join(args.data, 'test.mp4'), 1);
const rows = readFileSync(join(args.data, 'truth.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const truth = { anomaly: rows.map((r) => Number(r[1])), kind: rows.map((r) => (Number(r[1]) ? (r[2] ?? '') : '')) };
if (truth.anomaly.length !== test.count) throw new Error(`truth.csv has ${truth.anomaly.length} rows, test.mp4 ${test.count} frames`);
log(`${args.data}: ${train.count} training frames, ${test.count} test frames (${truth.anomaly.filter((v) => v === 1).length} anomalous)`);

const config = { ...DEFAULT_VQ_CONFIG, inputSize: SIZE };
let t = performance.now();
const vqr = await trainVqVae(train, { config, epochs: Number(args['vq-epochs']), batchSize: 32, learningRate: 1e-3, validationFraction: 0.2, seed });
log(`VQ-VAE: ${vqr.history.length} epochs in ${((performance.now() - t) / 1000).toFixed(0)} s (${vqr.framesPerSec.toFixed(0)} frames/s), code perplexity ${vqr.usage.perplexity.toFixed(1)} of ${config.codebookSize}, grid ${vqGrid(config).side}×${vqGrid(config).side}`);
const vq = { config, weights: vqr.weights, codebook: vqr.codebook };

t = performance.now();
const prior = await trainCodePrior(vq, train, { epochs: Number(args.epochs), seed });
const best = prior.training.history[prior.training.bestEpoch]!;
log(`prior: ${prior.training.history.length} epochs in ${prior.training.seconds.toFixed(1)} s, training ${prior.training.framesPerSec.toFixed(0)} frames/s; NLL per position ${prior.training.initialNll.toFixed(3)} -> ${best.valNll?.toFixed(3)} nats (val, epoch ${prior.training.bestEpoch + 1}); encoding ${prior.encodeFramesPerSec.toFixed(0)} frames/s`);

// Scoring speed: the combined graph (frames -> VQ outputs + code_nll), and the prior alone (codes -> code_nll).
const scores = await scoreWithCodePrior(prior.scorerOnnx, test, { batch: 64, ort: { threads: 1 } });
const priorOnly = await OnnxPixelCnnScorer.create(prior.priorOnnx, { threads: 1 });
t = performance.now();
const reps = 5;
for (let r = 0; r < reps; r++) for (let b = 0; b < test.count; b += 64) {
  const n = Math.min(64, test.count - b);
  await priorOnly.run(scores.codes.subarray(b * 16, (b + n) * 16), n);
}
const priorFps = (reps * test.count) / ((performance.now() - t) / 1000);
await priorOnly.dispose();
// The VQ scorer alone, for the cost the prior adds.
const vqSession = await ort.InferenceSession.create(exportVqToOnnx(config, vqr.weights, vqr.codebook), { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 });
const vqNll = new Float32Array(test.count);
t = performance.now();
for (let b = 0; b < test.count; b += 64) {
  const n = Math.min(64, test.count - b);
  const out = await vqSession.run({ frames: new ort.Tensor('uint8', test.data.subarray(b * SIZE * SIZE * 3, (b + n) * SIZE * SIZE * 3), [n, SIZE, SIZE, 3]) }, ['nll', 'codes']);
  vqNll.set(out['nll']!.data as Float32Array, b);
}
const vqFps = test.count / ((performance.now() - t) / 1000);
await vqSession.release();

const counts = codeUsage(prior.trainCodes, config.codebookSize).counts;
const P = vqGrid(config).side ** 2;
const rarity = Array.from({ length: test.count }, (_, i) => codeRarity(scores.codes.subarray(i * P, (i + 1) * P), counts));
const result = {
  data: args.data,
  trainFrames: train.count,
  testFrames: test.count,
  auc: { codeNll: aucByKind(scores.codeNll, truth), rarity: aucByKind(rarity, truth), vqReconNll: aucByKind(vqNll, truth) },
  priorTrainFramesPerSec: prior.training.framesPerSec,
  priorTrainSeconds: prior.training.seconds,
  scoreFramesPerSec: { vqPlusPrior: scores.framesPerSec, priorOnly: priorFps, vqOnly: vqFps },
  nllPerPosition: { initial: prior.training.initialNll, bestVal: best.valNll },
};
if (args.json) console.log(JSON.stringify(result, null, 2));
else {
  const line = (a: KindAuc): string => Object.entries(a).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
  log('frame-level ROC-AUC (pooled; per event kind when the truth names kinds):');
  log(`  codeNll (PixelCNN prior)  ${line(result.auc.codeNll)}`);
  log(`  code rarity (VQ-VAE)      ${line(result.auc.rarity)}`);
  log(`  recon NLL (VQ-VAE)        ${line(result.auc.vqReconNll)}`);
  log(`scoring frames/s (ORT, 1 thread, batch 64): VQ + prior ${scores.framesPerSec.toFixed(0)}, VQ alone ${vqFps.toFixed(0)}, prior alone (codes in) ${priorFps.toFixed(0)}`);
}
