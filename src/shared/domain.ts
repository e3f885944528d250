/** Domain types shared by every process. Plain data only: everything here crosses IPC as JSON. */
import type { TailModel } from './tails.js';

export type VideoStatus = 'ingesting' | 'ready' | 'failed';

/** A video in the library: the source file's facts and how it was sampled into stored frames. */
export interface VideoSummary {
  id: number;
  /** Absolute path of the source file at import type { TailModel } from './tails.js';
import time. */
  path: string;
  /** File name shown to the analyst. */
  name: string;
  status: VideoStatus;
  /** SHA-256 of the source file's bytes. */
  contentHash: string;
  sizeBytes: number;
  codec: string;
  /** Source picture size. */
  width: number;
  height: number;
  /** Source frame rate (frames per second). */
  sourceFps: number;
  /** Duration of what was decoded (equal to the container's claim unless the file ended early). */
  durationSec: number;
  /** Set when the file ended before the duration its container states (a truncated copy): what it claimed. */
  endedEarly?: { probedDurationSec: number } | null;
  /** Things the analyst should know about the import (e.g. a tiny picture scaled up). */
  notes?: string[];
  /** Rate frames were sampled at; equal to sourceFps when every frame was kept. */
  sampledFps: number;
  /** Stored frame size (square, RGB). */
  frameSize: number;
  /** Number of stored (sampled) frames. */
  frameCount: number;
  createdAt: string;
}

export type JobKind = 'ingest' | 'train' | 'score';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

export interface JobProgress {
  /** Units done (frames unless `unit` says otherwise). */
  done: number;
  /** Units expected; null while unknown. */
  total: number | null;
  /** 0..1 where total is known. */
  fraction: number | null;
  /** Throughput per second over the job so far, in `rateUnit`. */
  rate: number;
  /** What done and total count: 'frames' when absent; training counts optimisation 'steps' (batches). */
  unit?: 'frames' | 'steps';
  /** What rate counts: `unit` when absent (training: frames per second). */
  rateUnit?: 'frames' | 'steps';
  /** Estimated seconds left; null while unknown. */
  etaSec: number | null;
  /** A short phrase for the analyst: "probing", "decoding", ... */
  stage: string;
  /** Live figures of the job, e.g. the training losses of the latest step (for loss curves). */
  metrics?: Record<string, number>;
}

export interface JobError {
  name: string;
  message: string;
}

export interface JobInfo {
  id: string;
  kind: JobKind;
  /** A short title for the jobs panel, e.g. "Import lobby cam.mp4". */
  title: string;
  state: JobState;
  progress: JobProgress;
  error: JobError | null;
  /** Kind-specific result on success (ingest: { videoId }). */
  result: unknown;
  createdAt: string;
  finishedAt: string | null;
}

export interface IngestOptions {
  /** Sample at this rate; omit to keep every source frame. */
  fps?: number;
  /** Stored square frame size in pixels (default 64). */
  size?: number;
  /** Region of interest in source pixels: only this rectangle is kept (before scaling). */
  crop?: CropRect;
}

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface IngestResult {
  videoId: number;
  frameCount: number;
  /** The file ended before its stated duration: decoded versus claimed seconds. */
  endedEarly?: { decodedSec: number; probedSec: number } | null;
  /** Warnings for the analyst (also stored on the video). */
  notes?: string[];
}

/** A stored frame's identity: its index among the stored frames, the source frame it came from and its timestamp. */
export interface FrameInfo {
  videoId: number;
  index: number;
  sourceFrame: number;
  ptsSec: number;
}

export interface AppInfo {
  version: string;
  /** 'electron' for the desktop shell, 'browser' for src/server. */
  mode: 'electron' | 'browser';
  dataDir: string;
  ffmpeg: { path: string; source: string; version: string } | null;
  /** Where ffmpeg could not be found: what to do about it. */
  ffmpegError: string | null;
  /** Whether a native file dialog is available (Electron only). */
  canPickFiles: boolean;
}

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
 * negative log-density of μ under the mixture as a score; 'pca', 'bgdiff': the classical baselines (PCA-16 reconstruction error, difference from the median).
 */
