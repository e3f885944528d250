/**
 * A training run's state and its checkpoints: the weight variables, the best epoch's weights, the
 * history and the early-stopping counter; where they start (fresh, fine-tuned, or resumed from a
 * checkpoint after checking that it belongs to this run) and what a checkpoint of them holds.
 * Adam's moments are the optimizer's (optimizer.ts), a kind's extras its hooks' (kind-hooks.ts).
 */
import { access } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import {
  arraysToWeights,
  loadCheckpoint,
  readWeightArrays,
  type AdamState,
  type EpochRecord,
  type NamedArray,
  type TrainCheckpoint,
} from './checkpoint.js';
import { TrainingInputError } from './errors.js';
import type { KindHooks } from './kind-hooks.js';
import type { FrameSet, ResolvedOptions } from './options.js';
import { initWeights, weightSpecs, type VaeConfig, type VaeWeights } from './spec.js';
import { RNG_SCHEME } from './split.js';

/** The frames a run trains on, as a checkpoint records them. */
export type DataInfo = TrainCheckpoint['data'];

/** A cheap fingerprint of the frames (count, shape and a strided sample of bytes), FNV-1a. */
function fingerprint(f: FrameSet): number {
  let h = 0x811c9dc5;
  const mix = (b: number): void => {
    h = Math.imul(h ^ (b & 0xff), 0x01000193);
  };
  for (const v of [f.count, f.size, f.channels]) for (let k = 0; k < 4; k++) mix(v >>> (8 * k));
  const stride = Math.max(1, Math.floor(f.data.length / 65536));
  for (let i = 0; i < f.data.length; i += stride) mix(f.data[i]!);
  return h >>> 0;
}

/** The frames' fingerprint mixed with the ignore mask's bytes (FNV-1a). */
function maskFingerprint(h: number, mask: Uint8Array): number {
  for (let i = 0; i < mask.length; i++) h = Math.imul(h ^ (mask[i]! ? 0x9d : 0x3b), 0x01000193);
  return h >>> 0;
}

export function dataInfo(frames: FrameSet, ignoreMask: Uint8Array | null, trainCount: number, valCount: number): DataInfo {
  return {
    count: frames.count,
    size: frames.size,
    channels: frames.channels,
    trainCount,
    valCount,
    // A masked run's fingerprint also covers the mask, so a checkpoint made under another mask is refused.
    fingerprint: ignoreMask ? maskFingerprint(fingerprint(frames), ignoreMask) : fingerprint(frames),
  };
}

const sameConfig = (a: VaeConfig, b: VaeConfig): boolean =>
  a.inputSize === b.inputSize &&
  a.channels === b.channels &&
  a.latentDim === b.latentDim &&
  a.likelihood === b.likelihood &&
  a.fixedLogVar === b.fixedLogVar &&
  (a.conditionFrames ?? 0) === (b.conditionFrames ?? 0) &&
  a.filters.length === b.filters.length &&
  a.filters.every((f, i) => f === b.filters[i]);

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The checkpoint to continue from (null: a fresh run); TrainingInputError when it belongs to another run. */
export async function loadResumable(path: string | undefined, resume: boolean | undefined, o: ResolvedOptions, data: DataInfo): Promise<TrainCheckpoint | null> {
  if (!resume || !path || !(await exists(path))) return null;
  const ck = await loadCheckpoint(path);
  if (!sameConfig(ck.config, o.config))
    throw new TrainingInputError(`cannot resume: the checkpoint was trained with config ${JSON.stringify(ck.config)}, not ${JSON.stringify(o.config)}`);
  if (ck.rng.seed !== o.seed) throw new TrainingInputError(`cannot resume: the checkpoint used seed ${ck.rng.seed}, not ${o.seed}`);
  const d = ck.data;
  if (d.count !== data.count || d.fingerprint !== data.fingerprint)
    throw new TrainingInputError(`cannot resume: the checkpoint was trained on other frames (${d.count} frames, fingerprint ${d.fingerprint}; now ${data.count}, ${data.fingerprint})`);
  if (d.trainCount !== data.trainCount || d.valCount !== data.valCount)
    throw new TrainingInputError(`cannot resume: the checkpoint split the frames ${d.trainCount}/${d.valCount} (train/validation), these options give ${data.trainCount}/${data.valCount}; use the same validationFraction`);
  return ck;
}

/**
 * log of the per-channel mean of (x − 0.5)² over the training frames, clamped to [log 1e-4, 0] (the
 * picture's own channels only; with an ignore mask, its observed pixels only).
 */
function dataLogVar(frames: FrameSet, train: number[], channels: number, ignore: Uint8Array | null): number[] {
  const stride = frames.channels;
  const per = frames.size * frames.size * stride;
  const sums = new Float64Array(channels);
  for (const f of train) {
    const off = f * per;
    for (let i = 0; i < per; i++) {
      if (i % stride >= channels) continue;
      if (ignore && ignore[Math.floor(i / stride)]) continue;
      const d = frames.data[off + i]! / 255 - 0.5;
      sums[i % stride]! += d * d;
    }
  }
  let pixels = frames.size * frames.size;
  if (ignore) for (const v of ignore) pixels -= v;
  const n = train.length * pixels;
  return Array.from(sums, (s) => Math.min(0, Math.max(Math.log(1e-4), Math.log(s / n))));
}

