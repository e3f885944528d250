/**
 * Trains the convolutional VAE of spec.ts on a set of frames with TensorFlow.js, on whatever tf
 * backend is active (the caller picks it).
 *
 * Objective per frame (nats): recon + β_t·KL, where β_t ramps linearly from 0 to β over
 * `klWarmupEpochs` (per step, so there is no jump at epoch boundaries). Validation reports the true
 * negative ELBO (β = 1) on a held-out split with fixed noise, so epochs compare fairly.
 *
 * Determinism: all randomness is a pure function of (seed, epoch, step) (split.ts): the initial
 * weights, the validation split, the order of each epoch and the reparameterization noise of each
 * step. Adam is implemented here (optimizer.ts; m, v and the step count are saved in the
 * checkpoint), so a run resumed from its checkpoint gives the same numbers as one that never stopped.
 *
 * Memory: tensors live in tf.tidy or are disposed explicitly; between steps the run holds only the
 * weight variables, Adam's m and v, and a copy of the best weights.
 *
 * The parts: options.ts (the options and their checks), split.ts (seeded randomness, the held-out
 * split), state.ts (weights, best epoch, early stopping, checkpoints and resuming), optimizer.ts
 * (Adam, the β schedule), kind-hooks.ts (what a model kind changes: ae, gmvae, ...), step.ts (one
 * step over the data-parallel shards, validation), progress.ts (throughput and progress reports).
 */
import * as tf from '@tensorflow/tfjs';
import { saveCheckpoint, type EpochRecord, type TrainCheckpoint } from './checkpoint.js';
import { stepDiverged, throwIfAborted, validationDiverged } from './errors.js';
import type { DiagGmm } from '../family/mixture.js';
import { kindHooksFor, type KindHooks } from './kind-hooks.js';
import { observedWeights } from './losses.js';
import { Adam, betaAt } from './optimizer.js';
import { resolveOptions, type FrameSet, type ResolvedOptions, type TrainOptions } from './options.js';
import type { ShardPool } from './parallel.js';
import { EpochMeans, ProgressMeter, type TrainHooks } from './progress.js';
import type { ShardContext } from './shard-step.js';
import { weightSpecs, type VaeWeights, type WeightSpec } from './spec.js';
import { epochOrder, hash32, splitIndices } from './split.js';
import { dataInfo, loadResumable, TrainState, type DataInfo } from './state.js';
import { batchStep, startPool, validationLoss } from './step.js';

export type { EpochRecord } from './checkpoint.js';
export { AbortError, DivergedError, TrainingInputError } from './errors.js';
export { DEFAULT_ANNEAL_EPOCHS, type FrameSet, type MixturePriorOptions, type TrainOptions } from './options.js';
export type { TrainHooks, TrainProgress } from './progress.js';
export { hash32, HELD_OUT_BLOCKS, splitIndices } from './split.js';
export { betaAt } from './optimizer.js';
export type { KindHooks, KindHooksFactory, KindSetup } from './kind-hooks.js';

export interface TrainResult {
  /** Weights of the best epoch (lowest monitored loss); new tensors owned by the caller. */
  weights: VaeWeights;
  /** Every epoch of the run, resumed ones included. */
  history: EpochRecord[];
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Training throughput of this call (frames per second of training steps, validation excluded). */
  framesPerSec: number;
  /** Wall time of this call. */
  seconds: number;
  /** Epoch the run continued from, or null for a fresh run. */
  resumedFromEpoch: number | null;
  /** Mixture-prior VAE: the prior that goes with `weights` (the best epoch's); null otherwise. */
  mixture: DiagGmm | null;
  /** Threads the steps ran on, and why fewer than asked when that happened. */
  parallel: { workers: number; requested: number; note: string | null };
}

/**
 * Trains a VAE. Rejects with TrainingInputError (bad frames/options), AbortError (signal),
 * DivergedError (NaN/Infinity loss) or the checkpoint's I/O error. See TrainOptions for the knobs.
 */
