import { describe, expect, it } from 'vitest';
import { fitBgDiff, fitPca, scoreBgDiff, scorePca, toGray, type GrayFrames, type PcaModel } from './baselines.js';
import { symmetricEigen } from '../math/linalg.js';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13, s ^= s >>> 17, s ^= s << 5) >>> 0) / 4294967296;
}
function gaussian(seed: number): () => number {
  const r = rng(seed);
  return () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** Frames of side `size` (D = size²) from a per-frame generator. */
function grayOf(count: number, size: number, pixel: (frame: number, p: number) => number): GrayFrames {
  const d = size * size;
  const data = new Float32Array(count * d);
  for (let f = 0; f < count; f++) for (let p = 0; p < d; p++) data[f * d + p] = pixel(f, p);
  return { data, count, size };
}

/** k orthonormal random directions of length d (Gram–Schmidt, written out here to stay independent). */
function randomBasis(k: number, d: number, seed: number): Float64Array[] {
  const g = gaussian(seed);
  const basis: Float64Array[] = [];
  while (basis.length < k) {
    const v = Float64Array.from({ length: d }, g);
    for (const b of basis) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i]! * b[i]!;
      for (let i = 0; i < d; i++) v[i]! -= dot * b[i]!;
    }
    const norm = Math.hypot(...v);
    basis.push(v.map((x) => x / norm));
  }
  return basis;
}

function component(model: PcaModel, j: number): Float64Array {
  const d = model.mean.length;
  return Float64Array.from(model.components.slice(j * d, (j + 1) * d));
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Top eigenpairs of the sample covariance by power iteration with deflation: a deliberately naive reference. */
function bruteCovarianceEigen(g: GrayFrames, k: number): { values: number[]; vectors: Float64Array[] } {
  const d = g.size * g.size, n = g.count;
  const mean = new Float64Array(d);
  for (let f = 0; f < n; f++) for (let p = 0; p < d; p++) mean[p]! += g.data[f * d + p]! / n;
  const c = Array.from({ length: d }, () => new Float64Array(d));
  for (let f = 0; f < n; f++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++)
    c[a]![b]! += ((g.data[f * d + a]! - mean[a]!) * (g.data[f * d + b]! - mean[b]!)) / (n - 1);
  const values: number[] = [];
  const vectors: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    let v = Float64Array.from({ length: d }, (_, i) => 1 + i * 0.37);
    let lambda = 0;
    for (let it = 0; it < 5000; it++) {
      const w = Float64Array.from({ length: d }, (_, a) => dot(c[a]!, v));
      lambda = Math.hypot(...w);
      v = w.map((x) => x / lambda);
    }
    values.push(lambda);
    vectors.push(v);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) c[a]![b]! -= lambda * v[a]! * v[b]!;
  }
  return { values, vectors };
}

describe('toGray', () => {
  it('uses BT.601 luma on RGB and passes gray through, scaled to 0..1', () => {
    const rgb = toGray({ data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]), count: 1, size: 2, channels: 3 });
    expect(rgb.size).toBe(2);
    expect(Array.from(rgb.data).map((v) => +v.toFixed(6))).toEqual([0.299, 0.587, 0.114, 1]);
    const gray = toGray({ data: Uint8Array.from([0, 51, 255, 102, 0, 0, 0, 0]), count: 2, size: 2, channels: 1 });
    expect(gray.count).toBe(2);
    expect(Array.from(gray.data).map((v) => +v.toFixed(6))).toEqual([0, 0.2, 1, 0.4, 0, 0, 0, 0]);
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => toGray({ data: new Uint8Array(11), count: 1, size: 2, channels: 3 })).toThrow(RangeError);
  });
});

describe('bgdiff', () => {
  it('takes the exact per-pixel median for odd and even frame counts', () => {
    const odd = grayOf(3, 1, (f) => [0.5, 0.125, 0.875][f]!);
    expect(fitBgDiff(odd).median).toEqual([0.5]);
    const even = grayOf(4, 1, (f) => [0.375, 0.125, 0.875, 0.25][f]!);
    expect(fitBgDiff(even).median).toEqual([0.3125]);
    const two = grayOf(2, 2, (f, p) => (f === 0 ? p / 8 : 1 - p / 8)); // four pixels, two frames each
    expect(fitBgDiff(two).median).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(fitBgDiff(grayOf(1, 1, () => 0.25)).median).toEqual([0.25]);
  });

  it('scores zero on the training median itself and the mean absolute difference elsewhere', () => {
    const r = rng(4);
    const train = grayOf(9, 4, () => r());
    const model = fitBgDiff(train);
    const itself: GrayFrames = { data: Float32Array.from(model.median), count: 1, size: 4 };
    expect(Array.from(scoreBgDiff(model, itself))).toEqual([0]);
    const shifted = grayOf(2, 4, (f, p) => model.median[p]! + (f === 0 ? 0.25 : -0.125));
    const s = scoreBgDiff(model, shifted);
    expect(s[0]).toBeCloseTo(0.25, 6);
    expect(s[1]).toBeCloseTo(0.125, 6);
  });

  it('survives a JSON round trip and rejects a size mismatch', () => {
    const r = rng(5);
    const train = grayOf(7, 3, () => r());
    const model = fitBgDiff(train);
    expect(Array.from(scoreBgDiff(JSON.parse(JSON.stringify(model)), train))).toEqual(Array.from(scoreBgDiff(model, train)));
    expect(() => scoreBgDiff(model, grayOf(1, 4, () => 0))).toThrow(RangeError);
  });
});

