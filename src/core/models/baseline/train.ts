/**
 * The classical baselines as model kinds ('pca': reconstruction error after projecting on the 16
 * leading principal components; 'bgdiff': mean absolute difference from the per-pixel median), fitted,
 * stored, exported to ONNX and scored like the networks, so they are selectable and compared on the
 * same footage. Fitted on the training split only; the held-out split (the same seeded split the
 * networks use) calibrates the score and the alarm threshold. They have one score component, stored
 * as `recon`; the others are not computed (stored as 0: the columns are NOT NULL) and the latents are empty.
 */
import { AppError } from '../../../shared/envelope.js';
import { type BgDiffModel, fitBgDiff, fitPca, type PcaModel, toGray } from '../../eval/baselines.js';
import { ProgressMeter } from '../../jobs/progress.js';
import { exportBaselineToOnnx } from '../../ml/onnx/export-baseline.js';
import { splitIndices } from '../../ml/vae/train.js';
import { type Calibration, COMBINED_COMPONENTS, quantile, robustStat } from '../../scoring/calibrate.js';
import { type CalibrateBatches, runScorePass } from '../../scoring/pass.js';
import { createModel, deleteModel, finishModel, recordRun } from '../../store/models.js';
import type { Store } from '../../store/store.js';
import { gatherFrames } from '../../engine/frames.js';
import { trainingPool } from '../../engine/training-pool.js';
import { type EngineHooks, TRAIN_DEFAULTS, trainingIgnoreMask, type TrainModelOptions, type TrainModelResult } from '../training.js';
import { BaselineScorer, combineBaseline } from './scorer.js';

export const PCA_COMPONENTS = 16;

/** One of the two baselines: how it is fitted and named. */
export interface BaselineFit {
  kind: 'pca' | 'bgdiff';
  /** Default model name, before " on <video>". */
  title: string;
  fit(gray: ReturnType<typeof toGray>): PcaModel | BgDiffModel;
}

export const PCA_FIT: BaselineFit = { kind: 'pca', title: `PCA-${PCA_COMPONENTS}`, fit: (gray) => fitPca(gray, PCA_COMPONENTS) };
export const BGDIFF_FIT: BaselineFit = { kind: 'bgdiff', title: 'Background difference', fit: (gray) => fitBgDiff(gray) };

export async function trainBaselineModel(store: Store, baseline: BaselineFit, o: TrainModelOptions, hooks: EngineHooks = {}): Promise<TrainModelResult> {
  const kind = baseline.kind;
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
  const fitted = baseline.fit(gray);
  const seconds = (performance.now() - t0) / 1000;
  const onnx = exportBaselineToOnnx(fitted, mask?.pixels);
  const config = {
    kind,
    inputSize: frames.size,
    ...(fitted.kind === 'pca' ? { k: fitted.k, explained: fitted.explained } : {}),
    train: { seed, validationFraction, trainFrames: train.length },
    ignoreMask: mask?.record ?? null,
  };
  const modelId = createModel(store, { kind, name: o.name ?? `${baseline.title} on ${video.name}`, config, trainVideoId: video.id });
  try {
    meter.stage('calibrating on held-out frames', video.frameCount);
    let heldOutFrames = 0;
    const calibrate: CalibrateBatches<Float32Array> = (batches, scorer) => {
      const raw = new Float32Array(video.frameCount);
      for (const b of batches) raw.set(b.s, b.first);
      const held = Array.from(heldOut, (i) => raw[i]!);
      heldOutFrames = held.length;
      if (held.length < 10) throw new AppError('TrainingInputError', `Too few held-out frames (${held.length}) to calibrate scores: use a longer training video.`);
      const stat = robustStat(held);
      const components = Object.fromEntries(COMBINED_COMPONENTS.map((k) => [k, k === 'recon' ? stat : { median: 0, scale: 1 }])) as Calibration['components'];
      const calib0: Calibration = { components, rule: { recon: 'upper' }, patchMean: [], patchStd: [], latentScale: [], threshold: 0, lowThreshold: 0, targetFpr: o.targetFpr ?? TRAIN_DEFAULTS.targetFpr, sampledFps: video.sampledFps };
      const heldCombined = held.map((v) => combineBaseline(v, calib0));
      const calibration: Calibration = { ...calib0, threshold: quantile(heldCombined, 1 - calib0.targetFpr), lowThreshold: quantile(heldCombined, 1 - Math.min(0.5, 5 * calib0.targetFpr)) };
      return { calibration, raw: batches.map((b) => scorer.components(b, calibration)) };
    };
    const { calibration } = await runScorePass({
      store,
      modelId,
      videoId: video.id,
      scorer: await BaselineScorer.open(onnx, frames.size),
      batch: 256,
      motion: null,
      meter,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      calibration: calibrate,
    });
    const metrics = { kind, trainFrames: train.length, heldOutFrames, fitSeconds: seconds, threshold: calibration.threshold, targetFpr: calibration.targetFpr };
    finishModel(store, modelId, { weights: new TextEncoder().encode(JSON.stringify(fitted)), onnx, calibration, metrics, backend: 'cpu (plain JS fit)' });
    recordRun(store, modelId, config, [], 'succeeded');
    meter.finish(video.frameCount);
    return { modelId, backend: 'cpu', trainSeconds: seconds, trainFramesPerSec: train.length / Math.max(seconds, 1e-9), epochs: 1, bestEpoch: 0, threshold: calibration.threshold };
  } catch (e) {
    deleteModel(store, modelId);
    throw e;
  }
}
