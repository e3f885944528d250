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
 */

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

function median(v: number[]): number {
  const a = Float64Array.from(v).sort();
  if (!a.length) return NaN;
  const m = (a.length - 1) / 2;
  return (a[Math.floor(m)]! + a[Math.ceil(m)]!) / 2;
}

/**
 * The gap of one component. `values[i]` is frame i's value (NaN: none); `heldOut` the held-out blocks'
 * frames; `trained(i)` whether frame i trained the model.
 */
export function measureGap(values: ArrayLike<number>, heldOut: ReadonlySet<number>, trained: (i: number) => boolean): Gap {
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
