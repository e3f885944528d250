/**
 * Kind 'vq-vae' end to end: train the VQ-VAE (ml/vq) on the training pool, export its ONNX scorer
 * (the VAE scorer's outputs plus codes), calibrate every component on the held-out split (the same
 * seeded split as the other kinds) including the rarity of a frame's codes under the training code
 * frequencies, and store weights + graph + calibration + code usage. 'vq-pixelcnn' is the same run
 * with a step after the VQ-VAE (VqVariant, models/vq-pixelcnn/train.ts).
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../shared/envelope.js';
import { ProgressMeter } from '../../jobs/progress.js';
import { selectBackend } from '../../ml/backend/index.js';
import { exportVqToOnnx } from '../../ml/onnx/export-vq.js';
import type { TrainedVq } from '../../ml/pixelcnn/vq-pixelcnn.js';
import { type FrameSet, splitIndices } from '../../ml/vae/train.js';
import { trainVqVae } from '../../ml/vq/train-vq.js';
import { DEFAULT_VQ_CONFIG, type VqConfig, vqGrid } from '../../ml/vq/vq-vae.js';
import { type CombinationRule, VQ_COMBINATION } from '../../scoring/calibrate.js';
import { createModel, deleteModel, finishModel, recordRun } from '../../store/models.js';
import type { Store } from '../../store/store.js';
import { gatherFrames } from '../../engine/frames.js';
import { trainingPool } from '../../engine/training-pool.js';
import { calibrateAndScore } from '../../scoring/calibrate-network.js';
import { NetworkScorer } from '../network-scorer.js';
import { type EngineHooks, TRAIN_DEFAULTS, trainingIgnoreMask, type TrainModelOptions, type TrainModelResult } from '../training.js';
import { packVqWeights } from './weights.js';

/**
 * A kind built on the VQ-VAE (vq-pixelcnn): what it adds once the VQ-VAE is trained. The plain
 * 'vq-vae' is the variant that adds nothing.
 */
export interface VqVariant {
  kind: 'vq-vae' | 'vq-pixelcnn';
  /** Its name in the default model name ("<title> on <video>"). */
  title: string;
  combination: CombinationRule;
  /** What the kind adds to the stored config (and to the model's key), from the VQ-VAE's config. */
  extraConfig?: (config: VqConfig) => Record<string, unknown>;
  /**
   * After the VQ-VAE is trained, on its training split: the blob and scoring graph the model stores
   * instead of the VQ-VAE's own, metrics to add, and the seconds it took (added to the training time;
   * the training frames/s stays the VQ-VAE's).
   */
  afterVq?: (vq: TrainedVq, train: FrameSet, hooks: EngineHooks) => Promise<{ weights: Uint8Array; onnx: Uint8Array; metrics: Record<string, unknown>; seconds: number }>;
}

const PLAIN_VQ: VqVariant = { kind: 'vq-vae', title: 'VQ-VAE', combination: VQ_COMBINATION };

export const trainVqModel = (store: Store, o: TrainModelOptions, hooks: EngineHooks = {}): Promise<TrainModelResult> => trainVqFamily(store, o, hooks, PLAIN_VQ);