describe('pca', () => {
  // Rank-5 structure around a mean, plus small isotropic noise, N = 200 frames of D = 24² = 576 pixels:
  // the Gram matrix is 200×200, so this goes through subspace iteration.
  const size = 24, d = size * size, k = 5, sigma = 0.001;
  const scales = [0.3, 0.25, 0.2, 0.15, 0.1];
  const basis = randomBasis(k, d, 21);
  const mean = Float64Array.from({ length: d }, (_, p) => 0.5 + 0.2 * Math.sin(p / 7));
  function sample(count: number, seed: number, extra?: Float64Array): GrayFrames {
    const g = gaussian(seed);
    const data = new Float32Array(count * d);
    for (let f = 0; f < count; f++) {
      const a = scales.map((s) => s * g());
      for (let p = 0; p < d; p++) {
        let v = mean[p]! + sigma * g() + (extra?.[p] ?? 0);
        for (let j = 0; j < k; j++) v += a[j]! * basis[j]![p]!;
        data[f * d + p] = v;
      }
    }
    return { data, count, size };
  }
  const train = sample(200, 1);
  const model = fitPca(train, k);

  it('returns orthonormal components', () => {
    expect(model.k).toBe(k);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++)
      expect(Math.abs(dot(component(model, a), component(model, b)) - (a === b ? 1 : 0))).toBeLessThan(1e-10);
  });

  it('recovers the planted subspace: small principal angles', () => {
    // Cosines of the principal angles are the singular values of Uᵀ B.
    const m = new Float64Array(k * k);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) m[a * k + b] = dot(component(model, a), basis[b]!);
    const mtm = new Float64Array(k * k);
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) for (let c = 0; c < k; c++) mtm[a * k + b]! += m[c * k + a]! * m[c * k + b]!;
    const cos2 = symmetricEigen(mtm, k).values;
    const worstAngleDeg = (Math.acos(Math.sqrt(Math.min(1, cos2[k - 1]!))) * 180) / Math.PI;
    expect(worstAngleDeg).toBeLessThan(1);
    expect(model.variances[0]! / scales[0]! ** 2).toBeGreaterThan(0.7);
    expect(model.variances[0]! / scales[0]! ** 2).toBeLessThan(1.3);
    expect(model.explained).toBeGreaterThan(0.99);
  });

  it('leaves a residual at the noise level, and a large one off the subspace', () => {
    const noise = sigma * sigma * ((d - k) / d);
    const inSample = scorePca(model, train);
    const heldOut = scorePca(model, sample(50, 2));
    const meanOf = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(meanOf(inSample) / noise).toBeGreaterThan(0.85);
    expect(meanOf(inSample) / noise).toBeLessThan(1.1);
    expect(meanOf(heldOut) / noise).toBeGreaterThan(0.85);
    expect(meanOf(heldOut) / noise).toBeLessThan(1.2);
    const off = Float64Array.from({ length: d }, (_, p) => (p % 2 ? 0.05 : -0.05)); // mostly orthogonal to the basis
    expect(meanOf(scorePca(model, sample(5, 3, off)))).toBeGreaterThan(100 * noise);
  });

  it('is deterministic and survives a JSON round trip', () => {
    const again = fitPca(train, k);
    expect(again).toEqual(model);
    const revived = JSON.parse(JSON.stringify(model)) as PcaModel;
    const test = sample(10, 4);
    expect(Array.from(scorePca(revived, test))).toEqual(Array.from(scorePca(model, test)));
  });

  it('matches a brute-force covariance eigendecomposition on a tiny problem (D = 3² = 9)', () => {
    // Nine pixels with very different variances along a rotated basis; N = 40 > D (scatter-matrix path)
    // and N = 6 < D (Gram-matrix path) both checked against naive power iteration on the covariance.
    const basis9 = randomBasis(9, 9, 9);
    const sd = [5, 3, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02];
    for (const count of [40, 6]) {
      const g = gaussian(count);
      const tiny = grayOf(count, 3, () => 0);
      for (let f = 0; f < count; f++) {
        const a = sd.map((s) => s * g());
        for (let p = 0; p < 9; p++) tiny.data[f * 9 + p] = 1 + a.reduce((s, ai, j) => s + ai * basis9[j]![p]!, 0);
      }
      const k3 = 3;
      const pm = fitPca(tiny, k3);
      const ref = bruteCovarianceEigen(tiny, k3);
      expect(pm.k).toBe(k3);
      for (let j = 0; j < k3; j++) {
        expect(Math.abs(pm.variances[j]! - ref.values[j]!) / ref.values[0]!).toBeLessThan(1e-9);
        expect(Math.abs(dot(component(pm, j), ref.vectors[j]!))).toBeGreaterThan(1 - 1e-9);
      }
    }
  });

  it('keeps fewer components when the data has lower rank, and then reconstructs the training frames', () => {
    const r = rng(12);
    const few = grayOf(3, 8, () => r());
    const pm = fitPca(few, 16);
    expect(pm.k).toBe(2); // 3 centred frames span 2 dimensions
    for (const s of scorePca(pm, few)) expect(s).toBeLessThan(1e-12);
    expect(fitPca(grayOf(4, 2, () => 0.5), 3).k).toBe(0);
  });
});
