/**
 * Train a model on a stored video, end to end: pick the tfjs backend, train the VAE (checkpointed,
 * resumable, cancelable), export the scoring graph to ONNX, calibrate the score components on the
 * video's held-out frames, and store weights + graph + calibration as a new model version. The
 * training video's own frames are scored on the way (they are needed for calibration anyway).
 * A failed or canceled run leaves no model behind.
 */
import { describeKind } from '../../shared/model-kinds.js';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { IgnoreMask, JobProgress, ModelKind, TrainRequest } from '../../shared/domain.js';
import { rasterizeIgnoreMask } from '../../shared/ignore-mask.js';
import { AppError } from '../../shared/envelope.js';
import { DEFAULT_CONDITION_FRAMES, DEFAULT_MIXTURE_COMPONENTS, FINE_TUNE_DEFAULTS, TRAIN_DEFAULTS } from '../../shared/train-defaults.js';
import { ProgressMeter } from '../jobs/progress.js';
import { abortError } from '../media/decode.js';
import { selectBackend } from '../ml/backend/index.js';
import { exportVaeToOnnx } from '../ml/onnx/export-vae.js';
import { OnnxVaeScorer, type VaeScores } from '../ml/onnx/runtime.js';
import { deserializeWeights, type NamedArray, readWeightArrays, serializeWeightArrays, weightsToArrays } from '../ml/vae/checkpoint.js';
import { DEFAULT_VAE_CONFIG, type VaeConfig } from '../ml/vae/spec.js';
import { splitIndices, trainVae, type TrainOptions } from '../ml/vae/train.js';
import { defaultTrainWorkers } from '../ml/vae/parallel.js';
import { type Calibration, type CombinationRule, COMBINED_COMPONENTS, type CombinedComponent, combine, CVAE_COMBINATION, DEFAULT_COMBINATION, GMVAE_COMBINATION, GP_COMBINATION, robustStat } from '../scoring/calibrate.js';
import { frameMotion, MotionStream, patchScales, settleMotion } from '../scoring/motion.js';
import { conformalThreshold, fitTail } from '../../shared/tails.js';
import type { DiagGmm } from '../ml/family/mixture.js';
import { loadMixture, storeMixture, type StoredMixture } from '../ml/vae/mixture-prior.js';
import { frameClasses, listLabels } from '../store/labels.js';
import type { FramePick } from './frames.js';
import { fitGpTrajectory, scoreGpTrajectory } from '../scoring/gp-trajectory.js';
import { detectEvents, eventOptionsFor } from '../scoring/events.js';
import { clearScores, createModel, deleteModel, finishModel, getModel, modelBlobs, recordRun, replaceEvents, writeScores } from '../store/models.js';
import { getIgnoreMask } from '../store/ignore-masks.js';
import type { Store } from '../store/store.js';
import { batchComponents, toScoreRows } from './components.js';
import { conditionedFrameBatches, earlierIndices, gatherFrames, stackFrames } from './frames.js';
import { fineTunePool, poolRecord, trainingPool } from './training-pool.js';
import { scoreVideo } from './score-video.js';
import { BASELINE_KINDS, trainBaselineModel } from './baseline-model.js';
import { trainVqModel } from './vq-model.js';

/** The engine's training options: the analyst's TrainRequest, plus the video, where checkpoints go and what only the engine sets. */
export interface TrainModelOptions extends TrainRequest {
  videoId: number;
  filters?: number[];
  patience?: number;
  /**
   * Share of frames held out at random: early stopping, and the calibration of scores and threshold.
   * (A contiguous block at the end of the footage was tried: on a minute of training footage it saw too
   * little of the normal variation, and test false alarms rose from ~7-11% to 50-80%.)
   */
  validationFraction?: number;
  /** Folder for checkpoints; a rerun with the same options resumes from the last finished epoch. */
  checkpointDir: string;
  /** Which score components enter the combined score (default DEFAULT_COMBINATION). */
  combination?: CombinationRule;
}

/**
 * What a model records (config.ignoreMask) about the mask it was trained and scores with: the
 * rectangles as painted, and the pixels they cover at the model's frame size. Null: no mask.
 */
