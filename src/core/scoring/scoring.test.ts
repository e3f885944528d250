import { describe, expect, it } from 'vitest';
import { latentSteps, patchScore, quantile, robustStat, standardize, stillness } from './calibrate.js';
import { detectEvents } from './events.js';

describe('calibration pieces', () => {
  it('quantile interpolates and robustStat matches median/MAD', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5);
    expect(quantile([5, 1, 3], 1)).toBe(5);
    const s = robustStat([1, 2, 3, 4, 100]);
    expect(s.median).toBe(3);
    expect(s.scale).toBeCloseTo(1.4826, 4);
    expect(standardize(3 + 2 * s.scale, s)).toBeCloseTo(2);
  });

  it('gives a constant component a finite scale', () => {
    const s = robustStat([2, 2, 2, 2]);
    expect(s.scale).toBeGreaterThan(0);
    expect(Number.isFinite(standardize(3, s))).toBe(true);
  });

  it('patch score picks the most unusual patch relative to its own statistics', () => {
    // Patch 1 is noisy in normal footage, patch 2 is quiet: the same error is alarming only in patch 2.
    expect(patchScore([0.1, 0.5, 0.5], [0.1, 0.4, 0.1], [0.01, 0.2, 0.01])).toBeCloseTo(40);
  });

  it('latent steps measure movement; a frozen picture has zero steps and high stillness', () => {
    const mu = Float32Array.from([0, 0, 3, 4, 3, 4, 3, 4]);
    const d = latentSteps(mu, 2, [1, 1]);
    expect(Array.from(d)).toEqual([5, 5, 0, 0]);
    expect(stillness(0)).toBeGreaterThan(stillness(5) + 5);
    const scaled = latentSteps(mu, 2, [3, 4]);
    expect(scaled[1]).toBeCloseTo(Math.SQRT2);
  });
});

describe('detectEvents', () => {
  const s = [0, 5, 6, 3, 6, 0, 0, 0, 9, 0, 0, 7, 7, 7, 0];
  it('opens at the threshold and holds through dips above the low threshold', () => {
    expect(detectEvents(s, { threshold: 5, lowThreshold: 2 })).toEqual([
      { start: 1, end: 4, peak: 2, peakScore: 6 },
      { start: 8, end: 8, peak: 8, peakScore: 9 },
      { start: 11, end: 13, peak: 11, peakScore: 7 },
    ]);
  });
  it('without hysteresis a dip splits the span', () => {
    expect(detectEvents(s, { threshold: 5 }).map((e) => [e.start, e.end])).toEqual([[1, 2], [4, 4], [8, 8], [11, 13]]);
  });
  it('drops short spans and merges close ones', () => {
    expect(detectEvents(s, { threshold: 5, lowThreshold: 2, minFrames: 2 }).map((e) => [e.start, e.end])).toEqual([[1, 4], [11, 13]]);
    expect(detectEvents(s, { threshold: 5, lowThreshold: 2, mergeGap: 2 }).map((e) => [e.start, e.end, e.peak])).toEqual([[1, 4, 2], [8, 13, 8]]);
  });
  it('finds nothing in a quiet signal and closes a span at the end', () => {
    expect(detectEvents([0, 1, 0], { threshold: 5 })).toEqual([]);
    expect(detectEvents([0, 6, 6], { threshold: 5 })).toEqual([{ start: 1, end: 2, peak: 1, peakScore: 6 }]);
  });
});
