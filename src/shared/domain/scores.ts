/** Scores, their calibration, detected events and the analyst's review of them. */
import type { TailModel } from '../tails.js';

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
  /** −log p(codes) of the frame's code grid under the model's PixelCNN prior, nats (vq-pixelcnn only; absent for other kinds). */
  codeNll?: number[];
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
  name: 'recon' | 'patch' | 'kl' | 'temporal' | 'stillness' | 'sharpness' | 'motion' | 'codeNll';
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
