/**
 * Score every stored frame of a video with a ready model: frames stream through ONNX Runtime in
 * batches, each batch's components, latents and combined score go to SQLite in one transaction,
 * then event spans are found with the model's calibrated thresholds. A failed or canceled run
 * removes what it wrote, so a video never shows half its scores.
 */
import type { JobProgress, ModelKind } from '../../shared/domain.js';
import { AppError } from '../../shared/envelope.js';
import { ProgressMeter } from '../jobs/progress.js';
import { abortError } from '../media/decode.js';
import { OnnxVaeScorer, type VaeScores } from '../ml/onnx/runtime.js';
import { loadMixture, type StoredMixture } from '../ml/vae/mixture-prior.js';
import type { VaeConfig } from '../ml/vae/spec.js';
import { type VqConfig, vqGrid } from '../ml/vq/vq-vae.js';
import { type Calibration, combine } from '../scoring/calibrate.js';
import { MotionStream, settleMotion } from '../scoring/motion.js';
import { AdaptiveBaseline, adaptiveReference, type AdaptiveSetting, getAdaptiveBaseline } from '../scoring/adaptive.js';
import { rasterizeIgnoreMask } from '../../shared/ignore-mask.js';
import type { IgnoreMask } from '../../shared/domain.js';
import { scoreGpTrajectory } from '../scoring/gp-trajectory.js';
import { detectEvents } from '../scoring/events.js';
import { clearScores, getModel, markScoring, modelBlobs, replaceEvents, type ScoreRow, updateGpScores, writeScores } from '../store/models.js';
import type { Store } from '../store/store.js';
import { batchComponents, toScoreRows } from './components.js';
import { BASELINE_KINDS, scoreBaselineVideo } from './baseline-model.js';
import { conditionedFrameBatches } from './frames.js';
import { concatMu, eventOptions } from './train-model.js';

export interface ScoreVideoResult {
  modelId: number;
  videoId: number;
  frames: number;
  events: number;
  seconds: number;
  framesPerSec: number;
}

