/**
 * The per-kind parts of a training run. trainVae's loop is the same for every network kind; what a
 * kind changes sits behind KindHooks, one implementation per training objective:
 *
 *   elboHooks           vae, vae-gp, cvae: the ELBO with a N(0, I) prior (vae-gp's trajectory model is
 *                       fitted after training, cvae's conditioning is part of the network's config)
 *   autoencoderHooks    ae: z = μ (ε = 0) and the reconstruction alone, no KL
 *   mixturePriorHooks   gmvae: a Gaussian-mixture prior (mixture-prior.ts), Gumbel-softmax noise per
 *                       step, an EM update on each epoch's sampled codes, plain-VAE warm-up epochs
 *
 * A model-kind registry supplies one factory per kind through TrainOptions.kindHooks; without one,
 * kindHooksFor picks it from the options. Each factory checks that the options fit it.
 */
import * as tf from '@tensorflow/tfjs';
import type { EpochRecord, TrainCheckpoint } from './checkpoint.js';
import { TrainingInputError } from './errors.js';
import { annealTemperature, type TemperatureSchedule } from '../family/gumbel.js';
import type { DiagGmm } from '../family/mixture.js';
import type { VaeTerms } from './losses.js';
import {
  initialMixture,
  loadMixture,
  mixtureKl,
  mixtureUsage,
  priorTensors,
  storeMixture,
  updateMixturePrior,
  type PriorTensors,
} from './mixture-prior.js';
import { DEFAULT_ANNEAL_EPOCHS, type ResolvedMixture, type ResolvedOptions } from './options.js';
import { labelRows, type ShardContext, type ShardRequest } from './shard-step.js';
import { hash32, SALT_GUMBEL, SALT_VAL } from './split.js';

/** What a kind's hooks are made from. */
export interface KindSetup {
  /** The run's options, checked and with their defaults. */
  options: ResolvedOptions;
  stepsPerEpoch: number;
  /** The checkpoint being resumed; null for a fresh run. */
  checkpoint: TrainCheckpoint | null;
}

/** Makes a kind's hooks for one run (they may hold tensors until dispose). */
export type KindHooksFactory = (setup: KindSetup) => KindHooks;

/** A kind's fields of every shard's context, on this thread and on the helper threads (ShardContext, PoolOptions). */
export type KindShardFields = Pick<ShardContext, 'autoencoder' | 'k' | 'labels' | 'entropyWeight'>;

/** What the end of an epoch changed. */
export interface EpochEnd {
  /** The kind's fields of the epoch's record (a mixture prior's usage). */
  record?: Pick<EpochRecord, 'mixture'>;
  /** The prior changed: the loop hands prior() to the shards before validating. */
  priorChanged?: boolean;
  /** Forget the best loss so far: the epochs before were not comparable (a gmvae's plain warm-up). */
  restartBest?: boolean;
}

/** The prior the shards use: a Gaussian mixture, as numbers (for the helper threads) and as tensors. */
export interface KindPrior {
  gmm: DiagGmm;
  tensors: PriorTensors;
}

/** The per-kind parts of trainVae, called in this order: prior, then per step stepNoise and onCodes, then endEpoch, validation*, tracksBest/keepBest, checkpoint. */
export interface KindHooks {
  readonly shard: KindShardFields;
  /** The prior now (null: N(0, I)); handed to the shards at the start and whenever endEpoch says it changed. */
  prior(): KindPrior | null;
  /** A step's noise beyond ε: a mixture prior's Gumbel-softmax seed and temperature; null without. */
  stepNoise(epoch: number, step: number): ShardRequest['gumbel'];
  /** The sampled codes [n·D] of a step's batch `idx` (only when shard.k > 0). */
  onCodes(z: Float32Array, idx: number[]): void;
  /** After an epoch's steps, before its validation. */
  endEpoch(epoch: number): EpochEnd;
  /** Validation batch `b` of `n` frames: the reparameterization noise, a seed or ε itself (called inside tf.tidy). */
  validationEps(n: number, b: number): tf.Tensor2D | number;
  /** Validation: the KL terms of the batch's frames `idx`, summed (called inside tf.tidy). */
  validationKl(t: VaeTerms, idx: number[]): tf.Scalar;
  /** Whether the epoch that just ended may be the best one and counts towards patience. */
  tracksBest(): boolean;
  /** The epoch that just ended is the best so far: keep what goes with its weights. */
  keepBest(): void;
  /** The kind's fields of a checkpoint. */
  checkpoint(): Pick<TrainCheckpoint, 'mixture'>;
  /** TrainResult.mixture: the prior that goes with the best weights; null for kinds without one. */
  mixture(): DiagGmm | null;
  dispose(): void;
}

