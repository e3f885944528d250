/**
 * The classical baselines as model kinds ('pca': reconstruction error after projecting on the 16
 * leading principal components; 'bgdiff': mean absolute difference from the per-pixel median), fitted,
 * stored, exported to ONNX and scored like the networks, so they are selectable and compared on the
 * same footage. Fitted on the training split only; the held-out split (the same seeded split the
 * networks use) calibrates the score and the alarm threshold. They have one score component, stored
 * as `recon`; the others are not computed (stored as 0: the columns are NOT NULL) and the latents are empty.
 */
import type { ModelKind } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { type BgDiffModel, fitBgDiff, fitPca, type PcaModel, toGray } from '../eval/baselines.js';
import { ProgressMeter } from '../jobs/progress.js';
import { abortError } from '../media/decode.js';
import { OnnxBaselineScorer } from '../ml/onnx/baseline-runtime.js';
import { exportBaselineToOnnx } from '../ml/onnx/export-baseline.js';
import { splitIndices } from '../ml/vae/train.js';
import { type Calibration, COMBINED_COMPONENTS, combine, quantile, robustStat } from '../scoring/calibrate.js';
import { detectEvents } from '../scoring/events.js';
import { clearScores, createModel, deleteModel, finishModel, getModel, modelBlobs, recordRun, replaceEvents, type ScoreRow, writeScores } from '../store/models.js';
import type { Store } from '../store/store.js';
import { frameBatches, gatherFrames } from './frames.js';
import { eventOptions, type EngineHooks, TRAIN_DEFAULTS, trainingIgnoreMask, type TrainModelOptions, type TrainModelResult } from './train-model.js';
import { trainingPool } from './training-pool.js';

export const BASELINE_KINDS: readonly ModelKind[] = ['pca', 'bgdiff'];
export const PCA_COMPONENTS = 16;
const EMPTY = new Float32Array(0);

export async function trainBaselineModel(store: Store, o: TrainModelOptions, hooks: EngineHooks = {}): Promise<TrainModelResult> {
  const kind = o.kind as 'pca' | 'bgdiff';
  if (o.parentModelId) throw new AppError('TrainingInputError', `A ${kind} baseline cannot be fine-tuned.`);
  const video = store.getVideo(o.videoId);
  const meter = new ProgressMeter(hooks.onProgress);
  meter.stage('loading frames');
  const seed = o.seed ?? TRAIN_DEFAULTS.seed;
  const validationFraction = o.validationFraction ?? TRAIN_DEFAULTS.validationFraction;
  const pool = trainingPool(store, o.videoId, o.maxFrames ?? TRAIN_DEFAULTS.maxFrames);
  const frames = gatherFrames(store, pool.picks);
  const { train, val } = splitIndices(frames.count, validationFraction, seed);
  const heldOut = new Set(val.map((i) => frames.indices[i]!));
  const per = frames.size * frames.size * 3;
  const trainBytes = new Uint8Array(train.length * per);
  train.forEach((i, k) => trainBytes.set(frames.data.subarray(i * per, (i + 1) * per), k * per));
  meter.stage(`fitting ${kind}`);
  const t0 = performance.now();
  const gray = toGray({ data: trainBytes, count: train.length, size: frames.size, channels: 3 });
  // Ignore mask: ignored pixels are zeroed in every frame before the fit (a constant dimension: no
  // PCA component loads on it, the median there is 0) and in the scoring graph, whose mean runs over
  // observed pixels only.
  const mask = trainingIgnoreMask(store, o.videoId, frames.size, o.useIgnoreMask ?? true);
  if (mask) {
    const D = frames.size * frames.size;
    for (let f = 0; f < gray.count; f++) for (let p = 0; p < D; p++) if (mask.pixels[p]) gray.data[f * D + p] = 0;
  }
  const fitted: PcaModel | BgDiffModel = kind === 'pca' ? fitPca(gray, PCA_COMPONENTS) : fitBgDiff(gray);
  const seconds = (performance.now() - t0) / 1000;
  const onnx = exportBaselineToOnnx(fitted, mask?.pixels);
  const config = {
    kind,
    inputSize: frames.size,
    ...(kind === 'pca' ? { k: (fitted as PcaModel).k, explained: (fitted as PcaModel).explained } : {}),
    train: { seed, validationFraction, trainFrames: train.length },
    ignoreMask: mask?.record ?? null,
  };
  const modelId = createModel(store, { kind, name: o.name ?? `${kind === 'pca' ? `PCA-${PCA_COMPONENTS}` : 'Background difference'} on ${video.name}`, config, trainVideoId: video.id });
  try {
    meter.stage('calibrating on held-out frames', video.frameCount);
    const raw = await scoreAll(store, onnx, video.id, frames.size, meter, hooks.signal);
    const held = Array.from(heldOut, (i) => raw[i]!);
    if (held.length < 10) throw new AppError('TrainingInputError', `Too few held-out frames (${held.length}) to calibrate scores: use a longer training video.`);
    const stat = robustStat(held);
    const components = Object.fromEntries(COMBINED_COMPONENTS.map((k) => [k, k === 'recon' ? stat : { median: 0, scale: 1 }])) as Calibration['components'];
    const calib0: Calibration = { components, rule: { recon: 'upper' }, patchMean: [], patchStd: [], latentScale: [], threshold: 0, lowThreshold: 0, targetFpr: o.targetFpr ?? TRAIN_DEFAULTS.targetFpr, sampledFps: video.sampledFps };
    const heldCombined = held.map((v) => combineOne(v, calib0));
    const calibration: Calibration = { ...calib0, threshold: quantile(heldCombined, 1 - calib0.targetFpr), lowThreshold: quantile(heldCombined, 1 - Math.min(0.5, 5 * calib0.targetFpr)) };
    writeAll(store, modelId, video.id, raw, calibration);
    const metrics = { kind, trainFrames: train.length, heldOutFrames: held.length, fitSeconds: seconds, threshold: calibration.threshold, targetFpr: calibration.targetFpr };
    finishModel(store, modelId, { weights: new TextEncoder().encode(JSON.stringify(fitted)), onnx, calibration, metrics, backend: 'cpu (plain JS fit)' });
    recordRun(store, modelId, config, [], 'succeeded');
    meter.finish(video.frameCount);
    return { modelId, backend: 'cpu', trainSeconds: seconds, trainFramesPerSec: train.length / Math.max(seconds, 1e-9), epochs: 1, bestEpoch: 0, threshold: calibration.threshold };
  } catch (e) {
    deleteModel(store, modelId);
    throw e;
  }
}

