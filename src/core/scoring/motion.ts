/**
 * Motion: how much each region of the picture is changing around each frame.
 *
 * On a fixed camera, motion carries most of what separates the unusual from the usual (DETECTION.md:
 * single-frame autoencoders trail models that see motion; a plain per-patch frame difference reaches
 * 0.95 on the UCSD Ped2 dev clips). Each frame's grey level (mean of its channels) is differenced with
 * the previous frame's, and |Δ| is averaged over overlapping patches (a patch is 1/8 of the frame's
 * side, patches start every 1/16: a 15 × 15 grid at any size). Pixels of the model's ignore mask are
 * left out. A frame's motion in a patch is the smaller of its difference with the previous frame and
 * the next frame's difference with it (three-frame differencing): a walker or a cyclist moves in
 * both, but a step change (the lens covered, the camera moved, and the moment it ends) makes one
 * large difference only, so motion does not flag the first normal frame after an event (the other
 * components see the step itself). It costs one frame of look-ahead.
 *
 * The motion score of a frame is the mean of its K largest patch motions, each divided by that
 * patch's own spread on held-out normal footage: a patch where pedestrians always walk needs more
 * motion to count than one where nothing moves. A patch that never moved in training is a patch with
 * no evidence, not an infinitely sensitive one (DETECTION.md, "Per-location statistics need a
 * floor"): its scale is floored at half the frame-wide level.
 */

/** Patches that enter the motion score: the K largest, so one small cyclist is not averaged away by the rest of the frame but one noisy patch alone does not decide. */
export const MOTION_TOP_K = 3;
/** The per-patch scale: this quantile of the patch's motion on held-out frames. */
export const MOTION_SCALE_QUANTILE = 0.99;
/** The floor: this share of the same quantile over all patches. */
export const MOTION_SCALE_FLOOR = 0.5;
/**
 * The floor of the per-patch scales of the reconstruction error (the `patch` component): the whole
 * frame-wide quantile. Where things move matters (motion where nothing ever moved is news), but how hard
 * a person is to reconstruct does not depend on where they walk: an error as large as the frame's
 * ordinary worst is ordinary anywhere. On UCSD Ped2 (dev clips, seeds 1 and 2) half the level left
 * crowded normal frames and a walker near the camera over the threshold (0% and 7.8% of normal frames);
 * the full level gave 0% and 3.5%, and pooled AUC 0.941 -> 0.948 and 0.937 -> 0.939.
 */
export const PATCH_SCALE_FLOOR = 1;

export interface MotionGrid {
  /** Patch side and stride in pixels, patches per side. */
  patch: number;
  stride: number;
  grid: number;
}

export function motionGrid(size: number): MotionGrid {
  const patch = Math.max(2, Math.round(size / 8));
  const stride = Math.max(1, Math.round(size / 16));
  const grid = Math.floor((size - patch) / stride) + 1;
  return { patch, stride, grid };
}

/**
 * Per-patch mean |Δ grey| (0..1) of `count` consecutive frames [count, S, S, channels] (uint8, the
 * first `channels` of each pixel's `stride` channels are the frame itself). `prev` is the frame
 * before the first (null at the start of a video: the first frame then takes the second's motion).
 * `ignore` [S·S], 1 = left out. Returns [count, G²].
 */
export function patchMotion(
  pixels: Uint8Array,
  count: number,
  size: number,
  o: { channels?: number; pixelStride?: number; prev?: Uint8Array | null; ignore?: Uint8Array | null } = {},
): Float32Array {
  const channels = o.channels ?? 3;
  const pstride = o.pixelStride ?? channels;
  const n = size * size;
  const W = size + 1;
  const { patch, stride, grid } = motionGrid(size);
  const out = new Float32Array(count * grid * grid);
  // A pixel's grey level (0..1, float32) by the sum of its channels.
  const level = new Float32Array(255 * channels + 1);
  for (let s = 0; s < level.length; s++) level[s] = s / (255 * channels);
  const grey = (buf: Uint8Array, frame: number, out: Float32Array) => {
    let i = frame * n * pstride;
    if (channels === 3) for (let p = 0; p < n; p++, i += pstride) out[p] = level[buf[i]! + buf[i + 1]! + buf[i + 2]!]!;
    else
      for (let p = 0; p < n; p++, i += pstride) {
        let s = 0;
        for (let c = 0; c < channels; c++) s += buf[i + c]!;
        out[p] = level[s]!;
      }
  };
  let before = new Float32Array(n);
  let now = new Float32Array(n);
  // Summed-area tables (row and column 0 stay 0) of the weights and of |Δ| keep the box sums O(S²) a frame.
  const sat = new Float64Array(W * W);
  const weight = new Float64Array(W * W);
  const keep = new Float32Array(n);
  for (let p = 0; p < n; p++) keep[p] = o.ignore && o.ignore[p] ? 0 : 1;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) weight[(y + 1) * W + x + 1] = keep[y * size + x]! + weight[y * W + x + 1]! + weight[(y + 1) * W + x]! - weight[y * W + x]!;
  if (o.prev) grey(o.prev, 0, before);
  for (let f = 0; f < count; f++) {
    grey(pixels, f, now);
    const first = f === 0 && !o.prev;
    for (let y = 0; y < size; y++) {
      const up = y * W;
      const at = up + W;
      const px = y * size;
      for (let x = 0; x < size; x++) {
        // |Δ| as a float32, then the table entry: |Δ| + above + left − above-left.
        const d = first ? 0 : Math.fround(Math.abs(now[px + x]! - before[px + x]!) * keep[px + x]!);
        sat[at + x + 1] = d + sat[up + x + 1]! + sat[at + x]! - sat[up + x]!;
      }
    }
    const row = f * grid * grid;
    for (let gy = 0; gy < grid; gy++)
      for (let gx = 0; gx < grid; gx++) {
        // Box sums from the summed-area tables: corners (y0, x0) and (y0 + patch, x0 + patch).
        const a = gy * stride * W + gx * stride;
        const b = a + patch;
        const c = a + patch * W;
        const d = c + patch;
        const w = weight[d]! - weight[b]! - weight[c]! + weight[a]!;
        out[row + gy * grid + gx] = w > 0 ? (sat[d]! - sat[b]! - sat[c]! + sat[a]!) / w : 0;
      }
    [before, now] = [now, before];
  }
  // The first frame of a video has no predecessor: it takes the second frame's motion, three-frame like
  // every other (the smaller of the second frame's two differences): its first difference alone
  // flagged frame 0 of the demo scene.
  const g2 = grid * grid;
  if (!o.prev && count > 2) for (let p = 0; p < g2; p++) out[p] = Math.min(out[g2 + p]!, out[2 * g2 + p]!);
  else if (!o.prev && count > 1) out.copyWithin(0, g2, 2 * g2);
  return out;
}

