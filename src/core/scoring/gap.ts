/**
 * The generalization gap of a model's score components, and the calibration sample it makes possible.
 *
 * A component of the model (its reconstruction error, its latent step, ...) must be calibrated on
 * frames the model did not train on, or new footage looks more unusual than the calibration says. The
 * held-out blocks give that, but only for the stretches of footage they cover: five blocks see five
 * stretches, and real training footage varies more between stretches than within them. On UCSD Ped2
 * the training clips range from an empty walkway to a crowd, the median patch error of a clip from
 * 0.28 to 0.93, and the most crowded clip was never inside a held-out block; the dev clips' crowded
 * frames then lay beyond the calibration (3.5% and 3.9% of normal frames over a 1% threshold on two
 * training seeds), while the frames the model trained on differed from unseen frames of the same
 * stretch by 3-15% only.
 *
 * So the calibration sample is every frame of the training video: the held-out blocks as they are, and
 * each frame the model trained on corrected by the gap measured between the two, per component:
 * around each held-out block, the median of the block over the median of the trained-on frames just
 * before and after it (as many as the block is long on each side: the same stretch of footage, seen
 * and unseen), the median over blocks, never below 1 (a model is not assumed better on footage it has
 * not seen). A component whose values are not all positive takes the difference of the medians
 * instead of the ratio. The held-out blocks still decide how much worse unseen footage scores; the
 * frames around them decide how varied the footage is.
 *
 * A trained-on frame that the held-out blocks alone call far rarer than an alarm (OUTLIER_DECADES
 * times the alarm level) may be an incident inside the training video (an analyst often trains on the
 * video under review): it is left out, so it cannot define normal. Denser crowds than the blocks saw
 * stay in (on UCSD Ped2 at most 3 decades; a covered lens in the demo scene, over 100).
 */
import { fitTail, surpriseLog10, tailLog10P, type TailModel } from '../../shared/tails.js';
import type { RawComponents } from '../engine/components.js';
import { type CombinationRule, quantile } from './calibrate.js';

/** A trained-on frame this many times the alarm level (in decades) beyond the held-out blocks stays out of the calibration sample. */
export const OUTLIER_DECADES = 2;

/** Components that do not depend on the trained model (motion; sharpness is the input frame's Laplacian): no gap correction. */
export const MODEL_FREE_COMPONENTS: ReadonlySet<string> = new Set(['motion', 'sharpness']);

/** The correction of a trained-on frame's value v: v · scale + shift (scale ≥ 1, shift ≥ 0; one of them is the identity). */
export interface Gap {
  scale: number;
  shift: number;
}

export const NO_GAP: Gap = { scale: 1, shift: 0 };

/** Fewest trained-on neighbours a block needs to measure its gap. */
const MIN_NEIGHBOURS = 10;

/** Maximal runs [first, last] of consecutive indices, ascending. */
export function blocksOf(indices: Iterable<number>): Array<[number, number]> {
  const a = [...new Set(indices)].sort((x, y) => x - y);
  const out: Array<[number, number]> = [];
  for (const i of a) {
    const last = out[out.length - 1];
    if (last && i === last[1] + 1) last[1] = i;
    else out.push([i, i]);
  }
  return out;
}

const median = (v: number[]) => quantile(v, 0.5);

/**
 * The gap of one component. `values[i]` is frame i's value (NaN: none); `heldOut` the held-out blocks'
 * frames; `trained(i)` whether frame i trained the model (default: every frame not held out).
 */
export function measureGap(values: ArrayLike<number>, heldOut: ReadonlySet<number>, trained: (i: number) => boolean = (i) => !heldOut.has(i)): Gap {
  const finite = (i: number) => i >= 0 && i < values.length && Number.isFinite(values[i]!);
  let positive = true;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!) && !(values[i]! > 0)) positive = false;
  const ratios: number[] = [];
  const diffs: number[] = [];
  for (const [a, b] of blocksOf(heldOut)) {
    const len = b - a + 1;
    const block: number[] = [];
    for (let i = a; i <= b; i++) if (finite(i)) block.push(values[i]!);
    const near: number[] = [];
    for (let i = a - len; i <= b + len; i++) if ((i < a || i > b) && finite(i) && trained(i)) near.push(values[i]!);
    if (block.length < MIN_NEIGHBOURS || near.length < MIN_NEIGHBOURS) continue;
    const mb = median(block);
    const mn = median(near);
    ratios.push(mb / mn);
    diffs.push(mb - mn);
  }
  if (!ratios.length) return NO_GAP;
  return positive ? { scale: Math.max(1, median(ratios)), shift: 0 } : { scale: 1, shift: Math.max(0, median(diffs)) };
}

