/**
 * Calibration of a VAE-family network (every kind whose graph is export-vae.ts's or export-vq.ts's
 * scorer) as a configuration of the one scoring pass (pass.ts): score every frame of the training
 * video with the new model, learn the calibration from the held-out blocks (per-patch scales of the
 * patch error and of motion, the latent scale, each rule component's tail model, the alarm threshold:
 * calibration version 2, see shared/tails.ts), then store the video's scores and events under it.
 */
import { AppError } from '../../shared/envelope.js';
import { alarmThreshold } from '../../shared/tails.js';
import type { ProgressMeter } from '../jobs/progress.js';
import type { DiagGmm } from '../ml/family/mixture.js';
import type { VaeScores } from '../ml/onnx/runtime.js';
import { type FramePick, gatherFrames } from '../engine/frames.js';
import type { RawComponents } from '../engine/components.js';
import type { Store } from '../store/store.js';
import { type Calibration, type CombinationRule, COMBINED_COMPONENTS, type CombinedComponent, combine, robustStat } from './calibrate.js';
import { fitGpTrajectory, scoreGpTrajectory } from './gp-trajectory.js';
import { calibrationSample, sampleTails } from './gap.js';
import { frameMotion, MotionStream, PATCH_SCALE_FLOOR, patchScales } from './motion.js';
import { type CalibrateBatches, concatMu, type KindScorer, runScorePass, type ScoredBatch } from './pass.js';

/** Frames per batch while calibrating. */
const CALIBRATE_BATCH = 128;

/** What calibrateAndScore needs beyond the model: the held-out frames, the rule and target, and a kind's extras. */
export interface CalibrateOptions {
  /** Frames of the video held out from training (contiguous blocks, see splitIndices): the calibration sample. */
  heldOut: Set<number>;
  /**
   * Frames of the video that trained the model: they join the calibration sample corrected by the
   * generalization gap (gap.ts). Frames in none of heldOut, trained and the labelled normal or
   * nuisance frames (left out of training: labelled incident or tamper, unreviewed event frames of a
   * fine-tune, frames a frame cap skipped) stay out of it. Absent: every other frame trained the model.
   */
  trained?: ReadonlySet<number>;
  targetFpr: number;
  sampledFps: number;
  rule: CombinationRule;
  meter: ProgressMeter;
  signal?: AbortSignal;
  /** VQ-VAE: code counts on the training split, for the rarity component. */
  codeCounts?: number[];
  /** Mixture-prior VAE: its learned prior, for the mixture component (−log p(μ)). */
  gmm?: DiagGmm;
  /** The model's ignore mask [S·S] (1 = ignored): left out of motion as of every other score. */
  ignore?: Uint8Array | null;
  /**
   * A fine-tune: frames the analyst labelled normal or nuisance (any video). Motion is model-free, so
   * this is how labels teach it: their motion joins the per-patch scales, and a nuisance that moves
   * (a headlight sweeping a wall) raises the scale of the patches it moves in.
   */
  labelled?: readonly FramePick[];
}

/**
 * Calibrate a VAE-family network on its training video and store that video's scores and events
 * (the scoring pass with `calibrateNetwork`). `scorer` is the kind's (models/network-scorer.ts).
 */
export async function calibrateAndScore(store: Store, modelId: number, videoId: number, scorer: KindScorer<VaeScores> & { latentDim: number }, o: CalibrateOptions): Promise<Calibration> {
  if (o.heldOut.size < 10) {
    await scorer.dispose();
    throw new AppError('TrainingInputError', `Too few held-out frames (${o.heldOut.size}) to calibrate scores: use a longer training video.`);
  }
  const size = store.getVideo(videoId).frameSize;
  const { calibration } = await runScorePass({
    store,
    modelId,
    videoId,
    scorer,
    batch: CALIBRATE_BATCH,
    motion: new MotionStream(size, scorer.earlier, o.ignore ?? null),
    meter: o.meter,
    ...(o.signal ? { signal: o.signal } : {}),
    calibration: calibrateNetwork(store, size, scorer.latentDim, o, videoId),
  });
  return calibration;
}

