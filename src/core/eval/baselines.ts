/**
 * The classical reference baselines of the evaluation protocol (shared/bench/README.md), computed on the
 * same frames the model sees, in gray:
 *
 * - `bgdiff`: mean absolute difference of a frame from the per-pixel median of the training frames;
 * - `pca16`: mean squared residual of a frame after projecting it (centred on the training mean) onto the
 *   16 leading principal components of the training frames;
 * - `framediff`: the largest patch-wise frame differences, each relative to that patch's training tail
 *   (shared/data/ucsd-ped2/README.md; see fitFrameDiff).
 *
 * Models are plain data (number arrays, no classes), so `JSON.parse(JSON.stringify(model))` is again a
 * model that scores identically. Everything is deterministic.
 */
import { gram, orthonormalize, topEigen, transpose } from '../math/linalg.js';

/** Decoded frames: count × size × size × channels bytes, row-major NHWC, interleaved channels. */
export interface Frames {
  data: Uint8Array;
  count: number;
  size: number;
  channels: 1 | 3;
}

/** Gray frames, values 0..1: count × size × size floats, row-major. */
export interface GrayFrames {
  data: Float32Array;
  count: number;
  size: number;
}

export interface BgDiffModel {
  kind: 'bgdiff';
  size: number;
  /** Per-pixel median of the training frames, size×size, row-major, 0..1. */
  median: number[];
}

export interface PcaModel {
  kind: 'pca';
  size: number;
  /** Components actually kept: the requested k, or fewer when the training data has lower rank. */
  k: number;
  /** Training mean, size×size. */
  mean: number[];
  /** k orthonormal principal directions, each size×size, concatenated (row-major k × D). */
  components: number[];
  /** Variance of the training frames along each component (eigenvalue of the sample covariance, /(N−1)). */
  variances: number[];
  /** Fraction of the training variance the k components capture. */
  explained: number;
}

function checkGray(g: GrayFrames, what: string): number {
  const d = g.size * g.size;
  if (!Number.isInteger(g.count) || g.count < 0 || g.data.length !== g.count * d)
    throw new RangeError(`${what}: ${g.data.length} values for ${g.count} frames of ${g.size}×${g.size}`);
  return d;
}

/**
 * Gray in 0..1 from RGB or gray bytes: ITU-R BT.601 luma Y′ = 0.299 R′ + 0.587 G′ + 0.114 B′ on the
 * (gamma-encoded) bytes, divided by 255. The frames are used at the size they come in (callers decode at
 * 64×64); nothing is resampled.
 */
export function toGray(frames: Frames): GrayFrames {
  const { data, count, size, channels } = frames;
  if (channels !== 1 && channels !== 3) throw new RangeError(`toGray: channels must be 1 or 3, got ${String(channels)}`);
  const d = size * size;
  if (!Number.isInteger(size) || size <= 0 || data.length !== count * d * channels)
    throw new RangeError(`toGray: ${data.length} bytes for ${count} frames of ${size}×${size}×${channels}`);
  const out = new Float32Array(count * d);
  if (channels === 1) {
    for (let i = 0; i < out.length; i++) out[i] = data[i]! / 255;
  } else {
    for (let i = 0, o = 0; i < out.length; i++, o += 3) out[i] = (0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!) / 255;
  }
  return { data: out, count, size };
}

/** The exact median of values (sorted in place): the middle one, or the mean of the two middle ones. */
function medianInPlace(values: Float64Array): number {
  values.sort();
  const n = values.length;
  const h = n >> 1;
  return n % 2 ? values[h]! : 0.5 * (values[h - 1]! + values[h]!);
}

/** Per-pixel median of the training frames (for an even count, the mean of the two middle values). */
export function fitBgDiff(trainGray: GrayFrames): BgDiffModel {
  const d = checkGray(trainGray, 'fitBgDiff');
  const n = trainGray.count;
  if (n === 0) throw new RangeError('fitBgDiff: no training frames');
  const column = new Float64Array(n);
  const median = new Array<number>(d);
  for (let p = 0; p < d; p++) {
    for (let f = 0; f < n; f++) column[f] = trainGray.data[f * d + p]!;
    median[p] = medianInPlace(column);
  }
  return { kind: 'bgdiff', size: trainGray.size, median };
}

