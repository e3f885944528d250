/**
 * How the latent scatter colours its points. Every colour mode turns the per-point values into a small
 * palette and one palette entry (a bucket) per point, plus the order to draw them in (what matters is
 * drawn last, on top) and which points are drawn larger. Computed once per data or mode change; each
 * redraw then only maps positions.
 */
import { BUILTIN_LABEL_CLASSES } from '../../../shared/domain.js';

export type ColourMode = 'score' | 'label' | 'time' | 'mixture';

export type ScatterLegend =
  | {
      kind: 'ramp';
      /** CSS gradient stops, low to high. */
      stops: string[];
      low: string;
      high: string;
      /** A marked position on the ramp (0..1), e.g. the threshold. */
      mark: { at: number; label: string } | null;
    }
  | { kind: 'classes'; entries: Array<{ label: string; colour: string; count: number }> };

export interface ScatterStyle {
  /** '#rrggbb' colours; bucket values index into it (at most 256). */
  palette: string[];
  /** Each point's palette entry. */
  bucket: Uint8Array;
  /** 1 for points drawn larger (over the threshold). */
  emphasis: Uint8Array;
  /** Point indices in drawing order. */
  order: Uint32Array;
  legend: ScatterLegend;
}

/** Viridis from 0.2 to 1 (its darkest fifth vanishes on the dark theme): perceptually even, colour-blind safe. */
export const SCORE_RAMP = ['#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'];
/** Plasma from 0.25 to 1, for time: visibly another ramp than the score's. */
export const TIME_RAMP = ['#8b0aa5', '#a72197', '#c03a83', '#d5546e', '#e76f5a', '#f58c46', '#fdad32', '#fcce25', '#f0f921'];
export const RAMP_BUCKETS = 64;
/** Where the threshold sits on the score ramp: below it the cool three quarters, above it the bright top. */
export const THRESHOLD_AT = 0.75;

/** The built-in classes keep their colours everywhere (the shared palette); other classes take the next free one. */
import { CLASS_COLOURS, UNLABELLED_COLOUR, classColour } from '../palette.js';
export { CLASS_COLOURS, UNLABELLED_COLOUR };
/** Tableau 10: mixture components. */
const CATEGORY_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

const toHex = (r: number, g: number, b: number) => `#${((1 << 24) | (Math.round(r) << 16) | (Math.round(g) << 8) | Math.round(b)).toString(16).slice(1)}`;

/** `count` colours evenly along a ramp given by its stops (linear in sRGB between stops). */
export function sampleRamp(stops: readonly string[], count: number): string[] {
  const rgb = stops.map(hexToRgb);
  return Array.from({ length: count }, (_, k) => {
    const t = count === 1 ? 0 : (k / (count - 1)) * (rgb.length - 1);
    const i = Math.min(rgb.length - 2, Math.floor(t));
    const f = t - i;
    const a = rgb[i]!, b = rgb[i + 1]!;
    return toHex(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f);
  });
}

/** Mix a colour toward another (t = 0: the colour, 1: the other). */
export function mixColour(hex: string, toward: string, t: number): string {
  const a = hexToRgb(hex), b = hexToRgb(toward);
  return toHex(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t);
}

/** Point indices sorted by bucket (stable), so higher buckets are drawn over lower ones. */
function orderByBucket(bucket: Uint8Array, emphasis: Uint8Array): Uint32Array {
  const counts = new Uint32Array(512);
  const key = (i: number) => (emphasis[i]! << 8) | bucket[i]!;
  for (let i = 0; i < bucket.length; i++) counts[key(i)]!++;
  let sum = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k]!;
    counts[k] = sum;
    sum += c;
  }
  const order = new Uint32Array(bucket.length);
  for (let i = 0; i < bucket.length; i++) order[counts[key(i)]!++] = i;
  return order;
}

function finiteRange(values: ArrayLike<number>, n: number): { min: number; max: number } | null {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : null;
}

const formatScore = (v: number) => (Number.isFinite(v) ? v.toPrecision(3) : '–');

/**
 * Score: the ramp spans [min, threshold] over its lower three quarters and [threshold, max] over the
 * rest, so points over the threshold are always the bright end; they are also drawn larger and on top.
 * Points without a score take the lowest colour.
 */
