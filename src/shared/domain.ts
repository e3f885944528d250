/**
 * Domain types shared by every process. Plain data only: everything here crosses IPC as JSON.
 * Training and model versions live here; the other topics in shared/domain/ (re-exported, so
 * `import ... from 'shared/domain.js'` keeps working).
 */
import type { IgnoreMask } from './domain/masks.js';

export * from './domain/app-info.js';
export * from './domain/comparison.js';
export * from './domain/exports.js';
export * from './domain/jobs.js';
export * from './domain/labels.js';
export * from './domain/latent.js';
export * from './domain/masks.js';
export * from './domain/scores.js';
export * from './domain/videos.js';

/** Training backends, best first; the app picks the best one that works unless told otherwise. */
export const TRAINING_BACKENDS = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type TrainingBackend = (typeof TRAINING_BACKENDS)[number];

/**
 * Model kinds that can be trained and scored (issue 5). 'vae': the convolutional VAE (the default);
 * 'ae': the same network trained as a plain autoencoder (no KL, no sampling); 'vae-gp': the VAE with a
 * Gaussian-process model of its latent trajectory, whose two-sided windowed residual statistic
 * replaces the stillness score (a frozen picture makes the trajectory abnormally smooth); 'cvae': a
 * conditional VAE of frame t given frame t−1 (its reconstruction error is a prediction error);
 * 'vq-vae': a vector-quantized autoencoder (codebook, EMA updates), with the rarity of a frame's codes
 * as a score; 'gmvae': the VAE with a Gaussian-mixture prior (one component per kind of normal scene,
 * Gumbel-softmax classes, EM-updated, frames labelled normal/nuisance fix their class), with the
 * negative log-density of μ under the mixture as a score; 'vq-pixelcnn': the VQ-VAE with a gated PixelCNN
 * prior over its code grid, with −log p(codes) as a score (codeNll) and per position as a heatmap; 'pca', 'bgdiff': the classical baselines (PCA-16 reconstruction error, difference from the median).
 */
export const MODEL_KINDS = ['vae', 'ae', 'vae-gp', 'cvae', 'vq-vae', 'vq-pixelcnn', 'gmvae', 'pca', 'bgdiff'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Most earlier frames a conditional VAE may be conditioned on. */
export const MAX_CONDITION_FRAMES = 4;
/** Most components a mixture-prior VAE may have. */
export const MAX_MIXTURE_COMPONENTS = 16;

/** Decoder likelihoods: Bernoulli, or Gaussian with a fixed or a learned per-channel variance. */
export const LIKELIHOODS = ['bernoulli', 'gaussian-fixed', 'gaussian-learned'] as const;
export type Likelihood = (typeof LIKELIHOODS)[number];

/** What the analyst can set when training; everything has a sensible default. */
export interface TrainRequest {
  /** Which model to train (default 'vae'). A fine-tune keeps its parent's kind. */
  kind?: ModelKind;
  name?: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  latentDim?: number;
  beta?: number;
  klWarmupEpochs?: number;
  /** Train on at most this many frames spread evenly over the video. */
  maxFrames?: number;
  /** Alarm threshold: false-positive rate on held-out training frames. */
  targetFpr?: number;
  backend?: TrainingBackend;
  /** Threads the training steps are split over (data-parallel, wasm backend only); default one per core. */
  workers?: number;
  /** Decoder likelihood: Bernoulli, or Gaussian with a fixed or a learned per-channel variance. */
  likelihood?: Likelihood;
  seed?: number;
  /**
   * Honour the training video's ignore mask (default true: use it when the video has one). Set
   * false to train on every pixel, e.g. to compare with a masked model. Every kind honours it: vae,
   * ae, vae-gp, cvae and vq-vae (masked likelihood, masked encoder input, masked scores), pca and
   * bgdiff (fitted and scored on observed pixels only), and the importance-weighted bound.
   */
  useIgnoreMask?: boolean;
  /** 'cvae': how many earlier frames (t−1 … t−k) each frame is predicted from, 1..MAX_CONDITION_FRAMES (default 1; a fine-tune keeps its parent's). */
  conditionFrames?: number;
  /** 'gmvae': the mixture prior's number of components K, 1..MAX_MIXTURE_COMPONENTS (default 4; a fine-tune keeps its parent's). */
  mixtureComponents?: number;
  /**
   * Fine-tune: start from this model's weights and config instead of from scratch. The new version
   * trains on the parent's footage minus frames labelled incident or tamper, plus every frame the
   * analyst labelled normal or nuisance (on any video).
   */
  parentModelId?: number;
}

export interface EpochSummary {
  epoch: number;
  loss: number;
  recon: number;
  kl: number;
  valLoss: number | null;
}

export interface ModelSummary {
  id: number;
  kind: string;
  name: string;
  status: 'training' | 'ready' | 'failed';
  trainVideoId: number | null;
  parentId: number | null;
  backend: string | null;
  latentDim: number;
  inputSize: number;
  threshold: number | null;
  trainSeconds: number | null;
  trainFramesPerSec: number | null;
  history: EpochSummary[];
  createdAt: string;
  /** The ignore mask this model was trained (and scores) with; null or absent when it had none. */
  ignoreMask?: IgnoreMask | null;
  /** What its training set held, per source (recorded since the retrain loop; absent for older versions). */
  pool?: TrainingPoolRecord | null;
}

/** What a model's training set held, per source (training-pool.ts; stored in its config as `pool`). */
export interface TrainingPoolRecord {
  /** The video the base frames came from (a fine-tune's rehearsal footage: its parent's training video), and why that one. */
  baseVideoId: number;
  baseSource: 'training-video' | 'parent-training-video' | 'reviewed-video';
  /** Distinct base frames used. */
  baseFrames: number;
  /** Base-video frames left out because they are labelled as something abnormal. */
  excludedFrames: number;
  /** Fine-tune: base-video frames left out because they are inside a parent event or over its threshold, unlabelled. */
  excludedEventFrames: number;
  /** Fine-tune: base-video frames the parent held out (never trained on; kept for the comparison). */
  reservedHeldOutFrames: number;
  /** Fine-tune: distinct frames labelled normal / nuisance that were added, over how many videos. */
  labelledFrames: number;
  labelledNormal: number;
  labelledNuisance: number;
  labelledVideos: number;
  /** How many times each labelled frame appears. */
  labelledRepeats: number;
}
