/**
 * Training of the VAE family (kinds vae, ae, vae-gp, cvae, gmvae: one conv VAE of ml/vae/spec.ts, a
 * variant each, see driver.ts): pick the tfjs backend, train (checkpointed, resumable, cancelable),
 * export the scoring graph to ONNX, calibrate the score components on the video's held-out frames
 * through the scoring pass, and store weights + graph + calibration as a new model version. A
 * fine-tune starts from its parent's config and weights (and a gmvae's mixture prior). A failed or
 * canceled run leaves no model behind.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/envelope.js';
import { DEFAULT_CONDITION_FRAMES, DEFAULT_MIXTURE_COMPONENTS } from '../../../shared/train-defaults.js';
import { ProgressMeter } from '../../jobs/progress.js';
import { selectBackend } from '../../ml/backend/index.js';
import { exportVaeToOnnx } from '../../ml/onnx/export-vae.js';
import { deserializeWeights, type NamedArray, readWeightArrays, serializeWeightArrays, weightsToArrays } from '../../ml/vae/checkpoint.js';
import { DEFAULT_VAE_CONFIG, type VaeConfig } from '../../ml/vae/spec.js';
import { splitIndices, trainVae, type TrainOptions } from '../../ml/vae/train.js';
import { defaultTrainWorkers } from '../../ml/vae/parallel.js';
import { loadMixture, storeMixture, type StoredMixture } from '../../ml/vae/mixture-prior.js';
import { calibrateAndScore } from '../../scoring/calibrate-network.js';
import { checkScorable, scoreModelVideo } from '../../scoring/score-model.js';
import { frameClasses, listLabels } from '../../store/labels.js';
import { createModel, deleteModel, finishModel, modelBlobs, recordRun } from '../../store/models.js';
import type { Store } from '../../store/store.js';
import { earlierIndices, type FramePick, gatherFrames, stackFrames } from '../../engine/frames.js';
import { fineTunePool, poolRecord, trainingPool } from '../../engine/training-pool.js';
import { NetworkScorer } from '../network-scorer.js';
import { type EngineHooks, FINE_TUNE_DEFAULTS, TRAIN_DEFAULTS, totalTrainSeconds, trainingIgnoreMask, type TrainModelOptions, type TrainModelResult } from '../training.js';
import { getParsedModel, vaeFamilyModel } from '../records.js';
import { openVaeScorer } from './scorer.js';
import type { VaeVariant } from './variant.js';

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

export async function trainVaeModel(store: Store, variant: VaeVariant, o: TrainModelOptions, hooks: EngineHooks = {}): Promise<TrainModelResult> {
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const opt = { ...TRAIN_DEFAULTS, ...(o.parentModelId ? FINE_TUNE_DEFAULTS : {}), ...given } as TrainModelOptions & typeof TRAIN_DEFAULTS;
  const video = store.getVideo(o.videoId);
  const meter = new ProgressMeter(hooks.onProgress);
  meter.stage('loading frames');
  const parent = o.parentModelId ? loadParent(store, o.parentModelId, video.frameSize) : null;
  const kind = variant.kind;
  const backend = await selectBackend(o.backend);
  // A fine-tune rehearses its parent's training footage plus labelled normal/nuisance frames (training-pool.ts).
  const pool = parent && o.parentModelId ? fineTunePool(store, o.parentModelId, o.videoId, opt.maxFrames) : trainingPool(store, o.videoId, opt.maxFrames);
  const current = gatherFrames(store, pool.picks);
  // A conditional VAE learns frame t given frames t − 1 … t − k: each pick travels with its k predecessors.
  const earlier = parent ? (parent.config.conditionFrames ?? 0) : variant.conditional ? (o.conditionFrames ?? DEFAULT_CONDITION_FRAMES) : 0;
  if (o.conditionFrames !== undefined && (parent ? o.conditionFrames !== earlier : !variant.conditional))
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
  const k = variant.mixturePrior ? (parent?.mixture?.k ?? o.mixtureComponents ?? DEFAULT_MIXTURE_COMPONENTS) : 0;
  if (variant.mixturePrior && (!Number.isInteger(k) || k < 1 || k > 32)) throw new AppError('TrainingInputError', `A mixture prior needs 1 to 32 components, not ${k}.`);
  if (variant.mixturePrior && parent && !parent.mixture) throw new AppError('StoreError', `Model ${o.parentModelId} is a gmvae without a stored mixture prior: it cannot be fine-tuned.`);
  const mixLabels = variant.mixturePrior ? mixtureLabels(store, pool.picks, k) : null;
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
    ...(variant.objective ? { objective: variant.objective } : {}),
  };
  const mask = trainingIgnoreMask(store, video.id, config.inputSize, o.useIgnoreMask ?? true);
  const key = createHash('sha256')
    .update(JSON.stringify({ v: video.contentHash, id: video.id, n: frames.count, picks: pool.picks.length, parent: o.parentModelId ?? null, trainOpts, k, mixLabels: mixLabels ? Array.from(mixLabels) : null, ...(mask ? { mask: mask.record } : {}) }))
    .digest('hex')
    .slice(0, 16);
  mkdirSync(o.checkpointDir, { recursive: true });
  const checkpointPath = join(o.checkpointDir, `train-${key}.ckpt`);
  const name = o.name ?? (parent ? `Fine-tune of model ${o.parentModelId} on ${video.name}` : `${variant.title} on ${video.name}`);
  // Held out: validation frames of the base video's own (unrepeated) part of the pool; recorded so a later
  // fine-tune leaves them out and the comparison can measure false alarms on them.
  const { train: trainSplit, val } = splitIndices(frames.count, opt.validationFraction, opt.seed);
  const heldOut = new Set(val.filter((i) => i < pool.baseCount).map((i) => frames.indices[i]!));
  // The base video's frames that trained the model: the rest of the calibration sample (scoring/gap.ts).
  const trained = new Set(trainSplit.filter((i) => i < pool.baseCount).map((i) => frames.indices[i]!));
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
    const rule = o.combination ?? variant.combination;
    const scorer = await NetworkScorer.open(onnx, { latentDim: config.latentDim, earlier: config.conditionFrames ?? 0, gmm: result.mixture ?? null });
    // A fine-tune's calibration also takes its parent's held-out frames, which neither model trained on.
    const calibration = await calibrateAndScore(store, modelId, pool.baseVideoId, scorer, {
      heldOut: pool.reserved?.length ? new Set([...heldOut, ...pool.reserved]) : heldOut,
      trained,
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
    if (pool.baseVideoId !== video.id) {
      const child = vaeFamilyModel(getParsedModel(store, modelId));
      checkScorable(store, child, video.id);
      await scoreModelVideo(store, child, video.id, await openVaeScorer(child, onnx), hooks.signal ? { signal: hooks.signal } : {});
    }
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

/** A parent model's config and weights (and a gmvae's mixture prior), checked to fit the video being fine-tuned on. */
function loadParent(store: Store, parentId: number, frameSize: number): { config: VaeConfig; weights: NamedArray[]; mixture: StoredMixture | null } {
  const m = vaeFamilyModel(getParsedModel(store, parentId));
  const { weights: bytes } = modelBlobs(store, parentId);
  const { weights, config } = deserializeWeights(bytes);
  try {
    if (!config) throw new AppError('StoreError', `Model ${parentId} has no stored config to fine-tune from.`);
    if (config.inputSize !== frameSize)
      throw new AppError('TrainingInputError', `Model ${parentId} takes ${config.inputSize} px frames; this video was stored at ${frameSize} px. Import it again at ${config.inputSize} px.`);
    const mixture = m.config.mixture ?? null;
    return { config, weights: weightsToArrays(weights, config), mixture };
  } finally {
    tf.dispose(Object.values(weights));
  }
}

