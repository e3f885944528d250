/**
 * What trainVae is asked to do: the frames, the options with their defaults, and their validation
 * into one resolved, checked set (every bad input is a TrainingInputError naming the problem).
 */
import { checkWeightArrays, type NamedArray } from './checkpoint.js';
import { TrainingInputError } from './errors.js';
import type { TemperatureSchedule } from '../family/gumbel.js';
import type { DiagGmm } from '../family/mixture.js';
import type { KindHooksFactory } from './kind-hooks.js';
import { resolveGuard, type CollapseGuard, type ResolvedGuard } from './mixture-prior.js';
import { inputChannels, validateConfig, type VaeConfig } from './spec.js';

/** Frames as bytes, NHWC: count frames of size×size×channels, values 0..255. */
export interface FrameSet {
  data: Uint8Array;
  count: number;
  size: number;
  channels: number;
}

export interface TrainOptions {
  config: VaeConfig;
  epochs: number;
  batchSize: number;
  /** Adam step size. */
  learningRate: number;
  /** Weight on the KL term (β-VAE); default 1. */
  beta?: number;
  /**
   * 'elbo' (default): the VAE. 'autoencoder': the same network as a deterministic autoencoder, z = μ
   * (no sampling: ε = 0) and the reconstruction NLL alone (no KL; β and the warm-up are ignored).
   */
  objective?: 'elbo' | 'autoencoder';
  /** β ramps linearly from 0 to `beta` over this many epochs; default 0 (no warm-up). */
  klWarmupEpochs?: number;
  /** Share of frames held out for validation, chosen by a seeded shuffle; default 0.1, 0 for none. */
  validationFraction?: number;
  /**
   * Early stopping: stop after this many epochs without an improvement of the validation negative
   * ELBO (the training loss when there is no split) by more than `minDelta`. 0 / undefined: off.
   * Epochs inside the KL warm-up do not count towards patience.
   */
  patience?: number;
  /** Smallest decrease of the monitored loss (nats per frame) that counts as an improvement; default 0. */
  minDelta?: number;
  /** Seed of every random choice; default 1. */
  seed?: number;
  /** Written atomically after every epoch. */
  checkpointPath?: string;
  /** Continue from `checkpointPath` if it exists (a missing file starts a fresh run). */
  resume?: boolean;
  /**
   * 'gaussian-learned' only: start the decoder's log σ² at the log of the per-channel mean squared
   * error of the untrained decoder (whose mean is ≈ 0.5 everywhere), i.e. its maximum-likelihood
   * value, instead of spec.ts's 0 (σ² = 1, far too wide for pixels in 0..1; with Adam moving log σ²
   * by about one learning rate per step it would take thousands of steps to get there, and the wide
   * σ² lets the KL term switch the encoder off meanwhile). Default 'data'.
   */
  decoderLogVarInit?: 'data' | 'zeros';
  /** Adam's moment decay rates and epsilon; defaults 0.9, 0.999, 1e-7 (as tf.train.adam). */
  adam?: { beta1?: number; beta2?: number; epsilon?: number };
  /**
   * Fine-tuning: start from these weights (names and shapes must match the config) instead of a
   * fresh initialization. A checkpoint being resumed still wins. Adam's moments start at zero.
   */
  initialWeights?: NamedArray[];
  /**
   * Masked (missing-data) likelihood: S·S bytes, row-major, 1 where the pixel is ignored
   * (shared/ignore-mask.ts rasterizeIgnoreMask at the model's inputSize). Ignored pixels are left out
   * of the reconstruction NLL (training and validation) and zeroed in the encoder's input, and the
   * learned decoder variance starts from the observed pixels only. Absent (or all zero): the run is
   * exactly the unmasked one. A checkpoint made under another mask is not resumed.
   */
  ignoreMask?: Uint8Array;
  /** The mixture-prior VAE (mixture-prior.ts): a Gaussian-mixture prior with K components, EM-updated each epoch. */
  mixturePrior?: MixturePriorOptions;
  /**
   * Data-parallel threads (parallel.ts): each step's batch is split over this many threads (this one
   * and workers − 1 helpers, each with its own wasm backend), their gradients are added and one Adam
   * step is made here. The same seed gives the same model as one thread up to the order of float
   * additions. Only the wasm backend is split; where helpers cannot start the run uses one thread
   * (TrainResult.parallel says why). Default 1 here; the app and the CLI default to one per core.
   */
  workers?: number;
  /**
   * The per-kind parts of the run (kind-hooks.ts), for a model-kind registry to supply; default
   * kindHooksFor: the mixture prior with `mixturePrior`, the autoencoder with objective
   * 'autoencoder', the ELBO otherwise.
   */
  kindHooks?: KindHooksFactory;
}

/** Epochs over which the default Gumbel-softmax temperature falls from 1 to 0.5. */
export const DEFAULT_ANNEAL_EPOCHS = 5;