/** The calibration maths of a network kind, from every scored batch of its training video. */
export function calibrateNetwork(store: Store, size: number, L: number, o: CalibrateOptions, videoId: number): CalibrateBatches<VaeScores> {
  return (batches: ScoredBatch<VaeScores>[], scorer: KindScorer<VaeScores>) => {
    const { heldOut, targetFpr, sampledFps, rule, codeCounts } = o;
    const all = (pick: (s: VaeScores, i: number) => number, only?: Set<number>) => {
      const out: number[] = [];
      for (const { first, count, s } of batches) for (let i = 0; i < count; i++) if (!only || only.has(first + i)) out.push(pick(s, i));
      return out;
    };
    const rowsOf = (field: (b: ScoredBatch<VaeScores>) => Float32Array) => {
      const rows: Float32Array[] = [];
      for (const b of batches) {
        const f = field(b);
        const w = f.length / b.count;
        for (let i = 0; i < b.count; i++) rows.push(f.subarray(i * w, (i + 1) * w));
      }
      return rows;
    };
    // Per-patch scales over every frame of the training video, floored at a share of the frame-wide level
    // (a patch that never varied in training is no evidence, not an infinitely sensitive spot): the whole
    // level for the reconstruction error, half for motion (motion.ts PATCH_SCALE_FLOOR). Every frame,
    // not the held-out blocks alone: a few blocks see walkers in a few places only (on a dev scene that
    // left 55% of normal test frames over the threshold); the held-out blocks calibrate the scalar
    // components below, where being unseen by the model matters.
    const patchScale = patchScales(rowsOf((b) => b.s.patchErr), batches[0]!.s.patchErr.length / batches[0]!.count, PATCH_SCALE_FLOOR);
    const motionScale = patchScales([...rowsOf((b) => b.motion!), ...labelledMotion(store, o.labelled ?? [], size, o.ignore ?? null)], batches[0]!.motion!.length / batches[0]!.count);
    const latentScale: number[] = [];
    for (let k = 0; k < L; k++) {
      const v = all((s, i) => s.mu[i * L + k]!);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      latentScale.push(Math.max(1e-3, Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length)));
    }
    const partial: Pick<Calibration, 'patchMean' | 'patchStd' | 'latentScale' | 'rarity' | 'patchScale' | 'motionScale'> = {
      patchMean: [],
      patchStd: [],
      patchScale,
      motionScale,
      latentScale,
      ...(codeCounts ? { rarity: { counts: codeCounts, stat: { median: 0, scale: 1 } } } : {}),
    };
    const raws = batches.map((b) => ({ first: b.first, r: scorer.components(b, partial) }));
    // The GP latent-trajectory model: fitted on this (training) video's whole μ trajectory (three shared
    // hyperparameters and a per-dimension centre and scale), its statistic calibrated on held-out frames.
    let gp: Calibration['gp'];
    if (rule.gp) {
      const mu = concatMu(batches.map(({ count, s }) => s.mu.subarray(0, count * L)));
      const model = fitGpTrajectory(mu, L);
      const { stat } = scoreGpTrajectory(model, mu, L);
      let k = 0;
      for (const { r } of raws) for (const row of r) row.gp = stat[k++]!;
      gp = { model, stat: robustStat(raws.flatMap(({ first, r }) => r.filter((_, i) => heldOut.has(first + i)).map((row) => row.gp!))) };
    }
    // The calibration sample: every frame of the training video (gap.ts). The held-out blocks and, in a
    // fine-tune, the frames of this video the analyst labelled normal or nuisance as they are: those are
    // normal by review, and the fine-tune trained on them (repeated); without them a span learned this
    // well lies below every held-out frame, and a two-sided component (reconstruction, which also
    // catches a freeze or a defocus) flags it as "too good". Every other frame trained the model: its
    // model components are corrected by the gap measured between the held-out blocks and the trained-on
    // frames around them, so the sample covers every stretch of the footage (a few blocks see a few
    // stretches only; on UCSD Ped2, whose training clips range from empty to crowded walkways, the
    // crowded clips then lay outside the calibration) and still scores like footage the model never saw.
    const labelledHere = new Set((o.labelled ?? []).filter((p) => p.videoId === videoId).map((p) => p.index));
    const byFrame: RawComponents[] = [];
    for (const { first, r } of raws) r.forEach((row, i) => (byFrame[first + i] = row));
    const { asIs: heldRaw, sample, gap, outliersLeftOut } = calibrationSample(byFrame, { rule, targetFpr, asIs: (i) => heldOut.has(i) || labelledHere.has(i), trained: o.trained });
    if (partial.rarity) partial.rarity = { counts: partial.rarity.counts, stat: robustStat(heldRaw.map((r) => r.rarity!)) };
    const mixture = o.gmm ? { stat: robustStat(heldRaw.map((r) => r.mixture!)) } : undefined;
    const components = Object.fromEntries(COMBINED_COMPONENTS.map((k) => [k, robustStat(heldRaw.map((r) => r[k] ?? NaN).filter(Number.isFinite))])) as Record<CombinedComponent, ReturnType<typeof robustStat>>;
    // Each rule component's tail model on that sample: every component a p-value before they meet.
    const tails: NonNullable<Calibration['tails']> = sampleTails(sample, rule);
    const calib0: Calibration = { version: 2, tails, gap, outliersLeftOut, components, rule, ...partial, threshold: 0, lowThreshold: 0, targetFpr, sampledFps, ...(gp ? { gp } : {}), ...(mixture ? { mixture } : {}) };
    // The threshold's conformal quantile stays on the frames the model never trained on (held out, or
    // normal by review): its guarantee is for unseen frames, which the corrected ones only approximate.
    const heldCombined = heldRaw.map((r) => combine(r, calib0));
    const calibration: Calibration = {
      ...calib0,
      threshold: float32AtMost(alarmThreshold(heldCombined, targetFpr)),
      lowThreshold: float32AtMost(alarmThreshold(heldCombined, Math.min(0.5, 5 * targetFpr))),
    };
    return { calibration, raw: raws.map(({ r }): RawComponents[] => r) };
  };
}

