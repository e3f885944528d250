import { describe, expect, it } from 'vitest';
import { gram, orthonormalize, symmetricEigen, topEigen, transpose } from './linalg.js';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13, s ^= s >>> 17, s ^= s << 5) >>> 0) / 4294967296 - 0.5;
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = r();
  return a;
}

/** A = B Bᵀ with B's columns scaled so the spectrum decays like 1/(1 + j)². */
function decayingPsd(n: number, seed: number): Float64Array {
  const r = rng(seed);
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i * n + j] = r() / (1 + j);
  return gram(b, n, n);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('gram', () => {
  it('equals the naive product for odd and even sizes', () => {
    for (const [rows, cols] of [[7, 5], [8, 3], [1, 4], [13, 17]] as const) {
      const r = rng(rows * 31 + cols);
      const x = Float64Array.from({ length: rows * cols }, r);
      const g = gram(x, rows, cols);
      const want = new Float64Array(rows * rows);
      for (let i = 0; i < rows; i++) for (let j = 0; j < rows; j++) for (let d = 0; d < cols; d++) want[i * rows + j]! += x[i * cols + d]! * x[j * cols + d]!;
      expect(maxAbsDiff(g, want)).toBeLessThan(1e-12);
      const t = transpose(x, rows, cols);
      expect(t[3 % cols * rows + 0]).toBe(x[0 * cols + (3 % cols)]);
    }
  });
});

describe('symmetricEigen (Jacobi)', () => {
  it('diagonalises a random symmetric matrix: A V = V Λ, V orthonormal, values sorted', () => {
    const n = 12;
    const a = randomSymmetric(n, 7);
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 1; i < n; i++) expect(values[i]!).toBeLessThanOrEqual(values[i - 1]!);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let l = 0; l < n; l++) av += a[i * n + l]! * vectors[j * n + l]!;
        expect(Math.abs(av - values[j]! * vectors[j * n + i]!)).toBeLessThan(1e-12);
      }
      for (let l = 0; l < n; l++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += vectors[j * n + i]! * vectors[l * n + i]!;
        expect(Math.abs(d - (j === l ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i]!;
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 12);
  });

  it('handles a diagonal matrix and a zero matrix', () => {
    expect(Array.from(symmetricEigen([1, 0, 0, 0, 3, 0, 0, 0, 2], 3).values)).toEqual([3, 2, 1]);
    expect(Array.from(symmetricEigen(new Float64Array(4), 2).values)).toEqual([0, 0]);
  });
});

describe('orthonormalize', () => {
  it('makes rows orthonormal and replaces a dependent row', () => {
    const n = 5;
    const q = Float64Array.from([1, 2, 0, 0, 1, 2, 4, 0, 0, 2, 0, 1, 1, 0, 0]); // row 1 = 2 × row 0
    orthonormalize(q, 3, n);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[a * n + i]! * q[b * n + i]!;
      expect(Math.abs(d - (a === b ? 1 : 0))).toBeLessThan(1e-12);
    }
  });
});

describe('topEigen (subspace iteration + Rayleigh–Ritz)', () => {
  it('matches Jacobi on the leading eigenpairs of a 110×110 PSD matrix', () => {
    const n = 110, k = 8;
    const a = decayingPsd(n, 3);
    const sub = topEigen(a, n, k);
    expect(sub.method).toBe('subspace');
    expect(sub.converged).toBe(true);
    expect(sub.residual).toBeLessThanOrEqual(1e-6);
    const full = symmetricEigen(a, n);
    for (let j = 0; j < k; j++) {
      expect(Math.abs(sub.values[j]! - full.values[j]!) / full.values[0]!).toBeLessThan(1e-10);
      let d = 0;
      for (let i = 0; i < n; i++) d += sub.vectors[j * n + i]! * full.vectors[j * n + i]!;
      expect(Math.abs(d)).toBeGreaterThan(1 - 1e-8);
    }
  });

  it('recovers prescribed eigenpairs of a nearly flat spectrum with one dominant value (Chebyshev filter)', () => {
    const n = 140, k = 10;
    const basis = Float64Array.from({ length: n * n }, rng(17));
    orthonormalize(basis, n, n);
    const lambda = Array.from({ length: n }, (_, j) => (j === 0 ? 1e4 : 1 + 0.5 * 0.97 ** j)); // gaps of ~1.5% near k
    const a = new Float64Array(n * n);
    for (let j = 0; j < n; j++) for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) a[r * n + c]! += lambda[j]! * basis[j * n + r]! * basis[j * n + c]!;
    // A tight tolerance relative to the dominant value: the filter must keep the small pairs accurate.
    const fast = topEigen(a, n, k, { tol: 1e-10, stagnation: 0 });
    const plain = topEigen(a, n, k, { tol: 1e-10, stagnation: 0, maxDegree: 1 });
    expect(fast.converged).toBe(true);
    expect(plain.converged).toBe(true);
    expect(fast.products).toBeLessThan(plain.products / 2);
    for (let j = 0; j < k; j++) {
      expect(Math.abs(fast.values[j]! - lambda[j]!) / lambda[j]!).toBeLessThan(1e-9);
      let d = 0;
      for (let i = 0; i < n; i++) d += fast.vectors[j * n + i]! * basis[j * n + i]!;
      expect(Math.abs(d)).toBeGreaterThan(1 - 1e-9);
    }
  });

  it('is deterministic and uses Jacobi for small matrices', () => {
    const a = decayingPsd(120, 4);
    const x = topEigen(a, 120, 5);
    const y = topEigen(a, 120, 5);
    expect(Array.from(x.vectors)).toEqual(Array.from(y.vectors));
    expect(topEigen(decayingPsd(20, 5), 20, 3).method).toBe('jacobi');
  });

  it('copes with a matrix of lower rank than the block', () => {
    const n = 130;
    const r = rng(8);
    const x = Float64Array.from({ length: 3 * n }, r); // rank 3
    const a = gram(transpose(x, 3, n), n, 3);
    const res = topEigen(a, n, 5);
    expect(res.values[2]!).toBeGreaterThan(1);
    expect(Math.abs(res.values[3]!)).toBeLessThan(1e-9 * res.values[0]!);
  });
});