export interface MixturePriorOptions {
  /** Number of components K (≥ 1). */
  k: number;
  /** Known class per frame of the FrameSet (0..K−1), −1 where unlabelled: those frames' class is fixed (semi-supervised). */
  labels?: ArrayLike<number>;
  /** Start from this mixture (a fine-tune) instead of fitting one to the codes of the warm-up epochs. */
  initial?: DiagGmm;
  /**
   * Epochs trained as a plain VAE (prior N(0, I)) before the first mixture is fitted to the sampled
   * codes of the last of them (k-means++ and 20 EM iterations); default 1, 0 only with `initial`.
   * Best-epoch tracking starts once the mixture exists, so the returned weights always have a prior.
   */
  warmupEpochs?: number;
  /**
   * Gumbel-softmax temperature per step; default τ₀ = 1 decaying exponentially to 0.5 over the first
   * DEFAULT_ANNEAL_EPOCHS epochs (not a share of the run: a run resumed with more epochs must see the same τ).
   */
  temperature?: TemperatureSchedule;
  /** The collapse guard (mixture-prior.ts); false: off (for tests that show what it prevents). */
  guard?: CollapseGuard | false;
  /** Floor on every component variance (default 1e-3). */
  varFloor?: number;
}

/** TrainOptions checked, with every default filled in. */
export interface ResolvedOptions {
  config: VaeConfig;
  epochs: number;
  batchSize: number;
  learningRate: number;
  beta: number;
  klWarmupEpochs: number;
  validationFraction: number;
  patience: number;
  minDelta: number;
  seed: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  decoderLogVarInit: 'data' | 'zeros';
  autoencoder: boolean;
  /** The ignore mask when it ignores at least one pixel; null otherwise. */
  ignoreMask: Uint8Array | null;
  mixture: ResolvedMixture | null;
  workers: number;
}

export interface ResolvedMixture {
  k: number;
  labels: Int32Array | null;
  initial: DiagGmm | null;
  warmupEpochs: number;
  temperature: TemperatureSchedule | null;
  guard: ResolvedGuard;
  varFloor: number;
}

function resolveMixture(frames: FrameSet, opts: TrainOptions, bad: (msg: string) => never): ResolvedMixture | null {
  const mp = opts.mixturePrior;
  if (!mp) return null;
  if ((opts.objective ?? 'elbo') !== 'elbo') bad('a mixture prior needs the ELBO objective');
  if (!Number.isInteger(mp.k) || mp.k < 1) bad(`mixturePrior.k must be an integer >= 1, got ${mp.k}`);
  const warmupEpochs = mp.warmupEpochs ?? (mp.initial ? 0 : 1);
  if (!Number.isInteger(warmupEpochs) || warmupEpochs < 0) bad(`mixturePrior.warmupEpochs must be an integer >= 0, got ${warmupEpochs}`);
  if (warmupEpochs === 0 && !mp.initial) bad('mixturePrior.warmupEpochs 0 needs an initial mixture');
  if (warmupEpochs >= opts.epochs) bad(`a mixture-prior VAE needs more epochs (${opts.epochs}) than plain-VAE warm-up epochs (${warmupEpochs})`);
  if (mp.initial && (mp.initial.k !== mp.k || mp.initial.dim !== opts.config.latentDim))
    bad(`the initial mixture has K = ${mp.initial.k}, D = ${mp.initial.dim}; need K = ${mp.k}, D = ${opts.config.latentDim}`);
  let labels: Int32Array | null = null;
  if (mp.labels) {
    if (mp.labels.length !== frames.count) bad(`mixturePrior.labels has ${mp.labels.length} entries for ${frames.count} frames`);
    labels = Int32Array.from(mp.labels, (c) => (Number.isInteger(c) && c >= 0 && c < mp.k ? c : c === -1 ? -1 : bad(`mixturePrior.labels: ${c} is not a class in 0..${mp.k - 1} or -1`)));
  }
  const varFloor = mp.varFloor ?? 1e-3;
  if (!(varFloor > 0)) bad(`mixturePrior.varFloor must be > 0, got ${varFloor}`);
  let guard: ResolvedGuard;
  try {
    guard = resolveGuard(mp.k, mp.guard);
  } catch (e) {
    return bad((e as Error).message);
  }
  return { k: mp.k, labels, initial: mp.initial ?? null, warmupEpochs, temperature: mp.temperature ?? null, guard, varFloor };
}

