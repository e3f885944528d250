/**
 * The GP-smoothed latent trajectory of a scored video, for drawing beside the latent scatter: the GP's
 * prediction of each frame's μ from its neighbours (scoring/gp-trajectory.ts), with the per-frame
 * residual and the windowed statistic. Computed on demand from the stored latents (O(frames · window · L),
 * milliseconds), so nothing extra is stored. Needs a model with a fitted GP ('vae-gp').
 */
import { AppError } from '../../shared/envelope.js';
import { getParsedModel } from '../models/records.js';
import { scoreGpTrajectory } from '../scoring/gp-trajectory.js';
import { readLatentMeans } from '../store/models.js';
import type { Store } from '../store/store.js';

export interface LatentTrajectory {
  latentDim: number;
  /** Stored μ, [frames, L]. */
  mu: Float32Array;
  /** The GP's prediction of μ_t from its neighbours, [frames, L]. */
  smooth: Float32Array;
  /** Mean squared standardized residual per frame. */
  residual: Float64Array;
  /** The windowed statistic (the stored gp component). */
  stat: Float64Array;
}

/** `means`: the video's stored μ when the caller has already read them (else they are read here). */
export function latentTrajectory(store: Store, modelId: number, videoId: number, means?: { mu: Float32Array; dim: number }): LatentTrajectory {
  const model = getParsedModel(store, modelId);
  const calib = model.calibration;
  const gp = calib?.gp;
  if (!gp) throw new AppError('NotFoundError', `Model ${modelId} (${model.kind}) has no GP trajectory model: train a vae-gp model.`);
  const { mu, dim: latentDim } = means ?? readLatentMeans(store, modelId, videoId);
  const frames = latentDim ? mu.length / latentDim : 0;
  if (frames === 0) throw new AppError('NotFoundError', `Video ${videoId} has not been scored with model ${modelId}.`);
  const video = store.getVideo(videoId);
  const rate = video.sampledFps > 0 && calib.sampledFps > 0 ? video.sampledFps / calib.sampledFps : 1;
  const s = scoreGpTrajectory({ ...gp.model, hyper: { ...gp.model.hyper, lengthScale: gp.model.hyper.lengthScale * rate } }, mu, latentDim);
  return { latentDim, mu, smooth: s.smooth, residual: s.residual, stat: s.stat };
}