export async function trainVae(frames: FrameSet, opts: TrainOptions, hooks: TrainHooks = {}): Promise<TrainResult> {
  const run = await TrainRun.open(frames, opts, hooks);
  try {
    for (let epoch = run.state.startEpoch; epoch < run.o.epochs && !run.state.stoppedEarly; epoch++) await run.epoch(epoch);
    return run.result();
  } finally {
    await run.close();
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One trainVae call: the parts it composes, an epoch of steps, and what it returns. */
class TrainRun {
  readonly state: TrainState;
  private readonly kind: KindHooks;
  private readonly adam: Adam;
  private readonly specs: WeightSpec[];
  private readonly observed: tf.Tensor4D | undefined;
  private readonly shardCtx: ShardContext;
  private pool: ShardPool | null = null;
  private parallelNote: string | null = null;
  private readonly meter: ProgressMeter;
  private readonly owned: { dispose(): void }[] = [];

  private constructor(
    private readonly t0: number,
    readonly o: ResolvedOptions,
    private readonly frames: FrameSet,
    private readonly opts: TrainOptions,
    private readonly hooks: TrainHooks,
    private readonly split: { train: number[]; val: number[] },
    private readonly stepsPerEpoch: number,
    private readonly data: DataInfo,
    ck: TrainCheckpoint | null,
  ) {
    const own = <T extends { dispose(): void }>(x: T): T => (this.owned.push(x), x);
    try {
      this.kind = own((opts.kindHooks ?? kindHooksFor)({ options: o, stepsPerEpoch, checkpoint: ck }));
      this.specs = weightSpecs(o.config);
      this.observed = o.ignoreMask ? own(observedWeights(o.ignoreMask, o.config.inputSize)) : undefined;
      this.state = own(new TrainState(o, frames, split.train, ck, opts.initialWeights));
      this.adam = own(new Adam(this.specs, o, ck?.adam ?? null));
      this.shardCtx = { config: o.config, frames, observed: this.observed, prior: null, ...this.kind.shard };
      const totalSteps = this.state.stoppedEarly ? 0 : Math.max(0, o.epochs - this.state.startEpoch) * stepsPerEpoch;
      this.meter = new ProgressMeter(hooks, t0, { epochs: o.epochs, stepsPerEpoch, totalSteps, workers: () => this.workers });
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Checks the options, splits the frames, loads a checkpoint to resume, and sets up the state and the threads. */
  static async open(frames: FrameSet, opts: TrainOptions, hooks: TrainHooks): Promise<TrainRun> {
    const t0 = performance.now();
    const o = resolveOptions(frames, opts);
    throwIfAborted(hooks.signal, 'before it started');
    const split = splitIndices(frames.count, o.validationFraction, o.seed);
    const stepsPerEpoch = Math.ceil(split.train.length / o.batchSize);
    const data = dataInfo(frames, o.ignoreMask, split.train.length, split.val.length);
    const ck = await loadResumable(opts.checkpointPath, opts.resume, o, data);
    const run = new TrainRun(t0, o, frames, opts, hooks, split, stepsPerEpoch, data, ck);
    try {
      if (!run.state.stoppedEarly) ({ pool: run.pool, note: run.parallelNote } = await startPool(o, frames, run.kind, run.state.vars));
      run.syncPrior();
      return run;
    } catch (e) {
      await run.close();
      throw e;
    }
  }

  private get workers(): number {
    return this.pool ? this.pool.workers : 1;
  }

  /** Hands the kind's current prior to this thread's shards and to the helper threads. */
  private syncPrior(): void {
    const p = this.kind.prior();
    this.shardCtx.prior = p?.tensors ?? null;
    this.pool?.setPrior(p?.gmm ?? null);
  }

  private checkAbort(where: string): void {
    throwIfAborted(this.hooks.signal, where);
  }

  /** One epoch: its steps in a seeded order, then the kind's update, validation, early stopping and the checkpoint. */
  async epoch(epoch: number): Promise<void> {
    const { o, state, kind, stepsPerEpoch } = this;
    const epochStart = performance.now();
    const order = epochOrder(this.split.train, o.seed, epoch);
    const means = new EpochMeans();
    let beta = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      this.checkAbort(`at epoch ${epoch + 1} of ${o.epochs}, step ${step + 1} of ${stepsPerEpoch}`);
      const idx = order.slice(step * o.batchSize, (step + 1) * o.batchSize);
      beta = betaAt(o.beta, o.klWarmupEpochs, epoch, step, stepsPerEpoch);
      await this.step(epoch, step, idx, beta, means);
      this.meter.report(epoch, step, means, beta, state.lastValLoss);
      await yieldToEventLoop();
    }

    const end = kind.endEpoch(epoch);
    if (end.priorChanged) this.syncPrior();
    const { val } = this.split;
    const vl = val.length ? await validationLoss(o, this.frames, state.weights, this.observed, kind, val, () => this.checkAbort('during validation')) : null;
    if (vl && !Number.isFinite(vl.loss)) throw validationDiverged({ epoch, epochs: o.epochs, stepsPerEpoch, learningRate: o.learningRate }, vl);
    const rec: EpochRecord = {
      epoch,
      ...means.means,
      beta,
      valLoss: vl?.loss ?? null,
      valRecon: vl?.recon ?? null,
      valKl: vl?.kl ?? null,
      seconds: (performance.now() - epochStart) / 1000,
      ...(end.record ?? {}),
    };
    state.endEpoch(rec, kind, end.restartBest ?? false);
    if (this.opts.checkpointPath) await saveCheckpoint(this.opts.checkpointPath, await state.checkpoint(epoch + 1, await this.adam.state(), this.data, kind));
    this.hooks.onEpochEnd?.(rec);
  }

  /** One training step on the frames `idx`: loss and gradients (over the threads), then Adam. */
  private async step(epoch: number, step: number, idx: number[], beta: number, means: EpochMeans): Promise<void> {
    const { o, state } = this;
    const stepStart = performance.now();
    const request = { beta, epsSeed: hash32(o.seed, epoch, step), gumbel: this.kind.stepNoise(epoch, step) };
    const on = { pool: this.pool, ctx: this.shardCtx, vars: state.vars, specs: this.specs };
    const { lossV, reconV, klV, grads } = await batchStep(on, idx, request, (z) => this.kind.onCodes(z, idx));
    if (!Number.isFinite(lossV) || !Number.isFinite(reconV) || !Number.isFinite(klV)) {
      tf.dispose(Object.values(grads));
      const at = { epoch, epochs: o.epochs, step, stepsPerEpoch: this.stepsPerEpoch, learningRate: o.learningRate };
      throw stepDiverged(at, { loss: lossV, recon: reconV, kl: klV }, state.history.length);
    }
    this.adam.apply(state.vars, grads);
    tf.dispose(Object.values(grads));
    this.pool?.publishWeights(state.vars);
    this.meter.stepDone((performance.now() - stepStart) / 1000, idx.length);
    means.add(lossV, reconV, klV, idx.length);
  }

  result(): TrainResult {
    const { state } = this;
    const weights = state.bestWeights();
    return {
      weights,
      history: state.history,
      bestEpoch: state.bestEpoch,
      stoppedEarly: state.stoppedEarly,
      framesPerSec: this.meter.framesPerSec,
      seconds: (performance.now() - this.t0) / 1000,
      resumedFromEpoch: state.resumedFromEpoch,
      mixture: this.kind.mixture(),
      parallel: { workers: this.workers, requested: this.o.workers, note: this.parallelNote },
    };
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.dispose();
  }

  private dispose(): void {
    for (const x of this.owned.splice(0).reverse()) x.dispose();
  }
}
