import { describe, expect, it } from 'vitest';
import { alarmThreshold, conformalThreshold, fitTail, lowerTail, surprise, tailP, upperTail } from './tails.js';

/** mulberry32: a seeded uniform generator (the tests' draws are the same on every run). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const normal = (n: number, seed: number): number[] => {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()));
};

describe('tail models', () => {
  it('inside the sample a value’s upper tail is its empirical exceedance rate', () => {
    const t = fitTail(normal(20_000, 1));
    for (const [x, p] of [[0, 0.5], [1, 0.1587], [-1, 0.8413]] as const) expect(upperTail(x, t)).toBeCloseTo(p, 1);
    expect(lowerTail(-1, t)).toBeCloseTo(0.1587, 1);
  });

  it('beyond the sample the exponential tail keeps values ordered and finite', () => {
    const t = fitTail(normal(5_000, 2));
    const p = [4, 6, 10, 40].map((x) => upperTail(x, t));
    for (let i = 1; i < p.length; i++) expect(p[i]!).toBeLessThan(p[i - 1]!);
    expect(p[0]!).toBeGreaterThan(1e-6);
    expect(p.at(-1)!).toBeGreaterThan(0);
  });

  it('a two-sided component is unusual at both ends, an upper one only above', () => {
    const t = fitTail(normal(5_000, 3));
    expect(tailP(-4, t, 'both')).toBeLessThan(0.01);
    expect(tailP(4, t, 'both')).toBeLessThan(0.01);
    expect(tailP(-4, t, 'upper')).toBeGreaterThan(0.99);
  });

  it('components in different units get comparable p-values (no component wins by its scale)', () => {
    const a = fitTail(normal(5_000, 4));
    const b = fitTail(normal(5_000, 5).map((v) => 1000 * v + 5000));
    expect(upperTail(3, a)).toBeCloseTo(upperTail(8000, b), 2);
  });

  it('a constant calibration sample still gives a finite scale', () => {
    const t = fitTail(new Array(50).fill(2));
    expect(upperTail(2, t)).toBeGreaterThan(0.05);
    expect(upperTail(3, t)).toBeLessThan(1e-6);
  });

  it('refuses a sample too small to calibrate on', () => {
    expect(() => fitTail([1, 2, 3])).toThrow(/at least 10/);
  });

  it('surprise is −log10 of the Bonferroni-corrected p, 0 for ordinary frames', () => {
    expect(surprise(0.001, 5)).toBeCloseTo(2.301, 3);
    expect(surprise(0.5, 5)).toBe(0);
  });

  it('the conformal threshold holds its false-positive rate on new draws from the same distribution', () => {
    const cal = normal(2_000, 6);
    const thr = conformalThreshold(cal, 0.01);
    const fresh = normal(50_000, 7);
    const fpr = fresh.filter((v) => v > thr).length / fresh.length;
    expect(fpr).toBeGreaterThan(0.005);
    expect(fpr).toBeLessThan(0.016);
  });

  it('the alarm threshold is the Bonferroni level unless the held-out scores put the conformal quantile higher', () => {
    // Held-out combined scores of m = 5 calibrated, strongly dependent components: far under the bound.
    const r = mulberry32(8);
    const dependent = Array.from({ length: 2_000 }, () => surprise(r(), 5));
    expect(conformalThreshold(dependent, 0.01)).toBeLessThan(2);
    expect(alarmThreshold(dependent, 0.01)).toBe(2);
    // Components that are not calibrated (p-values too small): the conformal quantile wins.
    const hot = Array.from({ length: 2_000 }, () => surprise(r() ** 3, 1));
    expect(alarmThreshold(hot, 0.01)).toBe(conformalThreshold(hot, 0.01));
    expect(alarmThreshold(hot, 0.01)).toBeGreaterThan(2);
    expect(alarmThreshold([], 0.05)).toBeCloseTo(1.301, 3);
    expect(() => alarmThreshold(dependent, 0)).toThrow(RangeError);
  });

  it('at the Bonferroni level, independent calibrated components stay under their false-positive rate', () => {
    const r = mulberry32(9);
    const m = 5;
    const frames = 50_000;
    const thr = alarmThreshold([], 0.01);
    let over = 0;
    for (let i = 0; i < frames; i++) {
      let pMin = 1;
      for (let k = 0; k < m; k++) pMin = Math.min(pMin, r());
      if (surprise(pMin, m) >= thr) over++;
    }
    // P(min of 5 uniforms ≤ 0.002) = 1 − 0.998^5 ≈ 0.00998: the bound is nearly tight for independent components.
    expect(over / frames).toBeGreaterThan(0.007);
    expect(over / frames).toBeLessThan(0.0115);
  });
});

describe('robustness', () => {
  it('a few wild values in the calibration sample do not stretch the tail', () => {
    const base = normal(2_000, 8);
    const clean = fitTail(base);
    const wild = fitTail([...base, ...new Array(12).fill(1e4)]);
    expect(wild.upperBeta / clean.upperBeta).toBeLessThan(1.5);
    expect(upperTail(5, wild)).toBeLessThan(1e-3);
  });
});
