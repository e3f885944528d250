/**
 * Re-scoring: every stored frame of a video through the one scoring pass (pass.ts) with a ready
 * model's stored calibration, the model's ignore mask left out of motion, and the video's adaptive
 * baseline. The kind's scorer comes from its driver (engine/score-video.ts asks the registry; a
 * driver's own training passes the scorer it has).
 */
import type { JobProgress } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { rasterizeIgnoreMask } from '../../shared/ignore-mask.js';
import { ProgressMeter } from '../jobs/progress.js';
import { calibrationOf, type ParsedModel } from '../models/records.js';
import type { Store } from '../store/store.js';
import { AdaptiveBaseline, adaptiveReference, type AdaptiveSetting, getAdaptiveBaseline } from './adaptive.js';
import { MotionStream } from './motion.js';
import { type KindScorer, runScorePass } from './pass.js';

export interface ScoreVideoHooks {
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
  batch?: number;
  threads?: number;
  /** The adaptive per-video baseline (scoring/adaptive.ts): default, the video's setting (getAdaptiveBaseline). */
  adaptive?: AdaptiveSetting;
}

export interface ScoreVideoResult {
  modelId: number;
  videoId: number;
  frames: number;
  events: number;
  seconds: number;
  framesPerSec: number;
}

/** Throws unless the video is ready and stored at the model's frame size. */
export function checkScorable(store: Store, model: ParsedModel, videoId: number): void {
  const video = store.getVideo(videoId);
  if (video.status !== 'ready') throw new AppError('NotReadyError', `${video.name} is not ready (${video.status}).`);
  const { inputSize } = model.config;
  if (video.frameSize !== inputSize)
    throw new AppError('FrameSizeError', `${video.name} was stored at ${video.frameSize}x${video.frameSize} but model ${model.id} takes ${inputSize}x${inputSize}: import it again with --size ${inputSize}.`);
}

/** Score a video with a ready model through `scorer` (disposed at the end); see the file comment. */
export async function scoreModelVideo(store: Store, model: ParsedModel, videoId: number, scorer: KindScorer, hooks: ScoreVideoHooks = {}): Promise<ScoreVideoResult> {
  const video = store.getVideo(videoId);
  const calib = calibrationOf(model);
  const meter = new ProgressMeter(hooks.onProgress);
  meter.stage(`scoring with model ${model.id}`, video.frameCount);
  const t0 = performance.now();
  // Motion only for calibrations that know it (version 2); the model's ignore mask is left out of it too.
  const mask = model.config.ignoreMask;
  const motion = calib.motionScale ? new MotionStream(video.frameSize, scorer.earlier, mask?.rects.length ? rasterizeIgnoreMask(mask, video.frameSize) : null) : null;
  // The adaptive baseline follows slow drift of each rule component on this video (version-2 calibrations only).
  const adaptive = hooks.adaptive ?? getAdaptiveBaseline(store, videoId);
  const baseline = adaptive.on && calib.tails ? new AdaptiveBaseline(adaptiveReference(calib), video.sampledFps, { windowSec: adaptive.windowSec }) : null;
  const r = await runScorePass({
    store,
    modelId: model.id,
    videoId,
    scorer,
    batch: hooks.batch ?? 256,
    motion,
    meter,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    calibration: calib,
    adaptive: baseline,
    gpRate: video.sampledFps > 0 && calib.sampledFps > 0 ? video.sampledFps / calib.sampledFps : 1,
  });
  const seconds = (performance.now() - t0) / 1000;
  meter.finish(r.frames);
  return { modelId: model.id, videoId, frames: r.frames, events: r.events, seconds, framesPerSec: r.frames / seconds };
}