export function scoreStyle(scores: ArrayLike<number>, threshold: number, count: number): ScatterStyle {
  const palette = sampleRamp(SCORE_RAMP, RAMP_BUCKETS);
  const bucket = new Uint8Array(count);
  const emphasis = new Uint8Array(count);
  const range = finiteRange(scores, Math.min(count, scores.length));
  const lo = range?.min ?? 0;
  const hi = range?.max ?? 1;
  const t = Number.isFinite(threshold) && threshold > lo && threshold < hi ? threshold : NaN;
  const position = (v: number) => {
    if (Number.isNaN(t)) return hi > lo ? (v - lo) / (hi - lo) : 0;
    return v < t ? ((v - lo) / (t - lo)) * THRESHOLD_AT : THRESHOLD_AT + ((v - t) / (hi - t)) * (1 - THRESHOLD_AT);
  };
  for (let i = 0; i < count; i++) {
    const v = i < scores.length ? scores[i]! : NaN;
    if (!Number.isFinite(v)) continue;
    bucket[i] = Math.max(0, Math.min(RAMP_BUCKETS - 1, Math.round(position(v) * (RAMP_BUCKETS - 1))));
    emphasis[i] = Number.isFinite(threshold) && v >= threshold ? 1 : 0;
  }
  const mark = Number.isNaN(t) ? null : { at: THRESHOLD_AT, label: `threshold ${formatScore(t)}` };
  return {
    palette, bucket, emphasis, order: orderByBucket(bucket, emphasis),
    legend: { kind: 'ramp', stops: SCORE_RAMP, low: formatScore(range?.min ?? NaN), high: formatScore(range?.max ?? NaN), mark },
  };
}

/** Time: the ramp over the points' timestamps, first frame darkest; later frames drawn on top. */
export function timeStyle(ptsSec: ArrayLike<number>, count: number, format: (sec: number) => string): ScatterStyle {
  const palette = sampleRamp(TIME_RAMP, RAMP_BUCKETS);
  const bucket = new Uint8Array(count);
  const range = finiteRange(ptsSec, Math.min(count, ptsSec.length));
  const lo = range?.min ?? 0;
  const span = range && range.max > range.min ? range.max - range.min : 1;
  for (let i = 0; i < count; i++) {
    const v = i < ptsSec.length ? ptsSec[i]! : NaN;
    bucket[i] = Number.isFinite(v) ? Math.round(((v - lo) / span) * (RAMP_BUCKETS - 1)) : 0;
  }
  const emphasis = new Uint8Array(count);
  return {
    palette, bucket, emphasis, order: orderByBucket(bucket, emphasis),
    legend: { kind: 'ramp', stops: TIME_RAMP, low: range ? format(range.min) : '–', high: range ? format(range.max) : '–', mark: null },
  };
}

/** The colour of each class: built-in ones fixed, others in order of first appearance after sorting by name. */
export function classColours(classes: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  const others = [...new Set(classes)].filter((c) => c !== '' && !(c in CLASS_COLOURS)).sort();
  for (const c of BUILTIN_LABEL_CLASSES) out.set(c, CLASS_COLOURS[c]!);
  for (const c of others) out.set(c, classColour(c));
  return out;
}

/**
 * Label class of each point's frame (`frameOf(i)` is point i's frame; `frameClasses` is indexed by
 * frame, '' when unlabelled): unlabelled grey, drawn first; the legend lists the classes present.
 */
export function labelStyle(frameClasses: readonly string[], count: number, frameOf: (point: number) => number): ScatterStyle {
  const classOf = (i: number) => frameClasses[frameOf(i)] ?? '';
  const present = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const c = classOf(i);
    present.set(c, (present.get(c) ?? 0) + 1);
  }
  const colours = classColours(present.keys());
  // Bucket 0 is unlabelled; the classes follow in legend order (built-ins first).
  const names = [...colours.keys()].filter((c) => present.has(c)).slice(0, 255);
  const slot = new Map(names.map((c, k) => [c, k + 1]));
  const palette = [UNLABELLED_COLOUR, ...names.map((c) => colours.get(c)!)];
  const bucket = new Uint8Array(count);
  for (let i = 0; i < count; i++) bucket[i] = slot.get(classOf(i)) ?? 0;
  const emphasis = new Uint8Array(count);
  const entries = names.map((c) => ({ label: c, colour: colours.get(c)!, count: present.get(c)! }));
  if (present.has('')) entries.push({ label: 'unlabelled', colour: UNLABELLED_COLOUR, count: present.get('')! });
  return { palette, bucket, emphasis, order: orderByBucket(bucket, emphasis), legend: { kind: 'classes', entries } };
}

/** Mixture component of each point (models with a mixture prior). */
export function mixtureStyle(classes: readonly number[], count: number): ScatterStyle {
  const palette = CATEGORY_COLOURS.slice();
  const slot = (c: number) => ((c % palette.length) + palette.length) % palette.length;
  const bucket = new Uint8Array(count);
  const counts = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const c = classes[i] ?? 0;
    bucket[i] = slot(c);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  const emphasis = new Uint8Array(count);
  const entries = [...counts.keys()].sort((a, b) => a - b).map((c) => ({ label: `component ${c}`, colour: palette[slot(c)]!, count: counts.get(c)! }));
  return { palette, bucket, emphasis, order: orderByBucket(bucket, emphasis), legend: { kind: 'classes', entries } };
}
