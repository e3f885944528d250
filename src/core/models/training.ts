/**
 * What training a model of any kind takes and gives back: the options (one shape for every kind; a
 * kind's driver reads the fields that apply to it), the hooks (progress, cancel), the result, and the
 * training video's ignore mask as a model records it. Every driver's `train` uses these.
 */
import type { IgnoreMask, JobProgress, TrainRequest } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { rasterizeIgnoreMask } from '../../shared/ignore-mask.js';
import { FINE_TUNE_DEFAULTS, TRAIN_DEFAULTS } from '../../shared/train-defaults.js';
import type { PixelCnnArch } from '../ml/pixelcnn/pixelcnn.js';
import type { CombinationRule } from '../scoring/calibrate.js';
import { getIgnoreMask } from '../store/ignore-masks.js';
import type { Store } from '../store/store.js';

/** The engine's training options: the analyst's TrainRequest, plus the video, where checkpoints go and what only the engine sets. */
export interface TrainModelOptions extends TrainRequest {
  videoId: number;
  filters?: number[];
  patience?: number;
  /**
   * Share of frames held out at random: early stopping, and the calibration of scores and threshold.
   * (A contiguous block at the end of the footage was tried: on a minute of training footage it saw too
   * little of the normal variation, and test false alarms rose from ~7-11% to 50-80%.)
   */
  validationFraction?: number;
  /** Folder for checkpoints; a rerun with the same options resumes from the last finished epoch. */
  checkpointDir: string;
  /** Which score components enter the combined score (default DEFAULT_COMBINATION). */
  combination?: CombinationRule;
  /** vq-pixelcnn: the PixelCNN prior's architecture and training (ml/pixelcnn defaults where absent; tests and benches make it small). */
  codePrior?: { arch?: Partial<PixelCnnArch>; epochs?: number; batchSize?: number; learningRate?: number; maxSteps?: number };
}

/**
 * What a model records (config.ignoreMask) about the mask it was trained and scores with: the
 * rectangles as painted, and the pixels they cover at the model's frame size. Null: no mask.
 */
export interface ModelIgnoreMask extends IgnoreMask {
  size: number;
  ignoredPixels: number;
}

/**
 * The training video's ignore mask rasterized at `size` (1 = ignored), unless turned off or empty
 * (or too thin to cover a pixel centre): then null, and training is exactly the unmasked run.
 */
export function trainingIgnoreMask(store: Store, videoId: number, size: number, use = true): { pixels: Uint8Array; record: ModelIgnoreMask } | null {
  if (!use) return null;
  const mask = getIgnoreMask(store, videoId);
  if (mask.rects.length === 0) return null;
  const pixels = rasterizeIgnoreMask(mask, size);
  let ignoredPixels = 0;
  for (const v of pixels) ignoredPixels += v;
  if (ignoredPixels === 0) return null;
  if (ignoredPixels === pixels.length) throw new AppError('TrainingInputError', 'The ignore mask covers the whole frame: nothing is left to learn from. Clear part of it first.');
  return { pixels, record: { rects: mask.rects, size, ignoredPixels } };
}

// The defaults live in src/shared so the training form can show them; re-exported for the engine's callers.
export { FINE_TUNE_DEFAULTS, TRAIN_DEFAULTS };

export interface TrainModelResult {
  modelId: number;
  backend: string;
  /** What the backend ran on (CPU cores, the GPU adapter), and the threads the steps were split over. */
  device?: string;
  workers?: number;
  trainSeconds: number;
  trainFramesPerSec: number;
  epochs: number;
  bestEpoch: number;
  threshold: number;
}

export interface EngineHooks {
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
}

/**
 * Wall time of the whole training: a run resumed from its checkpoint counts the epochs done before the
 * interruption too (each epoch record keeps its seconds), not only this call's (which may be ~0 s).
 */
export function totalTrainSeconds(r: { seconds: number; history: ReadonlyArray<{ seconds: number }> }): number {
  return Math.max(r.seconds, r.history.reduce((a, h) => a + (Number.isFinite(h.seconds) ? h.seconds : 0), 0));
}
