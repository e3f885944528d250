/**
 * The one scoring pass, whatever the model kind and whoever asks: a video's stored frames in batches
 * -> the kind's scorer (models/<family>/, created by its driver) -> score components -> calibration
 * -> score rows and latents written -> event spans. Re-scoring a video uses the model's stored
 * calibration and streams (one batch of look-ahead, for three-frame motion); training passes a
 * `calibrate` function instead, which sees every batch first (calibration is a configuration of
 * this pass, not a copy of it). A failed or canceled pass removes what it wrote, so a video never
 * shows half its scores.
 */
import { abortError } from '../media/decode.js';
import type { ProgressMeter } from '../jobs/progress.js';
import { conditionedFrameBatches } from '../engine/frames.js';
import type { RawComponents } from '../engine/components.js';
import { clearScores, markScoring, replaceEvents, type ScoreRow, updateGpScores, writeScores } from '../store/models.js';
import type { Store } from '../store/store.js';
import type { AdaptiveBaseline } from './adaptive.js';
import { type Calibration, combine } from './calibrate.js';
import { detectEvents, eventOptionsFor } from './events.js';
import { scoreGpTrajectory } from './gp-trajectory.js';
import { type MotionStream, settleMotion } from './motion.js';

/** One batch of consecutive frames as the kind's scorer saw them, with their settled per-patch motion (null: not computed). */
export interface ScoredBatch<S> {
  first: number;
  count: number;
  s: S;
  motion: Float32Array | null;
}

/** What calibration needs of a calibration while it is being learned (components are computed before the tails are fitted). */
export type ComponentCalibration = Pick<Calibration, 'patchMean' | 'patchStd' | 'latentScale' | 'rarity' | 'patchScale' | 'motionScale'>;

/**
 * A model kind's scorer: runs the model on batches of frames and turns its outputs into the stored
 * score components and rows. Made by the kind's driver (ModelKindDriver.openScorer); `S` is whatever
 * the kind's graph gives back (the VAE family: VaeScores; the baselines: one number a frame).
 */
export interface KindScorer<S = unknown> {
  /** Earlier frames each frame is scored together with (a conditional model's condition); 0: none. */
  readonly earlier: number;
  run(pixels: Uint8Array, count: number): Promise<S>;
  /**
   * Components of a batch. Called once per batch in frame order during a pass, so a scorer may carry
   * state from one batch to the next (the VAE family: the last frame's μ, for the temporal step).
   */
  components(b: ScoredBatch<S>, calib: ComponentCalibration): RawComponents[];
  /** Score rows of a batch: the components as measured; combined from `combineFrom` where given (the adaptive baseline's shifted components). */
  rows(b: ScoredBatch<S>, raw: RawComponents[], calib: Calibration, combineFrom?: RawComponents[]): ScoreRow[];
  /** The batch's latent means [count, latentDim] and latentDim, for the GP trajectory (kinds with a latent space). */
  latentMeans?(b: ScoredBatch<S>): { mu: Float32Array; dim: number };
  dispose(): Promise<void>;
}

/** Learns the calibration from every batch of the video (training): the calibration and each batch's components under it. */
export type CalibrateBatches<S> = (batches: ScoredBatch<S>[], scorer: KindScorer<S>) => { calibration: Calibration; raw: RawComponents[][] };

export interface ScorePassOptions<S> {
  store: Store;
  modelId: number;
  videoId: number;
  /** The kind's scorer; the pass disposes it. */
  scorer: KindScorer<S>;
  /** Frames per batch (results do not depend on it). */
  batch: number;
  /** Per-patch motion of every frame (scoring/motion.ts), or null where the calibration has none. */
  motion: MotionStream | null;
  meter: ProgressMeter;
  signal?: AbortSignal;
  /** Score with this (the model's stored) calibration, or learn the calibration from this video first. */
  calibration: Calibration | CalibrateBatches<S>;
  /** The adaptive per-video baseline (scoring/adaptive.ts), when scoring with a stored calibration. */
  adaptive?: AdaptiveBaseline<string> | null;
  /** The video's sampled rate over the calibration's (the GP length scale is in frames); default 1. */
  gpRate?: number;
}

export interface ScorePassResult {
  calibration: Calibration;
  frames: number;
  events: number;
}

/** Event detection settings from a calibration: hysteresis between the two thresholds, ~0.3 s minimum, ~1 s merge gap. */
export function eventOptions(c: Calibration): { threshold: number; lowThreshold: number; minFrames: number; mergeGap: number } {
  return eventOptionsFor(c.threshold, c.lowThreshold, c.sampledFps);
}