/** The VAE: the ELBO under a N(0, I) prior. */
class ElboHooks implements KindHooks {
  readonly shard: KindShardFields = { autoencoder: false, k: 0, labels: null, entropyWeight: 0 };
  constructor(protected readonly setup: KindSetup) {}
  prior(): KindPrior | null {
    return null;
  }
  stepNoise(_epoch: number, _step: number): ShardRequest['gumbel'] {
    return null;
  }
  onCodes(_z: Float32Array, _idx: number[]): void {}
  endEpoch(_epoch: number): EpochEnd {
    return {};
  }
  validationEps(_n: number, b: number): tf.Tensor2D | number {
    return hash32(this.setup.options.seed, SALT_VAL, b);
  }
  validationKl(t: VaeTerms, _idx: number[]): tf.Scalar {
    return tf.sum(t.kl);
  }
  tracksBest(): boolean {
    return true;
  }
  keepBest(): void {}
  checkpoint(): Pick<TrainCheckpoint, 'mixture'> {
    return {};
  }
  mixture(): DiagGmm | null {
    return null;
  }
  dispose(): void {}
}

/** The deterministic autoencoder: z = μ (ε = 0), the reconstruction alone (β is 0 in its options). */
class AutoencoderHooks extends ElboHooks {
  override readonly shard: KindShardFields = { autoencoder: true, k: 0, labels: null, entropyWeight: 0 };
  override validationEps(n: number): tf.Tensor2D {
    return tf.zeros([n, this.setup.options.config.latentDim]);
  }
  override validationKl(): tf.Scalar {
    return tf.scalar(0);
  }
}

/** The mixture-prior VAE (mixture-prior.ts): plain-VAE warm-up epochs, then a mixture EM-updated at each epoch's end. */
class MixturePriorHooks extends ElboHooks {
  override readonly shard: KindShardFields;
  private readonly mix: ResolvedMixture;
  /** The current mixture and the best epoch's. */
  private gmm: DiagGmm | null;
  private bestGmm: DiagGmm | null;
  private tensors: PriorTensors | null = null;
  private readonly temperature: TemperatureSchedule;
  /** This epoch's sampled codes and their frames (for the EM update at its end), and the latest step's temperature. */
  private codes: Float32Array[] = [];
  private codeFrames: number[] = [];
  private tau = NaN;

  constructor(setup: KindSetup, mix: ResolvedMixture) {
    super(setup);
    this.mix = mix;
    this.shard = { autoencoder: false, k: mix.k, labels: mix.labels, entropyWeight: mix.guard.entropyWeight };
    const ck = setup.checkpoint;
    this.gmm = ck?.mixture?.current ? loadMixture(ck.mixture.current) : mix.initial;
    this.bestGmm = ck?.mixture?.best ? loadMixture(ck.mixture.best) : null;
    this.temperature = mix.temperature ?? { initial: 1, min: 0.5, rate: Math.log(2) / (DEFAULT_ANNEAL_EPOCHS * setup.stepsPerEpoch) };
    this.setGmm(this.gmm);
  }

  private setGmm(g: DiagGmm | null): void {
    if (this.tensors) tf.dispose([this.tensors.logPi, this.tensors.means, this.tensors.vars]);
    this.gmm = g;
    this.tensors = g ? priorTensors(g) : null;
  }

  override prior(): KindPrior | null {
    return this.gmm && this.tensors ? { gmm: this.gmm, tensors: this.tensors } : null;
  }