export interface ModelIgnoreMask extends IgnoreMask {
  size: number;
  ignoredPixels: number;
}

/**
 * The training video's ignore mask rasterized at `size` (1 = ignored), unless turned off or empty
 * (or too thin to cover a pixel centre): then null, and training is exactly the unmasked run.
 */
export function trainingIgnoreMask(store: Store, videoId: number, size: number, use = true): { pixels: Uint8Array; record: ModelIgnoreMask } | null {
  if (!use) return null;
  const mask = getIgnoreMask(store, videoId);
  if (mask.rects.length === 0) return null;
  const pixels = rasterizeIgnoreMask(mask, size);
  let ignoredPixels = 0;
  for (const v of pixels) ignoredPixels += v;
  if (ignoredPixels === 0) return null;
  if (ignoredPixels === pixels.length) throw new AppError('TrainingInputError', 'The ignore mask covers the whole frame: nothing is left to learn from. Clear part of it first.');
  return { pixels, record: { rects: mask.rects, size, ignoredPixels } };
}

/** 'gmvae': components 0 and 1 are the analyst's normal and nuisance classes (frames so labelled fix their class); the rest are free. */
export const MIXTURE_LABEL_COMPONENTS: Readonly<Record<string, number>> = { normal: 0, nuisance: 1 };
export { DEFAULT_MIXTURE_COMPONENTS };

/** The mixture class of each pick from its video's labels (−1: unlabelled, or a class without a component). */
export function mixtureLabels(store: Store, picks: readonly FramePick[], k: number): Int32Array {
  const classes = new Map<number, string[]>();
  return Int32Array.from(picks, (p) => {
    let c = classes.get(p.videoId);
    if (!c) {
      c = frameClasses(listLabels(store, p.videoId), store.getVideo(p.videoId).frameCount);
      classes.set(p.videoId, c);
    }
    const comp = MIXTURE_LABEL_COMPONENTS[c[p.index] ?? ''];
    return comp !== undefined && comp < k ? comp : -1;
  });
}

// The defaults live in src/shared so the training form can show them; re-exported for the engine's callers.
export { FINE_TUNE_DEFAULTS, TRAIN_DEFAULTS };

export interface TrainModelResult {
  modelId: number;
  backend: string;
  /** What the backend ran on (CPU cores, the GPU adapter), and the threads the steps were split over. */
  device?: string;
  workers?: number;
  trainSeconds: number;
  trainFramesPerSec: number;
  epochs: number;
  bestEpoch: number;
  threshold: number;
}

export interface EngineHooks {
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
}

const SCORE_BATCH = 128;

/**
 * Wall time of the whole training: a run resumed from its checkpoint counts the epochs done before the
 * interruption too (each epoch record keeps its seconds), not only this call's (which may be ~0 s).
 */
export function totalTrainSeconds(r: { seconds: number; history: ReadonlyArray<{ seconds: number }> }): number {
  return Math.max(r.seconds, r.history.reduce((a, h) => a + (Number.isFinite(h.seconds) ? h.seconds : 0), 0));
}

