/** Progress of a training run: what trainVae reports while it runs, and the bookkeeping behind it. */
import type { EpochRecord } from './checkpoint.js';

export interface TrainProgress {
  /** 0-based index of the epoch in progress. */
  epoch: number;
  epochs: number;
  /** Steps completed in this epoch, 1..stepsPerEpoch. */
  step: number;
  stepsPerEpoch: number;
  /** Running means over this epoch so far, nats per frame. */
  loss: number;
  recon: number;
  kl: number;
  /** β used by the latest step. */
  beta: number;
  /** Validation negative ELBO of the last finished epoch, when there is one. */
  valLoss?: number;
  /** Training throughput of this call so far (frames through a full training step per second). */
  framesPerSec: number;
  /** Estimated seconds left in this call. */
  etaSec: number;
  /** Threads the steps are split over (TrainOptions.workers, after any fallback). */
  workers: number;
}

export interface TrainHooks {
  /** At most one call per `progressIntervalMs` (default 100 ms, ~10/s); the very last step always reports. */
  onProgress?: (p: TrainProgress) => void;
  /** After each finished epoch (after its checkpoint is written). */
  onEpochEnd?: (e: EpochRecord) => void;
  signal?: AbortSignal;
  progressIntervalMs?: number;
}

/** Frame-weighted running means of one epoch's step losses, nats per frame. */
export class EpochMeans {
  private loss = 0;
  private recon = 0;
  private kl = 0;
  private seen = 0;

  add(loss: number, recon: number, kl: number, frames: number): void {
    this.loss += loss * frames;
    this.recon += recon * frames;
    this.kl += kl * frames;
    this.seen += frames;
  }

  get means(): { loss: number; recon: number; kl: number } {
    return { loss: this.loss / this.seen, recon: this.recon / this.seen, kl: this.kl / this.seen };
  }
}

/** Throughput, time left and the throttled onProgress reports of one trainVae call. */
export class ProgressMeter {
  private trainSeconds = 0;
  private trainFrames = 0;
  private stepsDone = 0;
  private lastEmit = -Infinity;

  constructor(
    private readonly hooks: TrainHooks,
    /** performance.now() when the call started. */
    private readonly t0: number,
    /** `workers`: the threads the steps run on (known once the pool has started). */
    private readonly run: { epochs: number; stepsPerEpoch: number; totalSteps: number; workers: () => number },
  ) {}

  /** A training step over `frames` frames took `seconds`. */
  stepDone(seconds: number, frames: number): void {
    this.trainSeconds += seconds;
    this.trainFrames += frames;
    this.stepsDone++;
  }

  /** Training throughput of this call so far (frames per second of training steps). */
  get framesPerSec(): number {
    return this.trainSeconds > 0 ? this.trainFrames / this.trainSeconds : 0;
  }

  /** After step `step` of `epoch`: reports at most once per progressIntervalMs, and always after the run's last step. */
  report(epoch: number, step: number, m: EpochMeans, beta: number, valLoss: number | undefined): void {
    const { onProgress } = this.hooks;
    const { epochs, stepsPerEpoch, totalSteps, workers } = this.run;
    const now = performance.now();
    const lastOfRun = epoch === epochs - 1 && step === stepsPerEpoch - 1;
    if (!onProgress || (now - this.lastEmit < (this.hooks.progressIntervalMs ?? 100) && !lastOfRun)) return;
    this.lastEmit = now;
    const elapsed = (now - this.t0) / 1000;
    const p: TrainProgress = {
      epoch,
      epochs,
      step: step + 1,
      stepsPerEpoch,
      ...m.means,
      beta,
      framesPerSec: this.framesPerSec,
      etaSec: (elapsed / this.stepsDone) * (totalSteps - this.stepsDone),
      workers: workers(),
    };
    if (valLoss !== undefined) p.valLoss = valLoss;
    onProgress(p);
  }
}