/** Per frame: mean over pixels of |frame − median|. */
export function scoreBgDiff(model: BgDiffModel, gray: GrayFrames): Float64Array {
  const d = checkGray(gray, 'scoreBgDiff');
  if (gray.size !== model.size || model.median.length !== d) throw new RangeError(`scoreBgDiff: model is ${model.size}×${model.size}, frames ${gray.size}×${gray.size}`);
  const m = Float64Array.from(model.median);
  const out = new Float64Array(gray.count);
  for (let f = 0; f < gray.count; f++) {
    let s = 0;
    for (let p = 0, o = f * d; p < d; p++, o++) s += Math.abs(gray.data[o]! - m[p]!);
    out[f] = s / d;
  }
  return out;
}

/**
 * Mean and the k leading principal components of the training frames (N frames of D pixels).
 *
 * Method: with X the centred N×D data, when N ≤ D (the usual case: ~600 frames of 4096 pixels) the
 * N×N Gram matrix G = X Xᵀ is formed and its k leading eigenpairs (λ, v) found — cyclic Jacobi when N is
 * small, else block subspace iteration with Rayleigh–Ritz, Chebyshev-accelerated (linalg.ts `topEigen`;
 * ~13 products G·(block of 24) on real footage, a few dozen on a flat noise spectrum); each component is
 * then u = Xᵀ v / ‖Xᵀ v‖ (‖Xᵀ v‖ = √λ), since X Xᵀ v = λ v implies (Xᵀ X)(Xᵀ v) = λ (Xᵀ v). When D < N
 * the D×D scatter matrix Xᵀ X is decomposed directly. The components are re-orthonormalised (modified
 * Gram–Schmidt) in pixel space and given a canonical sign (largest-magnitude entry positive).
 * Components with eigenvalue ≤ 1e-12 · λ₁ are dropped (data of rank < k, or fewer than k + 1 frames), so
 * `model.k` can be smaller than asked. Deterministic (fixed-seed start). Cost O(N²D/2) for G (most of
 * the time: ~1.4 s in all for 600 × 4096 on one core) + O(products · N²p) + O(kND).
 */
export function fitPca(trainGray: GrayFrames, k = 16): PcaModel {
  const d = checkGray(trainGray, 'fitPca');
  const n = trainGray.count;
  if (n === 0) throw new RangeError('fitPca: no training frames');
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`fitPca: k must be a non-negative integer, got ${k}`);

  const mean = new Float64Array(d);
  for (let f = 0; f < n; f++) for (let p = 0, o = f * d; p < d; p++, o++) mean[p]! += trainGray.data[o]!;
  for (let p = 0; p < d; p++) mean[p]! /= n;
  const x = new Float64Array(n * d);
  let total = 0;
  for (let f = 0; f < n; f++) {
    for (let p = 0, o = f * d; p < d; p++, o++) {
      const v = trainGray.data[o]! - mean[p]!;
      x[o] = v;
      total += v * v;
    }
  }

  const kk = Math.min(k, n, d);
  let comps: Float64Array;
  let lambdas: Float64Array;
  if (n <= d) {
    const eig = topEigen(gram(x, n, d), n, kk);
    lambdas = eig.values;
    comps = new Float64Array(kk * d);
    for (let j = 0; j < kk; j++) {
      for (let f = 0; f < n; f++) {
        const w = eig.vectors[j * n + f]!;
        if (w === 0) continue;
        for (let p = 0, o = f * d; p < d; p++, o++) comps[j * d + p]! += w * x[o]!;
      }
    }
  } else {
    const eig = topEigen(gram(transpose(x, n, d), d, n), d, kk);
    lambdas = eig.values;
    comps = eig.vectors;
  }

  const top = Math.max(lambdas[0] ?? 0, 0);
  let kept = 0;
  while (kept < kk && lambdas[kept]! > 1e-12 * top && lambdas[kept]! > 0) kept++;
  comps = comps.slice(0, kept * d);
  if (kept > 0) orthonormalize(comps, kept, d);
  for (let j = 0; j < kept; j++) {
    let big = 0;
    for (let p = 0; p < d; p++) if (Math.abs(comps[j * d + p]!) > Math.abs(big)) big = comps[j * d + p]!;
    if (big < 0) for (let p = 0; p < d; p++) comps[j * d + p] = -comps[j * d + p]!;
  }
  const variances = Array.from(lambdas.subarray(0, kept), (l) => (n > 1 ? l / (n - 1) : 0));
  const captured = Array.from(lambdas.subarray(0, kept)).reduce((s, l) => s + l, 0);
  return {
    kind: 'pca',
    size: trainGray.size,
    k: kept,
    mean: Array.from(mean),
    components: Array.from(comps),
    variances,
    explained: total > 0 ? Math.min(1, captured / total) : 1,
  };
}