const combineOne = (score: number, c: Calibration): number =>
  combine({ recon: score, patch: 0, kl: 0, temporal: 0, stillness: 0, sharpness: 0 }, c);

async function scoreAll(store: Store, onnx: Uint8Array, videoId: number, size: number, meter: ProgressMeter, signal?: AbortSignal, threads?: number): Promise<Float32Array> {
  const v = store.getVideo(videoId);
  const out = new Float32Array(v.frameCount);
  const scorer = await OnnxBaselineScorer.create(onnx, size, threads);
  let done = 0;
  try {
    for (const b of frameBatches(store, videoId, 256)) {
      if (signal?.aborted) throw abortError();
      out.set(await scorer.run(b.pixels, b.count), b.first);
      done += b.count;
      meter.update(done);
    }
  } finally {
    await scorer.dispose();
  }
  return out;
}

function writeAll(store: Store, modelId: number, videoId: number, raw: Float32Array, calib: Calibration): number {
  clearScores(store, modelId, videoId);
  const combined = new Float32Array(raw.length);
  const rows: ScoreRow[] = [];
  const flush = () => {
    writeScores(store, modelId, videoId, rows);
    rows.length = 0;
  };
  raw.forEach((score, idx) => {
    combined[idx] = combineOne(score, calib);
    rows.push({ idx, recon: score, patch: 0, kl: 0, nll: 0, elbo: 0, temporal: 0, stillness: 0, sharpness: 0, combined: combined[idx]!, mu: EMPTY, logvar: EMPTY });
    if (rows.length === 512) flush();
  });
  flush();
  const events = detectEvents(combined, eventOptions(calib));
  replaceEvents(store, modelId, videoId, events, calib.threshold);
  return events.length;
}

/** scoreVideo for a baseline kind. */
export async function scoreBaselineVideo(
  store: Store,
  modelId: number,
  videoId: number,
  hooks: { onProgress?: EngineHooks['onProgress']; signal?: AbortSignal; threads?: number } = {},
): Promise<{ modelId: number; videoId: number; frames: number; events: number; seconds: number; framesPerSec: number }> {
  const model = getModel(store, modelId);
  const video = store.getVideo(videoId);
  const config = model.config as { inputSize: number };
  if (video.frameSize !== config.inputSize)
    throw new AppError('FrameSizeError', `${video.name} was stored at ${video.frameSize}x${video.frameSize} but model ${modelId} takes ${config.inputSize}x${config.inputSize}: import it again with --size ${config.inputSize}.`);
  const meter = new ProgressMeter(hooks.onProgress);
  meter.stage(`scoring with model ${modelId}`, video.frameCount);
  const t0 = performance.now();
  const raw = await scoreAll(store, modelBlobs(store, modelId).onnx, videoId, config.inputSize, meter, hooks.signal, hooks.threads);
  try {
    const events = writeAll(store, modelId, videoId, raw, model.calibration as Calibration);
    const seconds = (performance.now() - t0) / 1000;
    meter.finish(video.frameCount);
    return { modelId, videoId, frames: raw.length, events, seconds, framesPerSec: raw.length / seconds };
  } catch (e) {
    clearScores(store, modelId, videoId);
    throw e;
  }
}