export function resolveOptions(frames: FrameSet, opts: TrainOptions): ResolvedOptions {
  const bad = (msg: string): never => {
    throw new TrainingInputError(msg);
  };
  if (!opts || !opts.config) bad('training options need a config');
  try {
    validateConfig(opts.config);
  } catch (e) {
    bad(`invalid VAE config: ${(e as Error).message}`);
  }
  const c = opts.config;
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

  if (!frames || !(frames.data instanceof Uint8Array)) bad('frames.data must be a Uint8Array of 0..255 pixel values (NHWC)');
  if (!isInt(frames.count) || frames.count < 1 || frames.data.length === 0)
    bad('the training set is empty: at least one frame is needed');
  const cin = inputChannels(c);
  if (frames.size !== c.inputSize || frames.channels !== cin)
    bad(
      `frames are ${frames.size}×${frames.size}×${frames.channels} but the model expects ` +
        `${c.inputSize}×${c.inputSize}×${cin} (config inputSize/channels${c.conditionFrames ? ', current and previous frame' : ''}); resize or convert the frames first`,
    );
  const perFrame = c.inputSize * c.inputSize * cin;
  if (frames.data.length !== frames.count * perFrame)
    bad(`frames.data holds ${frames.data.length} bytes, expected count × size × size × channels = ${frames.count} × ${perFrame} = ${frames.count * perFrame}`);

  if (!isInt(opts.epochs) || opts.epochs < 1) bad(`epochs must be an integer >= 1, got ${opts.epochs}`);
  if (!isInt(opts.batchSize) || opts.batchSize < 1) bad(`batchSize must be an integer >= 1, got ${opts.batchSize}`);
  if (!isNum(opts.learningRate) || opts.learningRate <= 0) bad(`learningRate must be a positive number, got ${opts.learningRate}`);
  const beta = opts.beta ?? 1;
  if (!isNum(beta) || beta < 0) bad(`beta must be a number >= 0, got ${beta}`);
  const klWarmupEpochs = opts.klWarmupEpochs ?? 0;
  if (!isNum(klWarmupEpochs) || klWarmupEpochs < 0) bad(`klWarmupEpochs must be >= 0, got ${klWarmupEpochs}`);
  const validationFraction = opts.validationFraction ?? 0.1;
  if (!isNum(validationFraction) || validationFraction < 0 || validationFraction >= 1)
    bad(`validationFraction must be in [0, 1), got ${validationFraction}`);
  const patience = opts.patience ?? 0;
  if (!isInt(patience) || patience < 0) bad(`patience must be an integer >= 0, got ${patience}`);
  const minDelta = opts.minDelta ?? 0;
  if (!isNum(minDelta) || minDelta < 0) bad(`minDelta must be a number >= 0, got ${minDelta}`);
  const seed = opts.seed ?? 1;
  if (!isInt(seed)) bad(`seed must be an integer, got ${seed}`);
  if (opts.resume && !opts.checkpointPath) bad('resume needs a checkpointPath');
  if (opts.initialWeights) {
    try {
      checkWeightArrays(opts.config, opts.initialWeights);
    } catch (e) {
      bad(`initial weights do not fit the config: ${(e as Error).message}`);
    }
  }

  if (validationFraction > 0) {
    const valCount = Math.floor(frames.count * validationFraction);
    if (valCount < 1 || frames.count - valCount < 1)
      bad(
        `too few frames for a validation split: ${frames.count} frame(s) × validationFraction ${validationFraction} ` +
          `leaves ${valCount} for validation and ${frames.count - valCount} for training; ` +
          `use at least ${Math.ceil(1 / validationFraction)} frames or validationFraction 0`,
      );
  }
  const beta1 = opts.adam?.beta1 ?? 0.9;
  const beta2 = opts.adam?.beta2 ?? 0.999;
  const epsilon = opts.adam?.epsilon ?? 1e-7;
  const decoderLogVarInit = opts.decoderLogVarInit ?? 'data';
  if (decoderLogVarInit !== 'data' && decoderLogVarInit !== 'zeros') bad(`decoderLogVarInit must be 'data' or 'zeros', got ${decoderLogVarInit}`);
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) bad('adam needs 0 <= beta1, beta2 < 1 and epsilon > 0');
  const objective = opts.objective ?? 'elbo';
  if (objective !== 'elbo' && objective !== 'autoencoder') bad(`objective must be 'elbo' or 'autoencoder', got ${String(objective)}`);
  const autoencoder = objective === 'autoencoder';
  const mixture = resolveMixture(frames, opts, bad);
  const workers = opts.workers ?? 1;
  if (!isInt(workers) || workers < 1 || workers > 256) bad(`workers must be an integer from 1 to 256, got ${workers}`);
  let ignoreMask: Uint8Array | null = null;
  if (opts.ignoreMask !== undefined) {
    const m = opts.ignoreMask;
    if (!(m instanceof Uint8Array) || m.length !== c.inputSize * c.inputSize)
      bad(`ignoreMask must be a Uint8Array of inputSize² = ${c.inputSize * c.inputSize} values (1 = ignored), got ${m instanceof Uint8Array ? m.length : typeof m}`);
    let ignored = 0;
    for (const v of m) {
      if (v !== 0 && v !== 1) bad(`ignoreMask values are 0 (counts) or 1 (ignored), found ${v}`);
      ignored += v;
    }
    if (ignored === m.length) bad('the ignore mask covers every pixel: nothing is left to learn from');
    if (ignored > 0) ignoreMask = m;
  }
  return {
    config: c,
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    learningRate: opts.learningRate,
    beta: autoencoder ? 0 : beta,
    klWarmupEpochs: autoencoder ? 0 : klWarmupEpochs,
    validationFraction,
    patience,
    minDelta,
    seed,
    beta1,
    beta2,
    epsilon,
    decoderLogVarInit,
    autoencoder,
    mixture,
    ignoreMask,
    workers,
  };
}