/** The weights a run starts from: the checkpoint's, else the fine-tune's, else a seeded initialization (with the decoder variance from the data). */
function startingWeights(o: ResolvedOptions, frames: FrameSet, train: number[], ck: TrainCheckpoint | null, initialWeights: NamedArray[] | undefined): VaeWeights {
  const { config } = o;
  const initial = ck ? arraysToWeights(ck.weights) : initialWeights ? arraysToWeights(initialWeights) : initWeights(config, o.seed);
  if (!ck && !initialWeights && config.likelihood === 'gaussian-learned' && o.decoderLogVarInit === 'data') {
    initial['dec.logvar']!.dispose();
    initial['dec.logvar'] = tf.tensor1d(dataLogVar(frames, train, config.channels, o.ignoreMask));
  }
  return initial;
}

export function cloneWeights(w: VaeWeights): VaeWeights {
  const out: VaeWeights = {};
  for (const [k, t] of Object.entries(w)) out[k] = tf.clone(t);
  return out;
}

/** The weights being trained, the best epoch so far, the history and early stopping. Owns its tensors until dispose. */
export class TrainState {
  readonly vars: Record<string, tf.Variable> = {};
  /** A copy of the best epoch's weights, once there is one. */
  private best: VaeWeights | null = null;
  readonly history: EpochRecord[];
  private bestLoss: number;
  bestEpoch: number;
  /** Epochs since the best one (the early-stopping counter). */
  private badEpochs: number;
  /** The first epoch this call runs (the checkpoint's epochs done, 0 for a fresh run). */
  readonly startEpoch: number;
  stoppedEarly: boolean;

  constructor(
    private readonly o: ResolvedOptions,
    frames: FrameSet,
    train: number[],
    private readonly ck: TrainCheckpoint | null,
    initialWeights: NamedArray[] | undefined,
  ) {
    const initial = startingWeights(o, frames, train, ck, initialWeights);
    for (const s of weightSpecs(o.config)) {
      this.vars[s.name] = tf.variable(initial[s.name]!, true);
      initial[s.name]!.dispose();
    }
    if (ck?.bestWeights) this.best = arraysToWeights(ck.bestWeights);
    else if (ck && ck.bestEpoch >= 0) this.best = cloneWeights(this.vars);
    this.history = ck ? [...ck.history] : [];
    this.bestLoss = ck?.bestLoss ?? Infinity;
    this.bestEpoch = ck?.bestEpoch ?? -1;
    this.badEpochs = ck?.badEpochs ?? 0;
    this.startEpoch = ck?.epoch ?? 0;
    this.stoppedEarly = o.patience > 0 && this.badEpochs >= o.patience;
  }

  /** The variables as weights (a view: not a copy). */
  get weights(): VaeWeights {
    return this.vars;
  }

  /** The validation loss of the last finished epoch, when there is one. */
  get lastValLoss(): number | undefined {
    return this.history.length ? (this.history[this.history.length - 1]!.valLoss ?? undefined) : undefined;
  }

  /**
   * A finished epoch: its record joins the history, and the monitored loss (validation negative ELBO,
   * else the training loss) decides whether it is the best so far or counts towards patience.
   * `restartBest`: the epochs before are not comparable with this one.
   */
  endEpoch(rec: EpochRecord, kind: KindHooks, restartBest: boolean): void {
    if (restartBest) this.bestLoss = Infinity;
    this.history.push(rec);
    const monitored = rec.valLoss ?? rec.recon + rec.kl;
    if (!kind.tracksBest()) return;
    if (monitored < this.bestLoss - this.o.minDelta) {
      this.bestLoss = monitored;
      this.bestEpoch = rec.epoch;
      this.badEpochs = 0;
      if (this.best) tf.dispose(Object.values(this.best));
      this.best = cloneWeights(this.vars);
      kind.keepBest();
    } else {
      if (rec.epoch >= this.o.klWarmupEpochs) this.badEpochs++;
      if (this.o.patience > 0 && this.badEpochs >= this.o.patience) this.stoppedEarly = true;
    }
  }

  /** Everything needed to continue after `epochsDone` epochs. */
  async checkpoint(epochsDone: number, adam: AdamState, data: DataInfo, kind: KindHooks): Promise<TrainCheckpoint> {
    const { o } = this;
    return {
      config: o.config,
      epoch: epochsDone,
      weights: await readWeightArrays(this.vars, o.config),
      // Stored only when they differ from the current weights (the best epoch is not the last).
      bestWeights: this.best && this.bestEpoch !== epochsDone - 1 ? await readWeightArrays(this.best, o.config) : null,
      adam,
      bestLoss: Number.isFinite(this.bestLoss) ? this.bestLoss : null,
      bestEpoch: this.bestEpoch,
      badEpochs: this.badEpochs,
      history: this.history,
      rng: { seed: o.seed, scheme: RNG_SCHEME },
      data,
      options: {
        epochs: o.epochs,
        batchSize: o.batchSize,
        learningRate: o.learningRate,
        beta: o.beta,
        klWarmupEpochs: o.klWarmupEpochs,
        validationFraction: o.validationFraction,
        patience: o.patience,
        minDelta: o.minDelta,
        decoderLogVarInit: o.decoderLogVarInit,
        backend: tf.getBackend(),
      },
      savedAt: new Date().toISOString(),
      ...kind.checkpoint(),
    };
  }

  /** The best epoch's weights (the current ones before there is a best), as new tensors. */
  bestWeights(): VaeWeights {
    return cloneWeights(this.best ?? this.vars);
  }

  /** The epoch the run resumed from, or null for a fresh run. */
  get resumedFromEpoch(): number | null {
    return this.ck ? this.ck.epoch : null;
  }

  dispose(): void {
    for (const t of Object.values(this.vars)) t.dispose();
    if (this.best) tf.dispose(Object.values(this.best));
  }
}