export async function trainModel(store: Store, o: TrainModelOptions, hooks: EngineHooks = {}): Promise<TrainModelResult> {
  if (o.kind && BASELINE_KINDS.includes(o.kind)) return trainBaselineModel(store, o, hooks);
  if (o.kind === 'vq-vae') return trainVqModel(store, o, hooks);
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const opt = { ...TRAIN_DEFAULTS, ...(o.parentModelId ? FINE_TUNE_DEFAULTS : {}), ...given } as TrainModelOptions & typeof TRAIN_DEFAULTS;
  const video = store.getVideo(o.videoId);
  const meter = new ProgressMeter(hooks.onProgress);
  meter.stage('loading frames');
  const parent = o.parentModelId ? loadParent(store, o.parentModelId, video.frameSize) : null;
  const kind: ModelKind = parent ? parent.kind : (o.kind ?? 'vae');
  const backend = await selectBackend(o.backend);
  // A fine-tune rehearses its parent's training footage plus labelled normal/nuisance frames (training-pool.ts).
  const pool = parent && o.parentModelId ? fineTunePool(store, o.parentModelId, o.videoId, opt.maxFrames) : trainingPool(store, o.videoId, opt.maxFrames);
  const current = gatherFrames(store, pool.picks);
  // A conditional VAE learns frame t given frames t − 1 … t − k: each pick travels with its k predecessors.
  const earlier = parent ? (parent.config.conditionFrames ?? 0) : kind === 'cvae' ? (o.conditionFrames ?? DEFAULT_CONDITION_FRAMES) : 0;
  if (o.conditionFrames !== undefined && (parent ? o.conditionFrames !== earlier : kind !== 'cvae'))
    throw new AppError('TrainingInputError', parent ? `A fine-tune keeps its parent's ${earlier} earlier frame(s).` : 'conditionFrames is for the conditional VAE (kind cvae).');
  const conditional = earlier > 0;
  const frames = conditional
    ? {
        ...current,
        channels: 3 * (1 + earlier),
        data: stackFrames(
          current,
          Array.from({ length: earlier }, (_, j) => gatherFrames(store, pool.picks.map((p) => ({ videoId: p.videoId, index: earlierIndices(p.index, earlier)[j]! }))).data),
        ),
      }
    : current;
  const config: VaeConfig = parent
    ? parent.config
    : {
        ...DEFAULT_VAE_CONFIG,
        inputSize: frames.size,
        ...(conditional ? { conditionFrames: earlier } : {}),
        ...(o.latentDim ? { latentDim: o.latentDim } : {}),
        ...(o.filters ? { filters: o.filters } : {}),
        ...(o.likelihood ? { likelihood: o.likelihood } : {}),
      };
  // 'gmvae': the mixture prior's size, its semi-supervised classes, and a fine-tune's starting mixture.
  const k = kind === 'gmvae' ? (parent?.mixture?.k ?? o.mixtureComponents ?? DEFAULT_MIXTURE_COMPONENTS) : 0;
  if (kind === 'gmvae' && (!Number.isInteger(k) || k < 1 || k > 32)) throw new AppError('TrainingInputError', `A mixture prior needs 1 to 32 components, not ${k}.`);
  if (kind === 'gmvae' && parent && !parent.mixture) throw new AppError('StoreError', `Model ${o.parentModelId} is a gmvae without a stored mixture prior: it cannot be fine-tuned.`);
  const mixLabels = kind === 'gmvae' ? mixtureLabels(store, pool.picks, k) : null;
  const mixLabelled = mixLabels ? mixLabels.reduce((a, c) => a + (c >= 0 ? 1 : 0), 0) : 0;
  const trainOpts: TrainOptions = {
    config,
    epochs: opt.epochs,
    batchSize: opt.batchSize,
    learningRate: opt.learningRate,
    beta: opt.beta,
    klWarmupEpochs: opt.klWarmupEpochs,
    patience: opt.patience,
    validationFraction: opt.validationFraction,
    seed: opt.seed,
    ...(kind === 'ae' ? { objective: 'autoencoder' as const } : {}),
  };
  const mask = trainingIgnoreMask(store, video.id, config.inputSize, o.useIgnoreMask ?? true);
  const key = createHash('sha256')
    .update(JSON.stringify({ v: video.contentHash, id: video.id, n: frames.count, picks: pool.picks.length, parent: o.parentModelId ?? null, trainOpts, k, mixLabels: mixLabels ? Array.from(mixLabels) : null, ...(mask ? { mask: mask.record } : {}) }))
    .digest('hex')
    .slice(0, 16);
  mkdirSync(o.checkpointDir, { recursive: true });
  const checkpointPath = join(o.checkpointDir, `train-${key}.ckpt`);
  const name = o.name ?? (parent ? `Fine-tune of model ${o.parentModelId} on ${video.name}` : `${describeKind(kind).title} on ${video.name}`);
  // Held out: validation frames of the base video's own (unrepeated) part of the pool; recorded so a later
  // fine-tune leaves them out and the comparison can measure false alarms on them.
  const { val } = splitIndices(frames.count, opt.validationFraction, opt.seed);
  const heldOut = new Set(val.filter((i) => i < pool.baseCount).map((i) => frames.indices[i]!));
  const poolStored = { ...poolRecord(pool), heldOut: { videoId: pool.baseVideoId, indices: [...heldOut].sort((a, b) => a - b) } };
  const storedConfig = { ...config, train: trainOpts, pool: poolStored, ignoreMask: mask?.record ?? null };
  const modelId = createModel(store, {
    kind,
    name,
    config: storedConfig,
    trainVideoId: video.id,
    parentId: o.parentModelId ?? null,
  });
  try {
    meter.stage(`training (${backend.name}, ${backend.device})`);
    const mixturePrior = mixLabels ? { k, labels: mixLabels, ...(parent?.mixture ? { initial: loadMixture(parent.mixture) } : {}) } : undefined;
    // workers stays out of trainOpts (the checkpoint key): a run resumes on any number of threads.
    const result = await trainVae(frames, { ...trainOpts, workers: o.workers ?? defaultTrainWorkers(), checkpointPath, resume: true, ...(parent ? { initialWeights: parent.weights } : {}), ...(mixturePrior ? { mixturePrior } : {}), ...(mask ? { ignoreMask: mask.pixels } : {}) }, {
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      onProgress: (p) => {
        const total = p.epochs * p.stepsPerEpoch;
        const done = p.epoch * p.stepsPerEpoch + p.step;
        hooks.onProgress?.({
          done,
          total,
          fraction: done / total,
          rate: p.framesPerSec,
          unit: 'steps',
          rateUnit: 'frames',
          etaSec: p.etaSec,
          stage: `training on ${backend.name} (${backend.device}, ${p.workers} thread${p.workers === 1 ? '' : 's'}): epoch ${p.epoch + 1}/${p.epochs}, loss ${p.loss.toFixed(1)} (recon ${p.recon.toFixed(1)}, KL ${p.kl.toFixed(1)})`,
          metrics: { epoch: p.epoch, loss: p.loss, recon: p.recon, kl: p.kl, beta: p.beta, ...(p.valLoss !== undefined ? { valLoss: p.valLoss } : {}) },
        });
      },
    });
    // Read asynchronously: a GPU backend (WebGPU under Node) cannot read tensors synchronously.
    const arrays = await readWeightArrays(result.weights, config);
    tf.dispose(Object.values(result.weights));
    const weightArrays: Record<string, Float32Array> = Object.fromEntries(arrays.map((a) => [a.name, a.data]));
    const weights = serializeWeightArrays(arrays, config);
    const onnx = exportVaeToOnnx(config, weightArrays, { metadata: { modelId: String(modelId), trainVideo: video.name }, ...(mask ? { ignoreMask: mask.pixels } : {}) });

    const baseVideo = pool.baseVideoId === video.id ? video : store.getVideo(pool.baseVideoId);
    meter.stage('calibrating on held-out frames', baseVideo.frameCount);
    const rule = o.combination ?? (kind === 'vae-gp' ? GP_COMBINATION : kind === 'cvae' ? CVAE_COMBINATION : kind === 'gmvae' ? GMVAE_COMBINATION : DEFAULT_COMBINATION);
    const calibration = await calibrateAndScore(store, modelId, pool.baseVideoId, config, onnx, {
      heldOut,
      targetFpr: opt.targetFpr,
      sampledFps: baseVideo.sampledFps,
      rule,
      meter,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      ...(result.mixture ? { gmm: result.mixture } : {}),
      ignore: mask?.pixels ?? null,
      ...(parent ? { labelled: pool.picks.slice(pool.baseCount) } : {}),
    });
    const lastMixture = [...result.history].reverse().find((h) => h.mixture)?.mixture;

    const metrics = {
      backend: backend.name,
      backendDetail: backend.detail,
      device: backend.device,
      workers: result.parallel.workers,
      ...(result.parallel.note ? { workersNote: result.parallel.note } : {}),
      trainFrames: frames.count,
      excludedFrames: pool.excludedFrames,
      labelledFrames: pool.labelledFrames,
      labelledRepeats: pool.labelledRepeats,
      pool: poolRecord(pool),
      trainSeconds: totalTrainSeconds(result),
      trainFramesPerSec: result.framesPerSec,
      bestEpoch: result.bestEpoch,
      stoppedEarly: result.stoppedEarly,
      history: result.history,
      threshold: calibration.threshold,
      targetFpr: calibration.targetFpr,
      // 'gmvae': per-epoch usage and usage entropy are in history[].mixture; these are the last epoch's.
      ...(result.mixture ? { mixture: { k, labelledFrames: mixLabelled, usage: lastMixture?.usage ?? null, usageEntropy: lastMixture?.usageEntropy ?? null } } : {}),
    };
    finishModel(store, modelId, { weights, onnx, calibration, metrics, backend: backend.name, ...(result.mixture ? { config: { ...storedConfig, mixture: storeMixture(result.mixture) } } : {}) });
    // A fine-tune calibrates on its rehearsal footage; the video it was fine-tuned for is scored too.
    if (pool.baseVideoId !== video.id) await scoreVideo(store, modelId, video.id, hooks.signal ? { signal: hooks.signal } : {});
    recordRun(store, modelId, trainOpts, result.history, 'succeeded');
    rmSync(checkpointPath, { force: true });
    meter.finish(video.frameCount);
    return {
      modelId,
      backend: backend.name,
      device: backend.device,
      workers: result.parallel.workers,
      trainSeconds: totalTrainSeconds(result),
      trainFramesPerSec: result.framesPerSec,
      epochs: result.history.length,
      bestEpoch: result.bestEpoch,
      threshold: calibration.threshold,
    };
  } catch (e) {
    deleteModel(store, modelId);
    throw e;
  }
}