  /** Gumbel noise once the mixture exists (the warm-up epochs train a plain VAE). */
  override stepNoise(epoch: number, step: number): ShardRequest['gumbel'] {
    if (!this.tensors) return null;
    this.tau = annealTemperature(epoch * this.setup.stepsPerEpoch + step, this.temperature);
    return { seed: hash32(this.setup.options.seed, SALT_GUMBEL, epoch, step), tau: this.tau };
  }

  override onCodes(z: Float32Array, idx: number[]): void {
    this.codes.push(z);
    this.codeFrames.push(...idx);
  }

  /** The EM update on this epoch's sampled codes (the first fit after the warm-up). */
  override endEpoch(epoch: number): EpochEnd {
    const { codes, codeFrames, tau, mix } = this;
    this.codes = [];
    this.codeFrames = [];
    this.tau = NaN;
    if (epoch + 1 < mix.warmupEpochs) return {};
    const { latentDim } = this.setup.options.config;
    const zs = new Float64Array(codeFrames.length * latentDim);
    let off = 0;
    for (const c of codes) {
      zs.set(c, off);
      off += c.length;
    }
    const labels = mix.labels ? Int32Array.from(codeFrames, (f) => mix.labels![f]!) : undefined;
    if (!this.gmm) {
      const gmm = initialMixture(zs, mix.k, latentDim, labels, this.setup.options.seed, mix.varFloor);
      const { usage, usageEntropy } = mixtureUsage(gmm, zs, labels);
      this.setGmm(gmm);
      // the plain-VAE warm-up epochs' losses are not comparable
      return { record: { mixture: { usage, usageEntropy, reseeded: [], tau: null } }, priorChanged: true, restartBest: true };
    }
    const u = updateMixturePrior(this.gmm, zs, labels, mix.guard, mix.varFloor);
    this.setGmm(u.gmm);
    return { record: { mixture: { usage: u.usage, usageEntropy: u.usageEntropy, reseeded: u.reseeded, tau } }, priorChanged: true };
  }

  override validationKl(t: VaeTerms, idx: number[]): tf.Scalar {
    if (!this.tensors) return super.validationKl(t, idx);
    const labels = labelRows(this.mix.labels, this.mix.k, idx);
    return tf.sum(mixtureKl(t.mu, t.logvar, this.tensors, labels ? { labels } : {}).kl);
  }

  /** Nothing to keep during the plain-VAE warm-up: the returned weights always have a prior. */
  override tracksBest(): boolean {
    return this.gmm !== null;
  }

  override keepBest(): void {
    if (this.gmm) this.bestGmm = loadMixture(storeMixture(this.gmm));
  }

  override checkpoint(): Pick<TrainCheckpoint, 'mixture'> {
    return { mixture: { current: this.gmm ? storeMixture(this.gmm) : null, best: this.bestGmm ? storeMixture(this.bestGmm) : null } };
  }

  override mixture(): DiagGmm | null {
    return this.bestGmm ?? this.gmm;
  }

  override dispose(): void {
    this.setGmm(null);
  }
}

const misfit = (kind: string, need: string): never => {
  throw new TrainingInputError(`the ${kind} training hooks need ${need}`);
};

/** vae, vae-gp, cvae. */
export const elboHooks: KindHooksFactory = (setup) =>
  setup.options.autoencoder || setup.options.mixture ? misfit('ELBO', "objective 'elbo' and no mixturePrior") : new ElboHooks(setup);

/** ae. */
export const autoencoderHooks: KindHooksFactory = (setup) =>
  setup.options.autoencoder ? new AutoencoderHooks(setup) : misfit('autoencoder', "objective 'autoencoder'");

/** gmvae. */
export const mixturePriorHooks: KindHooksFactory = (setup) =>
  setup.options.mixture ? new MixturePriorHooks(setup, setup.options.mixture) : misfit('mixture-prior', 'mixturePrior options');

/** The hooks the options ask for: the mixture prior with mixturePrior, the autoencoder with objective 'autoencoder', else the ELBO. */
export const kindHooksFor: KindHooksFactory = (setup) =>
  setup.options.mixture ? mixturePriorHooks(setup) : setup.options.autoencoder ? autoencoderHooks(setup) : elboHooks(setup);