/** Train a VQ-VAE-based kind (see the file comment and VqVariant). */
export async function trainVqFamily(store: Store, o: TrainModelOptions, hooks: EngineHooks, variant: VqVariant): Promise<TrainModelResult> {
  if (o.parentModelId) throw new AppError('TrainingInputError', `A ${variant.title} cannot be fine-tuned yet.`);
  const video = store.getVideo(o.videoId);
  const meter = new ProgressMeter(hooks.onProgress);
  meter.stage('loading frames');
  const backend = await selectBackend(o.backend);
  const pool = trainingPool(store, o.videoId, o.maxFrames ?? TRAIN_DEFAULTS.maxFrames);
  const frames = gatherFrames(store, pool.picks);
  const config: VqConfig = { ...DEFAULT_VQ_CONFIG, inputSize: frames.size, ...(o.filters ? { filters: o.filters } : {}) };
  const opts = {
    config,
    epochs: o.epochs ?? TRAIN_DEFAULTS.epochs,
    batchSize: o.batchSize ?? TRAIN_DEFAULTS.batchSize,
    learningRate: o.learningRate ?? TRAIN_DEFAULTS.learningRate,
    validationFraction: o.validationFraction ?? TRAIN_DEFAULTS.validationFraction,
    seed: o.seed ?? TRAIN_DEFAULTS.seed,
  };
  const mask = trainingIgnoreMask(store, video.id, frames.size, o.useIgnoreMask ?? true);
  const extra = variant.extraConfig?.(config) ?? {};
  const modelId = createModel(store, {
    kind: variant.kind,
    name: o.name ?? `${variant.title} on ${video.name}`,
    config: { ...config, ...extra, train: opts, key: createHash('sha256').update(JSON.stringify({ v: video.contentHash, opts, ...extra, ...(mask ? { mask: mask.record } : {}) })).digest('hex').slice(0, 16), ignoreMask: mask?.record ?? null },
    trainVideoId: video.id,
  });
  try {
    meter.stage(`training (${backend.name})`);
    const t0 = performance.now();
    const r = await trainVqVae(frames, { ...opts, ...(mask ? { ignoreMask: mask.pixels } : {}) }, {
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      onProgress: (p) => {
        const total = opts.epochs * p.stepsPerEpoch;
        const done = p.epoch * p.stepsPerEpoch + p.step;
        hooks.onProgress?.({ done, total, fraction: done / total, rate: p.framesPerSec, unit: 'steps', rateUnit: 'frames', etaSec: done > 0 ? ((performance.now() - t0) / 1000 / done) * (total - done) : null, stage: `training VQ-VAE on ${backend.name} (${backend.device}, 1 thread: its own loop is not data-parallel): epoch ${p.epoch + 1}/${opts.epochs}, recon ${p.recon.toFixed(1)}` });
      },
    });
    const { train, val } = splitIndices(frames.count, opts.validationFraction, opts.seed);
    const added = variant.afterVq ? await variant.afterVq({ config, weights: r.weights, codebook: r.codebook, ...(mask ? { ignoreMask: mask.pixels } : {}) }, pickFrames(frames, train), hooks) : null;
    const onnx = added?.onnx ?? exportVqToOnnx(config, r.weights, r.codebook, mask?.pixels);
    meter.stage('calibrating on held-out frames', video.frameCount);
    const heldOut = new Set(val.map((i) => frames.indices[i]!));
    const trained = new Set(train.map((i) => frames.indices[i]!));
    const scorer = await NetworkScorer.open(onnx, { latentDim: vqGrid(config).dim, earlier: 0, gmm: null });
    const calibration = await calibrateAndScore(store, modelId, video.id, scorer, {
      heldOut,
      trained,
      targetFpr: o.targetFpr ?? TRAIN_DEFAULTS.targetFpr,
      sampledFps: video.sampledFps,
      rule: o.combination ?? variant.combination,
      meter,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      codeCounts: Array.from(r.usage.counts),
      ignore: mask?.pixels ?? null,
    });
    const metrics = {
      epochs: r.history.length,
      bestEpoch: r.bestEpoch,
      history: r.history,
      codeUsage: { perplexity: r.usage.perplexity, entropy: r.usage.entropy, unused: r.usage.unused.length, codebookSize: config.codebookSize },
      trainFramesPerSec: r.framesPerSec,
      trainSeconds: r.seconds + (added?.seconds ?? 0),
      threshold: calibration.threshold,
      ...added?.metrics,
    };
    finishModel(store, modelId, { weights: added?.weights ?? packVqWeights(config, r.weights, r.codebook), onnx, calibration, metrics, backend: backend.name });
    recordRun(store, modelId, opts, r.history, 'succeeded');
    meter.finish(video.frameCount);
    return { modelId, backend: backend.name, device: backend.device, workers: 1, trainSeconds: r.seconds + (added?.seconds ?? 0), trainFramesPerSec: r.framesPerSec, epochs: r.history.length, bestEpoch: r.bestEpoch, threshold: calibration.threshold };
  } catch (e) {
    deleteModel(store, modelId);
    throw e;
  }
}

/** The frames at `picks` (indices into `frames`) as a FrameSet of their own. */
function pickFrames(frames: FrameSet, picks: readonly number[]): FrameSet {
  const per = frames.size * frames.size * frames.channels;
  const data = new Uint8Array(picks.length * per);
  picks.forEach((i, k) => data.set(frames.data.subarray(i * per, (i + 1) * per), k * per));
  return { data, count: picks.length, size: frames.size, channels: frames.channels };
}
