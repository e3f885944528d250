/**
 * The two classical baselines of the evaluation protocol (shared/bench/README.md), computed on the same
 * frames the model sees, in gray:
 *
 * - `bgdiff`: mean absolute difference of a frame from the per-pixel median of the training frames;
 * - `pca16`: mean squared residual of a frame after projecting it (centred on the training mean) onto the
 *   16 leading principal components of the training frames.
 *
 * Models are plain data (number arrays, no classes), so `JSON.parse(JSON.stringify(model))` is again a
 * model that scores identically. Everything is deterministic.
 */
import { gram, orthonormalize, topEigen, transpose } from './linalg.js';

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