export async function scoreVideo(
  store: Store,
  modelId: number,
  videoId: number,
  hooks: {
    onProgress?: (p: JobProgress) => void;
    signal?: AbortSignal;
    batch?: number;
    threads?: number;
    /** The adaptive per-video baseline (scoring/adaptive.ts): default, the video's setting (getAdaptiveBaseline). */
    adaptive?: AdaptiveSetting;
  } = {},
): Promise<ScoreVideoResult> {
  const model = getModel(store, modelId);
  const video = store.getVideo(videoId);
  if (video.status === 'ready' && BASELINE_KINDS.includes(model.kind as ModelKind)) return scoreBaselineVideo(store, modelId, videoId, hooks);
  if (video.status !== 'ready') throw new AppError('NotReadyError', `${video.name} is not ready (${video.status}).`);
  const config = model.config as VaeConfig;
  const calib = model.calibration as Calibration;
  if (video.frameSize !== config.inputSize)
    throw new AppError('FrameSizeError', `${video.name} was stored at ${video.frameSize}x${video.frameSize} but model ${modelId} takes ${config.inputSize}x${config.inputSize}: import it again with --size ${config.inputSize}.`);
  const { onnx } = modelBlobs(store, modelId);
  const meter = new ProgressMeter(hooks.onProgress);
  meter.stage(`scoring with model ${modelId}`, video.frameCount);
  const t0 = performance.now();
  const scorer = await OnnxVaeScorer.create(onnx, hooks.threads ? { threads: hooks.threads } : {});
  // A VQ-VAE's "latent" is its quantized grid averaged over positions (export-vq.ts).
  const L = model.kind === 'vq-vae' ? vqGrid(model.config as VqConfig).dim : config.latentDim;
  const combined = new Float32Array(video.frameCount);
  // A mixture-prior VAE's learned prior (stored in its config): the mixture component, −log p(μ).
  const stored = (model.config as { mixture?: StoredMixture }).mixture;
  const gmm = stored ? loadMixture(stored) : null;
  let done = 0;
  // Kinds with a GP trajectory model need the whole trajectory: keep μ and the other components (a
  // few floats a frame), then fill in gp and the combined score in a second pass.
  const useGp = !!(calib.gp && calib.rule?.gp);
  const mus: Float32Array[] = [];
  const pending: ScoreRow[] = [];
  try {
    clearScores(store, modelId, videoId);
    markScoring(store, modelId, videoId, true);
    let prevMu: Float32Array | null = null;
    // Motion only for calibrations that know it (version 2); the model's ignore mask is left out of it too.
    const mask = (model.config as { ignoreMask?: IgnoreMask | null }).ignoreMask;
    const motion = calib.motionScale ? new MotionStream(video.frameSize, config.conditionFrames ?? 0, mask?.rects.length ? rasterizeIgnoreMask(mask, video.frameSize) : null) : null;
    // The adaptive baseline follows slow drift of each rule component on this video (version-2 calibrations only).
    const adaptive = hooks.adaptive ?? getAdaptiveBaseline(store, videoId);
    const baseline = adaptive.on && calib.tails ? new AdaptiveBaseline(adaptiveReference(calib), video.sampledFps, { windowSec: adaptive.windowSec }) : null;
    // One batch of look-ahead: three-frame motion needs the next frame's difference (scoring/motion.ts).
    let held: { first: number; count: number; s: VaeScores; d: Float32Array | null } | null = null;
    const finish = (h: NonNullable<typeof held>, next: Float32Array | null) => {
      const m = h.d ? settleMotion(h.d, h.count, next) : null;
      const raw = batchComponents(h.s, h.count, L, calib, prevMu, gmm, m);
      const rows = toScoreRows(h.first, raw, h.s, L, calib, baseline ? raw.map((r) => baseline.next(r)) : undefined);
      prevMu = h.s.mu.slice((h.count - 1) * L, h.count * L);
      writeScores(store, modelId, videoId, rows);
      if (useGp) {
        mus.push(h.s.mu.slice(0, h.count * L));
        pending.push(...rows);
      }
      for (const r of rows) combined[r.idx] = r.combined;
      done += h.count;
      meter.update(done);
    };
    for (const b of conditionedFrameBatches(store, videoId, hooks.batch ?? 256, config.conditionFrames ?? 0)) {
      if (hooks.signal?.aborted) throw abortError();
      const s = await scorer.run(b.pixels, b.count);
      const d = motion?.next(b.pixels, b.count) ?? null;
      if (held) finish(held, d ? d.subarray(0, d.length / b.count) : null);
      held = { first: b.first, count: b.count, s, d };
    }
    if (held) finish(held, null);
    if (useGp && pending.length) {
      // Time is in frames: a video sampled at another rate than the training video gets the length scale in its own frames.
      const model = calib.gp!.model;
      const rate = video.sampledFps > 0 && calib.sampledFps > 0 ? video.sampledFps / calib.sampledFps : 1;
      const { stat } = scoreGpTrajectory({ ...model, hyper: { ...model.hyper, lengthScale: model.hyper.lengthScale * rate } }, concatMu(mus), L);
      const updates = pending.map((r, i) => {
        const row = { ...r, gp: stat[i]! };
        return { idx: r.idx, gp: row.gp, combined: combine(row, calib) };
      });
      updateGpScores(store, modelId, videoId, updates);
      for (const u of updates) combined[u.idx] = u.combined;
    }
    const events = detectEvents(combined, eventOptions(calib));
    replaceEvents(store, modelId, videoId, events, calib.threshold);
    markScoring(store, modelId, videoId, false);
    const seconds = (performance.now() - t0) / 1000;
    meter.finish(done);
    return { modelId, videoId, frames: done, events: events.length, seconds, framesPerSec: done / seconds };
  } catch (e) {
    clearScores(store, modelId, videoId);
    markScoring(store, modelId, videoId, false);
    throw e;
  } finally {
    await scorer.dispose();
  }
}