export const MODEL_KINDS = ['vae', 'ae', 'vae-gp', 'cvae', 'vq-vae', 'gmvae', 'pca', 'bgdiff'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** What the analyst can set when training; everything has a sensible default. */
/** Most earlier frames a conditional VAE may be conditioned on. */
export const MAX_CONDITION_FRAMES = 4;
/** Most components a mixture-prior VAE may have. */
export const MAX_MIXTURE_COMPONENTS = 16;

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
  likelihood?: 'bernoulli' | 'gaussian-fixed' | 'gaussian-learned';
  seed?: number;
  /**
   * Honour the training video's ignore mask (default true: use it when the video has one). Set
   * false to train on every pixel, e.g. to compare with a masked model. Every kind honours it: vae,
   * ae, vae-gp, cvae and vq-vae (masked likelihood, masked encoder input, masked scores), pca and
   * bgdiff (fitted and scored on observed pixels only), and the importance-weighted bound.
   */
  useIgnoreMask?: boolean;
  /** 'cvae': how many earlier frames (t−1 … t−k) each frame is predicted from, 1..MAX_CONDITION_FRAMES (default 1). */
  conditionFrames?: number;
  /** 'gmvae': the mixture prior's number of components K, 1..MAX_MIXTURE_COMPONENTS (default 4). */
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

/**
 * The adaptive per-video baseline (core/scoring/adaptive.ts): when on, each score component is taken
 * relative to its own median over the past `windowSec` seconds of the video, so slow drift (light,
 * crowd over a day) does not creep the scores. Applies to the next scoring of the video.
 */
export interface AdaptiveBaselineSetting {
  on: boolean;
  windowSec: number;
}

/** Per-frame scores of a video under a model, as columns in frame order. */
export interface ScoreSeries {
  modelId: number;
  videoId: number;
  index: number[];
  ptsSec: number[];
  combined: number[];
  recon: number[];
  patch: number[];
  kl: number[];
  elbo: number[];
  temporal: number[];
  stillness: number[];
  sharpness: number[];
  /** Motion since the previous frame, over each patch's normal level (NaN for models calibrated before motion existed). */
  motion: number[];
  threshold: number;
  /** Hysteresis: an event continues while the combined score stays at or above this. */
  lowThreshold: number;
  /** Frames per second of the stored frames (event lengths and gaps are set in seconds). */
  sampledFps: number;
  /**
   * How each stored component enters the combined score (robust centre and scale from calibration,
   * and its tail); absent for models calibrated without them. Tells which component drove a frame.
   */
  components?: ComponentScale[];
}

/**
 * One stored component's calibration: z = (value − median) / scale; 'both' counts |z|. Models
 * calibrated with tail probabilities (calibration version 2) also carry the component's tail model:
 * then how unusual a value is, is −log10 of its tail probability (shared/tails.ts).
 */
export interface ComponentScale {
  name: 'recon' | 'patch' | 'kl' | 'temporal' | 'stillness' | 'sharpness' | 'motion';
  median: number;
  scale: number;
  side: 'upper' | 'both';
  tail?: TailModel;
}

/** The analyst's review of a video's events under one model (issue 11). */
export interface ReviewState {
  modelId: number;
  videoId: number;
  /** The threshold the analyst chose for this model (kept across sessions); null: the calibrated one. */
  threshold: number | null;
  /** Peak frames of the events marked reviewed (an event is named by its peak frame). */
  reviewedPeaks: number[];
}

/** Mark one event reviewed or not. */
export interface EventReviewInput {
  modelId: number;
  videoId: number;
  peakIdx: number;
  startIdx: number;
  endIdx: number;
  reviewed: boolean;
}

export interface ChangeEvent {
  id: number;
  modelId: number;
  videoId: number;
  startIdx: number;
  endIdx: number;
  peakIdx: number;
  peakScore: number;
  startSec: number;
  endSec: number;
  threshold: number;
}

/** The label classes every library has; the analyst can add more. */
export const BUILTIN_LABEL_CLASSES = ['normal', 'nuisance', 'incident', 'tamper'] as const;
/** Classes whose frames a fine-tune may learn from as normal footage. Everything else is kept out of training. */
export const NORMAL_LABEL_CLASSES: readonly string[] = ['normal', 'nuisance'];

/** An analyst's label on a span of stored frames (inclusive). */
export interface Label {
  id: number;
  videoId: number;
  startIdx: number;
  endIdx: number;
  /** normal, nuisance, incident, tamper, or a class the analyst added. */
  cls: string;
  note: string;
  createdAt: string;
  updatedAt: string;
}

export interface LabelInput {
  videoId: number;
  startIdx: number;
  endIdx: number;
  cls: string;
  note?: string;
}

export interface LabelPatch {
  startIdx?: number;
  endIdx?: number;
  cls?: string;
  note?: string;
}

export type ProjectionMethod = 'pca' | 'umap';

/** A 2-D projection of the posterior means μ of a video's scored frames, as columns in frame order. */
export interface LatentProjection {
  modelId: number;
  videoId: number;
  method: ProjectionMethod;
  index: number[];
  x: number[];
  y: number[];
  /** PCA: share of μ's variance along each axis; empty for UMAP. */
  explained: number[];
  /** Mixture-prior models: each frame's most likely class; null for models without one. */
  mixtureClass: number[] | null;
  /**
   * The GP-smoothed latent trajectory ('vae-gp' models, PCA only): each frame's μ as the Gaussian
   * process predicts it from its neighbours, in the same coordinates as the points; absent otherwise.
   */
  trajectory?: { x: number[]; y: number[] } | null;
}

/** One model version judged on the analyst's labels of one video. */
export interface ModelComparisonRow {
  modelId: number;
  name: string;
  /** Whether the video has been scored with this model (otherwise every figure is null). */
  scored: boolean;
  /** ROC AUC of the combined score: incident/tamper label frames against normal/nuisance ones; null without both. */
  auc: number | null;
  /** Frames labelled normal or nuisance whose combined score is at or over the model's threshold. */
  falseAlarmFrames: number | null;
  /** Events (at the model's threshold) that overlap a normal or nuisance label and no incident or tamper one. */
  falseAlarmEvents: number | null;
  /** Frames labelled incident or tamper that are at or over the threshold (recall numerator). */
  detectedFrames: number | null;
  /** Mean combined score over the normal/nuisance labelled frames. */
  meanNormalScore: number | null;
  threshold: number | null;
  /**
   * Per label class: its frames this version scored, and how many of them are at or over the version's
   * own threshold (incident/tamper: still detected; nuisance/normal: flagged). Null when unscored or
   * without a threshold.
   */
  classes: Record<ComparedClass, FlaggedCount> | null;
  /** False-positive rate on the reference held-out normal footage (see ModelComparison.heldOut); null where not available. */
  heldOutFpr: FlaggedCount | null;
}

/** The label classes a comparison judges, in the order shown: real change first, then the false-alarm classes. */
export const COMPARED_CLASSES = ['incident', 'tamper', 'nuisance', 'normal'] as const;
export type ComparedClass = (typeof COMPARED_CLASSES)[number];

/** `flagged` of `frames` frames at or over a version's own threshold. */
export interface FlaggedCount {
  flagged: number;
  frames: number;
}

/** One figure of a version against an earlier one: which way it moved and whether that is better for the analyst. */
export interface VerdictChange {
  /** A label class, or 'heldOut' (false alarms on the reference held-out normal footage). */
  metric: ComparedClass | 'heldOut';
  before: FlaggedCount;
  after: FlaggedCount;
  /** incident/tamper: more detected is better; nuisance/normal/heldOut: fewer flagged is better. heldOut moves within sampling noise are 'same'. */
  tone: 'better' | 'worse' | 'same';
}

/**
 * A version judged against the one it was fine-tuned from (or, with just two versions compared and no
 * parent link, the second against the first): a regression when any figure got worse (fewer
 * incident/tamper frames detected, more normal/nuisance or held-out frames flagged), whatever else improved.
 */
export interface ComparisonVerdict {
  beforeId: number;
  afterId: number;
  verdict: 'regression' | 'improvement' | 'same';
  changes: VerdictChange[];
}

export interface ModelComparison {
  videoId: number;
  /** Frames labelled normal or nuisance (the negatives), and incident or tamper (the positives). */
  normalFrames: number;
  incidentFrames: number;
  /** Frames of the video per compared label class (the latest label decides a frame's class). */
  classFrames: Record<ComparedClass, number>;
  /** The held-out frames the false-positive rate is measured on: a compared version's own calibration frames (the parent's, in a fine-tune pair); null when none recorded them. */
  heldOut: { modelId: number; videoId: number; frames: number } | null;
  rows: ModelComparisonRow[];
  verdicts: ComparisonVerdict[];
}

/** A file made for the analyst to save: text content, its suggested name and type. */
export interface ExportFile {
  fileName: string;
  mime: string;
  content: string;
}

/** An mp4 cut from the source video, written under the data folder's exports/. */
export interface ExportedClip {
  path: string;
  fileName: string;
  sizeBytes: number;
}

/** Generation limits: each request decodes on the app's main process, so it stays small (about a second). */
export const MAX_GENERATED_SAMPLES = 64;
export const MAX_TRAVERSAL_STEPS = 9;
export const MAX_TRAVERSAL_RANGE = 6;

export interface SampleRequest {
  /** Pictures to draw (1..MAX_GENERATED_SAMPLES, default 16). */
  count?: number;
  /** Seed of the draws: the same seed gives the same pictures (default 1). */
  seed?: number;
}

/** Pictures a model decoded from latent codes drawn from its prior z ~ N(0, I): what it thinks normal footage looks like. */
export interface GeneratedSamples {
  modelId: number;
  seed: number;
  /** Picture side in pixels (the model's input size). */
  size: number;
  /** One PNG data URL (data:image/png;base64,...) per sample. */
  images: string[];
}

export interface TraversalRequest {
  /** Centre on this frame's latent code (both or neither of videoId and index). */
  videoId?: number;
  index?: number;
  /** The two latent dimensions swept: the first along the columns, the second down the rows. */
  dims: [number, number];
  /** Points per dimension, 2..MAX_TRAVERSAL_STEPS (default 7): the grid is steps × steps. */
  steps?: number;
  /** Each dimension is swept over centre ± range (0 < range ≤ MAX_TRAVERSAL_RANGE, default 3: prior standard deviations). */
  range?: number;
}

/** A 2-D latent traversal: one code with two dimensions swept, every point decoded. */
export interface LatentTraversalGrid {
  modelId: number;
  dims: [number, number];
  steps: number;
  size: number;
  /** Offset from the centre of each column (dims[0]) and each row (dims[1]). */
  colOffsets: number[];
  rowOffsets: number[];
  /** The centre code. */
  centre: number[];
  /** The frame it is centred on; null when centred on the prior's origin. */
  frame: { videoId: number; index: number } | null;
  /** steps × steps PNG data URLs, row-major (row r, column c at r·steps + c). */
  images: string[];
}

/**
 * A rectangle of a frame in normalized coordinates: x and width across, y and height down, all in
 * 0..1 of the stored frame (which is the source picture, after any crop, scaled to a square; so the
 * same numbers name the same region of the source picture at any size).
 */
export interface MaskRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A video's ignore mask (issue 5, item 6): regions the analyst painted (a timestamp overlay, a tree,
 * a busy road) that are left out of the training loss and of the scores; the reconstruction still
 * fills them in. Stored as rectangles in normalized coordinates and rasterized at the model's frame
 * size when a model is trained (a pixel is ignored when its centre lies in a rectangle). An empty
 * list means no mask. A model bakes in the mask it was trained with: a changed mask takes effect
 * when the video is trained on again.
 */
export interface IgnoreMask {
  rects: MaskRect[];
}

/** Most rectangles one mask may hold. */
export const MAX_MASK_RECTS = 64;

export const DEFAULT_FRAME_SIZE = 64;
export const MIN_FRAME_SIZE = 8;
export const MAX_FRAME_SIZE = 512;
export const MAX_SAMPLE_FPS = 240;