export function applyGap(v: number, g: Gap): number {
  return v * g.scale + g.shift;
}

const valueOf = (r: RawComponents, k: keyof CombinationRule): number => {
  const v = r[k];
  return typeof v === 'number' ? v : NaN;
};

export interface CalibrationSample {
  /** The frames taken as they are (held out, or normal by review), in time order: the conformal threshold's sample. */
  asIs: RawComponents[];
  /** Those and the trained-on frames, corrected by `gap`: the tail models' sample. */
  sample: RawComponents[];
  /** Each model component's gap. */
  gap: Partial<Record<keyof CombinationRule, Gap>>;
  /** Trained-on frames left out as possible incidents. */
  outliersLeftOut: number;
}

/**
 * The calibration sample of a video's scored frames `byFrame` (indexed by frame): the frames `asIs`
 * says to take as they are, and the frames `trained` (absent: every other frame) corrected by the gap
 * along them, less the outliers. Frames in neither stay out (left out of training).
 */
export function calibrationSample(
  byFrame: readonly RawComponents[],
  o: { rule: CombinationRule; targetFpr: number; asIs: (i: number) => boolean; trained?: ReadonlySet<number> | undefined },
): CalibrationSample {
  const { rule, asIs } = o;
  const ruleKeys = Object.keys(rule) as (keyof CombinationRule)[];
  const modelKeys = ruleKeys.filter((k) => !MODEL_FREE_COMPONENTS.has(k));
  // In time order; the gap is measured along it (a frame cap's skipped frames and the frames left out
  // of training are not there, so a held-out block stays one block).
  const candidates: number[] = [];
  byFrame.forEach((_, i) => {
    if (asIs(i) || !o.trained || o.trained.has(i)) candidates.push(i);
  });
  const held = candidates.filter(asIs).map((i) => byFrame[i]!);
  const heldTails = new Map<keyof CombinationRule, TailModel>();
  for (const k of modelKeys) {
    const v = held.map((r) => valueOf(r, k)).filter(Number.isFinite);
    if (v.length >= 10) heldTails.set(k, fitTail(v));
  }
  const outlierLevel = OUTLIER_DECADES * -Math.log10(o.targetFpr);
  const outlier = (r: RawComponents) => {
    let lp = 0;
    for (const [k, t] of heldTails) {
      const v = valueOf(r, k);
      if (Number.isFinite(v)) lp = Math.min(lp, tailLog10P(v, t, rule[k]!));
    }
    return surpriseLog10(lp, ruleKeys.length) > outlierLevel;
  };
  const order = candidates.filter((i) => asIs(i) || !outlier(byFrame[i]!));
  const heldPositions = new Set<number>();
  order.forEach((i, pos) => asIs(i) && heldPositions.add(pos));
  const gap: Partial<Record<keyof CombinationRule, Gap>> = {};
  for (const k of modelKeys)
    gap[k] = measureGap(
      order.map((i) => valueOf(byFrame[i]!, k)),
      heldPositions,
    );
  const sample = order.map((i) => {
    const r = byFrame[i]!;
    if (asIs(i)) return r;
    const out = { ...r };
    for (const [k, g] of Object.entries(gap) as [keyof CombinationRule, Gap][]) {
      const v = valueOf(r, k);
      if (Number.isFinite(v)) (out as Record<string, unknown>)[k] = applyGap(v, g);
    }
    return out;
  });
  return { asIs: held, sample, gap, outliersLeftOut: candidates.length - order.length };
}

/** Each rule component's tail model on a calibration sample (components with fewer than 10 values have none). */
export function sampleTails(sample: readonly RawComponents[], rule: CombinationRule): Partial<Record<keyof CombinationRule, TailModel>> {
  const tails: Partial<Record<keyof CombinationRule, TailModel>> = {};
  for (const k of Object.keys(rule) as (keyof CombinationRule)[]) {
    const v = sample.map((r) => valueOf(r, k)).filter(Number.isFinite);
    if (v.length >= 10) tails[k] = fitTail(v);
  }
  return tails;
}