/** Kinds whose weights are the conv VAE of spec.ts (and can therefore be fine-tuned). */
const NETWORK_KINDS: readonly string[] = ['vae', 'ae', 'vae-gp', 'cvae', 'gmvae'];

/** A parent model's config and weights (and a gmvae's mixture prior), checked to fit the video being fine-tuned on. */
function loadParent(store: Store, parentId: number, frameSize: number): { kind: ModelKind; config: VaeConfig; weights: NamedArray[]; mixture: StoredMixture | null } {
  const m = getModel(store, parentId);
  if (!NETWORK_KINDS.includes(m.kind)) throw new AppError('TrainingInputError', `Model ${parentId} is a ${m.kind}: only network models (${NETWORK_KINDS.join(', ')}) can be fine-tuned.`);
  const { weights: bytes } = modelBlobs(store, parentId);
  const { weights, config } = deserializeWeights(bytes);
  try {
    if (!config) throw new AppError('StoreError', `Model ${parentId} has no stored config to fine-tune from.`);
    if (config.inputSize !== frameSize)
      throw new AppError('TrainingInputError', `Model ${parentId} takes ${config.inputSize} px frames; this video was stored at ${frameSize} px. Import it again at ${config.inputSize} px.`);
    const mixture = (m.config as { mixture?: StoredMixture } | null)?.mixture ?? null;
    return { kind: m.kind as ModelKind, config, weights: weightsToArrays(weights, config), mixture };
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/** What calibrateAndScore needs beyond the model: the held-out frames, the rule and target, and a kind's extras. */
export interface CalibrateOptions {
  /** Frames of the video held out from training (contiguous blocks, see splitIndices): the calibration sample. */
  heldOut: Set<number>;
  targetFpr: number;
  sampledFps: number;
  rule: CombinationRule;
  meter: ProgressMeter;
  signal?: AbortSignal;
  /** VQ-VAE: code counts on the training split, for the rarity component. */
  codeCounts?: number[];
  /** Mixture-prior VAE: its learned prior, for the mixture component (−log p(μ)). */
  gmm?: DiagGmm;
  /** The model's ignore mask [S·S] (1 = ignored): left out of motion as of every other score. */
  ignore?: Uint8Array | null;
  /**
   * A fine-tune: frames the analyst labelled normal or nuisance (any video). Motion is model-free, so
   * this is how labels teach it: their motion joins the per-patch scales, and a nuisance that moves
   * (a headlight sweeping a wall) raises the scale of the patches it moves in.
   */
  labelled?: readonly FramePick[];
}

/**
 * Score every frame of the training video with the new model, learn the calibration from the
 * held-out blocks (per-patch scales of the patch error and of motion, the latent scale, each rule
 * component's tail model, the alarm threshold: calibration version 2, see scoring/tails.ts), then
 * store the video's scores and events under that calibration.
 */
export async function calibrateAndScore(
  store: Store,
  modelId: number,
  videoId: number,
  config: Pick<VaeConfig, 'latentDim' | 'conditionFrames'>,
  onnx: Uint8Array,
  o: CalibrateOptions,
): Promise<Calibration> {
  const { heldOut, targetFpr, sampledFps, rule, meter, signal, codeCounts, gmm } = o;
  if (heldOut.size < 10) throw new AppError('TrainingInputError', `Too few held-out frames (${heldOut.size}) to calibrate scores: use a longer training video.`);
  const L = config.latentDim;
  const size = store.getVideo(videoId).frameSize;
  const earlier = config.conditionFrames ?? 0;
  const scorer = await OnnxVaeScorer.create(onnx);
  const batches: Array<{ first: number; count: number; s: VaeScores; motion: Float32Array }> = [];
  try {
    let done = 0;
    const motion = new MotionStream(size, earlier, o.ignore ?? null);
    for (const b of conditionedFrameBatches(store, videoId, SCORE_BATCH, earlier)) {
      if (signal?.aborted) throw abortError();
      batches.push({ first: b.first, count: b.count, s: await scorer.run(b.pixels, b.count), motion: motion.next(b.pixels, b.count) });
      done += b.count;
      meter.update(done);
    }
  } finally {
    await scorer.dispose();
  }
  // Three-frame motion: each batch's last frame takes the next batch's first difference.
  batches.forEach((b, j) => {
    const next = batches[j + 1];
    b.motion = settleMotion(b.motion, b.count, next ? next.motion.subarray(0, next.motion.length / next.count) : null);
  });
  const all = (pick: (s: VaeScores, i: number) => number, only?: Set<number>) => {
    const out: number[] = [];
    for (const { first, count, s } of batches) for (let i = 0; i < count; i++) if (!only || only.has(first + i)) out.push(pick(s, i));
    return out;
  };
  const rowsOf = (field: (b: (typeof batches)[number]) => Float32Array) => {
    const rows: Float32Array[] = [];
    for (const b of batches) {
      const f = field(b);
      const w = f.length / b.count;
      for (let i = 0; i < b.count; i++) rows.push(f.subarray(i * w, (i + 1) * w));
    }
    return rows;
  };
  // Per-patch scales over every frame of the training video, floored at half the frame-wide level (a
  // patch that never varied in training is no evidence, not an infinitely sensitive spot). Every frame,
  // not the held-out blocks alone: a few blocks see walkers in a few places only (on a dev scene that
  // left 55% of normal test frames over the threshold); the held-out blocks calibrate the scalar
  // components below, where being unseen by the model matters.
  const patchScale = patchScales(rowsOf((b) => b.s.patchErr), batches[0]!.s.patchErr.length / batches[0]!.count);
  const motionScale = patchScales([...rowsOf((b) => b.motion), ...labelledMotion(store, o.labelled ?? [], size, o.ignore ?? null)], batches[0]!.motion.length / batches[0]!.count);
  const latentScale: number[] = [];
  for (let k = 0; k < L; k++) {
    const v = all((s, i) => s.mu[i * L + k]!);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    latentScale.push(Math.max(1e-3, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length)));
  }
  const partial: Pick<Calibration, 'patchMean' | 'patchStd' | 'latentScale' | 'rarity' | 'patchScale' | 'motionScale'> = {
    patchMean: [],
    patchStd: [],
    patchScale,
    motionScale,
    latentScale,
    ...(codeCounts ? { rarity: { counts: codeCounts, stat: { median: 0, scale: 1 } } } : {}),
  };
  let prevMu: Float32Array | null = null;
  const raws = batches.map(({ first, count, s, motion }) => {
    const r = batchComponents(s, count, L, partial, prevMu, gmm ?? null, motion);
    prevMu = s.mu.slice((count - 1) * L, count * L);
    return { first, count, s, r };
  });
  // The GP latent-trajectory model: fitted on this (training) video's whole μ trajectory (three shared
  // hyperparameters and a per-dimension centre and scale), its statistic calibrated on held-out frames.
  let gp: Calibration['gp'];
  if (rule.gp) {
    const mu = concatMu(batches.map(({ count, s }) => s.mu.subarray(0, count * L)));
    const model = fitGpTrajectory(mu, L);
    const { stat } = scoreGpTrajectory(model, mu, L);
    let k = 0;
    for (const { r } of raws) for (const row of r) row.gp = stat[k++]!;
    gp = { model, stat: robustStat(raws.flatMap(({ first, r }) => r.filter((_, i) => heldOut.has(first + i)).map((row) => row.gp!))) };
  }
  const heldRaw = raws.flatMap(({ first, r }) => r.filter((_, i) => heldOut.has(first + i)));
  if (partial.rarity) partial.rarity = { counts: partial.rarity.counts, stat: robustStat(heldRaw.map((r) => r.rarity!)) };
  const mixture = gmm ? { stat: robustStat(heldRaw.map((r) => r.mixture!)) } : undefined;
  const components = Object.fromEntries(COMBINED_COMPONENTS.map((k) => [k, robustStat(heldRaw.map((r) => r[k] ?? NaN).filter(Number.isFinite))])) as Record<CombinedComponent, ReturnType<typeof robustStat>>;
  // Each rule component's tail model on the held-out blocks: every component a p-value before they meet.
  const tails: NonNullable<Calibration['tails']> = {};
  for (const k of Object.keys(rule) as (keyof CombinationRule)[]) {
    const v = heldRaw.map((r) => r[k]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    if (v.length >= 10) tails[k] = fitTail(v);
  }
  const calib0: Calibration = { version: 2, tails, components, rule, ...partial, threshold: 0, lowThreshold: 0, targetFpr, sampledFps, ...(gp ? { gp } : {}), ...(mixture ? { mixture } : {}) };
  const heldCombined = heldRaw.map((r) => combine(r, calib0));
  const calibration: Calibration = {
    ...calib0,
    threshold: conformalThreshold(heldCombined, targetFpr),
    lowThreshold: conformalThreshold(heldCombined, Math.min(0.5, 5 * targetFpr)),
  };
  clearScores(store, modelId, videoId);
  const combined: number[] = [];
  for (const { first, s, r } of raws) {
    const rows = toScoreRows(first, r, s, L, calibration);
    rows.forEach((row) => combined.push(row.combined));
    writeScores(store, modelId, videoId, rows);
  }
  replaceEvents(store, modelId, videoId, detectEvents(combined, eventOptions(calibration)), calibration.threshold);
  return calibration;
}

/** Three-frame motion of each distinct labelled frame (scoring/motion.ts frameMotion). */
function labelledMotion(store: Store, picks: readonly FramePick[], size: number, ignore: Uint8Array | null): Float32Array[] {
  const seen = new Set<string>();
  const distinct = picks.filter((p) => !seen.has(`${p.videoId}:${p.index}`) && !!seen.add(`${p.videoId}:${p.index}`));
  if (!distinct.length) return [];
  const last = new Map<number, number>();
  for (const p of distinct) if (!last.has(p.videoId)) last.set(p.videoId, store.getVideo(p.videoId).frameCount - 1);
  const around = (d: number) => gatherFrames(store, distinct.map((p) => ({ videoId: p.videoId, index: Math.min(last.get(p.videoId)!, Math.max(0, p.index + d)) }))).data;
  const [prev, cur, next] = [around(-1), around(0), around(1)];
  const bytes = size * size * 3;
  return distinct.map((_, k) => frameMotion(prev.subarray(k * bytes, (k + 1) * bytes), cur.subarray(k * bytes, (k + 1) * bytes), next.subarray(k * bytes, (k + 1) * bytes), size, ignore));
}

/** Consecutive batches' μ as one [T, L] trajectory. */
export function concatMu(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Event detection settings from a calibration: hysteresis between the two thresholds, ~0.3 s minimum, ~1 s merge gap. */
export function eventOptions(c: Calibration): { threshold: number; lowThreshold: number; minFrames: number; mergeGap: number } {
  return eventOptionsFor(c.threshold, c.lowThreshold, c.sampledFps);
}