/** Three-frame motion of each distinct labelled frame (scoring/motion.ts frameMotion). */
function labelledMotion(store: Store, picks: readonly FramePick[], size: number, ignore: Uint8Array | null): Float32Array[] {
  const seen = new Set<string>();
  const distinct = picks.filter((p) => !seen.has(`${p.videoId}:${p.index}`) && !!seen.add(`${p.videoId}:${p.index}`));
  if (!distinct.length) return [];
  const last = new Map<number, number>();
  for (const p of distinct) if (!last.has(p.videoId)) last.set(p.videoId, store.getVideo(p.videoId).frameCount - 1);
  const around = (d: number) => gatherFrames(store, distinct.map((p) => ({ videoId: p.videoId, index: Math.min(last.get(p.videoId)!, Math.max(0, p.index + d)) }))).data;
  const [prev, cur, next] = [around(-1), around(0), around(1)];
  const bytes = size * size * 3;
  return distinct.map((_, k) => frameMotion(prev.subarray(k * bytes, (k + 1) * bytes), cur.subarray(k * bytes, (k + 1) * bytes), next.subarray(k * bytes, (k + 1) * bytes), size, ignore));
}

/**
 * The largest float32 at most x. Scores are stored and read back as float32; a threshold that is one
 * of the held-out scores (the conformal quantile) rounded down keeps that frame at or over it, in the
 * stored events and in the review's live ones alike.
 */
export function float32AtMost(x: number): number {
  const f = Math.fround(x);
  if (f <= x || !Number.isFinite(f)) return f;
  const bits = new Float32Array([f]);
  const i = new Int32Array(bits.buffer);
  i[0]! += f > 0 ? -1 : 1;
  return bits[0]!;
}