/** Per frame: mean over pixels of the squared residual r − U Uᵀ r, with r = frame − mean. */
export function scorePca(model: PcaModel, gray: GrayFrames): Float64Array {
  const d = checkGray(gray, 'scorePca');
  const k = model.k;
  if (gray.size !== model.size || model.mean.length !== d || model.components.length !== k * d)
    throw new RangeError(`scorePca: model is ${model.size}×${model.size} with k = ${k}, frames ${gray.size}×${gray.size}`);
  const mean = Float64Array.from(model.mean);
  const u = Float64Array.from(model.components);
  const r = new Float64Array(d);
  const c = new Float64Array(k);
  const out = new Float64Array(gray.count);
  for (let f = 0; f < gray.count; f++) {
    for (let p = 0, o = f * d; p < d; p++, o++) r[p] = gray.data[o]! - mean[p]!;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let p = 0, o = j * d; p < d; p++, o++) s += u[o]! * r[p]!;
      c[j] = s;
    }
    for (let j = 0; j < k; j++) {
      const cj = c[j]!;
      for (let p = 0, o = j * d; p < d; p++, o++) r[p]! -= cj * u[o]!;
    }
    let e = 0;
    for (let p = 0; p < d; p++) e += r[p]! * r[p]!;
    out[f] = e / d;
  }
  return out;
}

/**
 * Reference frame-difference baseline (shared/data/ucsd-ped2/README.md): per frame, the mean of
 * |f(t) − f(t−1)| (gray) in each `patch`×`patch` patch on a grid with step `stride`; each patch's value
 * is divided by that patch's 99.9th percentile over the training frames, floored at half the 99.9th
 * percentile of every training patch value (so a patch where nothing moved in training cannot divide by
 * almost zero); the score is the mean of the `top` (5) largest of these ratios. At 64×64 the default
 * patch is 8 with stride 4 (size/8, size/16). The first frame of the footage, and of each clip when the
 * footage is clips joined (a scene cut at each boundary), takes the next frame's difference.
 */
export interface FrameDiffModel {
  kind: 'framediff';
  size: number;
  patch: number;
  stride: number;
  top: number;
  /** Per patch (row-major over the patch grid): max(its training 99.9th percentile, floor). */
  scale: number[];
  /** Half the 99.9th percentile of all training patch values. */
  floor: number;
}

export interface FrameDiffOptions {
  patch?: number;
  stride?: number;
  top?: number;
  /** First frame of each clip inside the footage (0 is always a start). */
  clipStarts?: readonly number[];
}

/** Type-7 (numpy linear) quantile of values, sorted in place. */
function quantileInPlace(values: Float32Array | Float64Array, q: number): number {
  values.sort();
  const n = values.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return values[lo]! + (h - lo) * (values[hi]! - values[lo]!);
}

const gridOf = (size: number, patch: number, stride: number): number => {
  if (!Number.isInteger(patch) || !Number.isInteger(stride) || patch < 1 || stride < 1 || patch > size)
    throw new RangeError(`frame difference: patch ${patch} with stride ${stride} does not fit ${size}×${size} frames`);
  return Math.floor((size - patch) / stride) + 1;
};

/**
 * Patch means of |f(t) − f(t−1)|: count × (grid × grid) floats. Frame t uses the difference with the
 * previous frame, except at a clip start, where it uses the next frame's (t+1 − t); a clip of one frame gets 0.
 */