/**
 * Per-patch scales from held-out frames' per-patch values [n][G²] (motion, or a model's patch error):
 * the patch's quantile, floored at a share of the frame-wide one.
 */
export function patchScales(patches: ArrayLike<number>[], g2: number, floorShare = MOTION_SCALE_FLOOR): number[] {
  const all: number[] = [];
  const per: number[][] = Array.from({ length: g2 }, () => []);
  for (const row of patches)
    for (let p = 0; p < g2; p++) {
      per[p]!.push(row[p]!);
      all.push(row[p]!);
    }
  const q = (v: number[]) => {
    const a = Float64Array.from(v).sort();
    const pos = MOTION_SCALE_QUANTILE * (a.length - 1);
    const lo = Math.floor(pos);
    return a[lo]! + (a[Math.min(a.length - 1, lo + 1)]! - a[lo]!) * (pos - lo);
  };
  const floor = Math.max(floorShare * q(all), 1e-6);
  return per.map((v) => Math.max(q(v), floor));
}

/** Mean of the K largest of values[p] / scale[p]. */
export function topKScaled(values: ArrayLike<number>, scale: ArrayLike<number>, k = MOTION_TOP_K): number {
  const top: number[] = [];
  for (let p = 0; p < values.length; p++) {
    const v = values[p]! / scale[p]!;
    if (top.length < k) {
      top.push(v);
      top.sort((a, b) => a - b);
    } else if (v > top[0]!) {
      top[0] = v;
      top.sort((a, b) => a - b);
    }
  }
  return top.length ? top.reduce((a, b) => a + b, 0) / top.length : 0;
}

/**
 * Motion of a video's frames batch after batch, in order: keeps the last frame of each batch for the
 * next. Batches may carry k earlier frames after each pixel's own channels (conditioned models):
 * only the frame itself is read.
 */
export class MotionStream {
  private prev: Uint8Array | null = null;
  private readonly bytes: number;
  private readonly pixelStride: number;
  constructor(
    private readonly size: number,
    earlierFrames = 0,
    private readonly ignore: Uint8Array | null = null,
  ) {
    this.pixelStride = 3 * (1 + earlierFrames);
    this.bytes = size * size * this.pixelStride;
  }

  /** [count, G²] per-patch motion of the next `count` frames. */
  next(pixels: Uint8Array, count: number): Float32Array {
    const out = patchMotion(pixels, count, this.size, { channels: 3, pixelStride: this.pixelStride, prev: this.prev, ignore: this.ignore });
    if (count > 0) this.prev = pixels.slice((count - 1) * this.bytes, count * this.bytes);
    return out;
  }
}

/**
 * Three-frame motion of a batch from its consecutive-frame differences `d` [count, G²] (MotionStream
 * `next`) and the next frame's differences (the first row of the next batch; null at the end of a
 * video, where the last frame keeps its own difference).
 */
export function settleMotion(d: Float32Array, count: number, next: Float32Array | null): Float32Array {
  const g2 = count ? d.length / count : 0;
  const out = new Float32Array(d.length);
  for (let i = 0; i < count; i++) {
    const after = i + 1 < count ? d.subarray((i + 1) * g2, (i + 2) * g2) : next;
    for (let p = 0; p < g2; p++) {
      const a = d[i * g2 + p]!;
      out[i * g2 + p] = after ? Math.min(a, after[p]!) : a;
    }
  }
  return out;
}

/**
 * Three-frame motion [G²] of one frame from its previous, own and next frame (each S·S·3 bytes; the
 * first frame of a video passes its own frame as the previous, the last its own as the next).
 */
export function frameMotion(prev: Uint8Array, cur: Uint8Array, next: Uint8Array, size: number, ignore: Uint8Array | null = null): Float32Array {
  const bytes = size * size * 3;
  const three = new Uint8Array(3 * bytes);
  three.set(prev.subarray(0, bytes), 0);
  three.set(cur.subarray(0, bytes), bytes);
  three.set(next.subarray(0, bytes), 2 * bytes);
  const d = patchMotion(three, 3, size, { ignore });
  const g2 = d.length / 3;
  return settleMotion(d.subarray(g2), 2, null).slice(0, g2);
}