/** Consecutive batches' μ as one [T, L] trajectory. */
export function concatMu(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The scorer's batches in order, each with its motion settled (three-frame motion: a batch's last frame takes the next batch's first difference). */
async function* scoredBatches<S>(o: ScorePassOptions<S>): AsyncGenerator<ScoredBatch<S>> {
  let held: { first: number; count: number; s: S; d: Float32Array | null } | null = null;
  const settle = (h: NonNullable<typeof held>, next: Float32Array | null): ScoredBatch<S> => ({ first: h.first, count: h.count, s: h.s, motion: h.d ? settleMotion(h.d, h.count, next) : null });
  for (const b of conditionedFrameBatches(o.store, o.videoId, o.batch, o.scorer.earlier)) {
    if (o.signal?.aborted) throw abortError();
    const s = await o.scorer.run(b.pixels, b.count);
    const d = o.motion?.next(b.pixels, b.count) ?? null;
    if (held) yield settle(held, d ? d.subarray(0, d.length / b.count) : null);
    held = { first: b.first, count: b.count, s, d };
  }
  if (held) yield settle(held, null);
}

/** Score every stored frame of a video (see the file comment). */
export async function runScorePass<S>(o: ScorePassOptions<S>): Promise<ScorePassResult> {
  const { store, modelId, videoId, scorer, meter } = o;
  // Combined scores for event detection as stored and as the review reads them (float32), so that the
  // events the review recomputes at the calibrated threshold are exactly the stored ones. A calibrated
  // threshold is rounded down to a float32 (calibrate-network.ts), so a frame at it stays over it.
  const frameCount = store.getVideo(videoId).frameCount;
  const combined = new Float32Array(frameCount);
  let done = 0;
  const write = (rows: ScoreRow[]) => {
    writeScores(store, modelId, videoId, rows);
    for (const r of rows) combined[r.idx] = r.combined;
  };
  try {
    clearScores(store, modelId, videoId);
    markScoring(store, modelId, videoId, true);
    let calibration: Calibration;
    if (typeof o.calibration === 'function') {
      // Training: calibrate on the whole video first, then write every batch under that calibration.
      const batches: ScoredBatch<S>[] = [];
      for await (const b of scoredBatches(o)) {
        batches.push(b);
        done += b.count;
        meter.update(done);
      }
      const learned = o.calibration(batches, scorer);
      calibration = learned.calibration;
      batches.forEach((b, j) => write(scorer.rows(b, learned.raw[j]!, learned.calibration)));
    } else {
      calibration = o.calibration;
      const calib = calibration;
      // Kinds with a GP trajectory model need the whole trajectory: keep μ and the rows (a few floats a
      // frame), then fill in gp and the combined score in a second pass.
      const useGp = !!(calib.gp && calib.rule?.gp && scorer.latentMeans);
      const mus: Float32Array[] = [];
      const pending: ScoreRow[] = [];
      let dim = 0;
      for await (const b of scoredBatches(o)) {
        const raw = scorer.components(b, calib);
        const rows = scorer.rows(b, raw, calib, o.adaptive ? raw.map((r) => o.adaptive!.next(r)) : undefined);
        write(rows);
        if (useGp) {
          const m = scorer.latentMeans!(b);
          dim = m.dim;
          mus.push(m.mu.slice(0, b.count * m.dim));
          pending.push(...rows);
        }
        done += b.count;
        meter.update(done);
      }
      if (useGp && pending.length) {
        // Time is in frames: a video sampled at another rate than the training video gets the length scale in its own frames.
        const model = calib.gp!.model;
        const rate = o.gpRate ?? 1;
        const { stat } = scoreGpTrajectory({ ...model, hyper: { ...model.hyper, lengthScale: model.hyper.lengthScale * rate } }, concatMu(mus), dim);
        const updates = pending.map((r, i) => {
          const row = { ...r, gp: stat[i]! };
          return { idx: r.idx, gp: row.gp, combined: combine(row, calib) };
        });
        updateGpScores(store, modelId, videoId, updates);
        for (const u of updates) combined[u.idx] = u.combined;
      }
    }
    const events = detectEvents(combined.subarray(0, done), eventOptions(calibration));
    replaceEvents(store, modelId, videoId, events, calibration.threshold);
    markScoring(store, modelId, videoId, false);
    return { calibration, frames: done, events: events.length };
  } catch (e) {
    clearScores(store, modelId, videoId);
    markScoring(store, modelId, videoId, false);
    throw e;
  } finally {
    await scorer.dispose();
  }
}