export function frameDiffPatches(gray: GrayFrames, patch: number, stride: number, clipStarts: readonly number[] = []): { values: Float32Array; patches: number } {
  const d = checkGray(gray, 'frameDiffPatches');
  const size = gray.size;
  const g = gridOf(size, patch, stride);
  const np = g * g;
  const n = gray.count;
  const starts = new Uint8Array(n + 1);
  starts[0] = 1;
  starts[n] = 1; // the end of the last clip
  for (const s of clipStarts) {
    if (!Number.isInteger(s) || s < 0 || s > n) throw new RangeError(`frameDiffPatches: clip start ${s} outside 0..${n}`);
    starts[s] = 1;
  }
  const values = new Float32Array(n * np);
  const diff = new Float64Array(d);
  // Integral image of one difference frame, (size+1)², for the patch sums.
  const w = size + 1;
  const integ = new Float64Array(w * w);
  const area = patch * patch;
  for (let t = 0; t < n; t++) {
    let a: number; // difference between frames a and a−1
    if (!starts[t]) a = t;
    else if (t + 1 < n && !starts[t + 1]) a = t + 1;
    else continue; // a one-frame clip: no motion to measure
    const cur = a * d;
    const prev = (a - 1) * d;
    for (let p = 0; p < d; p++) diff[p] = Math.abs(gray.data[cur + p]! - gray.data[prev + p]!);
    for (let y = 0; y < size; y++) {
      let row = 0;
      for (let x = 0; x < size; x++) {
        row += diff[y * size + x]!;
        integ[(y + 1) * w + x + 1] = integ[y * w + x + 1]! + row;
      }
    }
    const o = t * np;
    for (let gy = 0; gy < g; gy++) {
      const y0 = gy * stride;
      const y1 = y0 + patch;
      for (let gx = 0; gx < g; gx++) {
        const x0 = gx * stride;
        const x1 = x0 + patch;
        values[o + gy * g + gx] = (integ[y1 * w + x1]! - integ[y0 * w + x1]! - integ[y1 * w + x0]! + integ[y0 * w + x0]!) / area;
      }
    }
  }
  return { values, patches: np };
}

const defaultPatch = (size: number) => Math.max(1, Math.round(size / 8));
const defaultStride = (patch: number) => Math.max(1, Math.round(patch / 2));

export function fitFrameDiff(trainGray: GrayFrames, o: FrameDiffOptions = {}): FrameDiffModel {
  checkGray(trainGray, 'fitFrameDiff');
  if (trainGray.count < 2) throw new RangeError('fitFrameDiff: needs at least 2 training frames');
  const patch = o.patch ?? defaultPatch(trainGray.size);
  const stride = o.stride ?? defaultStride(patch);
  const top = o.top ?? 5;
  const { values, patches } = frameDiffPatches(trainGray, patch, stride, o.clipStarts);
  if (!Number.isInteger(top) || top < 1 || top > patches) throw new RangeError(`fitFrameDiff: top must be 1..${patches}, got ${top}`);
  const n = trainGray.count;
  const floor = 0.5 * quantileInPlace(Float32Array.from(values), 0.999);
  const column = new Float64Array(n);
  const scale = new Array<number>(patches);
  for (let j = 0; j < patches; j++) {
    for (let t = 0; t < n; t++) column[t] = values[t * patches + j]!;
    scale[j] = Math.max(quantileInPlace(column, 0.999), floor);
  }
  // A training set with no motion at all: divide by 1 rather than 0.
  if (!(floor > 0)) for (let j = 0; j < patches; j++) if (!(scale[j]! > 0)) scale[j] = 1;
  return { kind: 'framediff', size: trainGray.size, patch, stride, top, scale, floor };
}

/** Per frame: the mean of the `top` largest patch ratios |Δf| / scale. */
export function scoreFrameDiff(model: FrameDiffModel, gray: GrayFrames, clipStarts: readonly number[] = []): Float64Array {
  checkGray(gray, 'scoreFrameDiff');
  if (gray.size !== model.size) throw new RangeError(`scoreFrameDiff: model is ${model.size}×${model.size}, frames ${gray.size}×${gray.size}`);
  const { values, patches } = frameDiffPatches(gray, model.patch, model.stride, clipStarts);
  if (patches !== model.scale.length) throw new RangeError(`scoreFrameDiff: model has ${model.scale.length} patches, frames give ${patches}`);
  const out = new Float64Array(gray.count);
  const best = new Float64Array(model.top);
  for (let t = 0; t < gray.count; t++) {
    best.fill(-Infinity);
    for (let j = 0; j < patches; j++) {
      const r = values[t * patches + j]! / model.scale[j]!;
      if (r <= best[model.top - 1]!) continue;
      let k = model.top - 1;
      while (k > 0 && best[k - 1]! < r) {
        best[k] = best[k - 1]!;
        k--;
      }
      best[k] = r;
    }
    let s = 0;
    for (let k = 0; k < model.top; k++) s += best[k]!;
    out[t] = s / model.top;
  }
  return out;
}
