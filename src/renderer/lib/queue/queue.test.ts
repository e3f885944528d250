import { describe, expect, it } from 'vitest';
import type { ChangeEvent, ScoreSeries } from '../../../shared/domain.js';
import { UNLABELLED, buildQueue, drivingComponent, filterQueue, indexOfPeak, reviewProgress, stepQueue, visibleRange } from './queue.js';

const ev = (startIdx: number, endIdx: number, peakScore = 5): ChangeEvent => ({
  id: startIdx, modelId: 3, videoId: 1, startIdx, endIdx, peakIdx: startIdx + 1, peakScore, startSec: startIdx / 10, endSec: endIdx / 10, threshold: 2.5,
});

const series = (n: number): ScoreSeries => {
  const col = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
  return {
    modelId: 3, videoId: 1, index: col((i) => i), ptsSec: col((i) => i / 10), combined: col(() => 1),
    recon: col((i) => (i === 11 ? 0.5 : 0.01)), patch: col((i) => (i === 31 ? 40 : 1)), kl: col(() => 40), elbo: col(() => -100), temporal: col(() => 0.2),
    stillness: col(() => 1.5), sharpness: col(() => 0.05), motion: col(() => 0.5), threshold: 2.5, lowThreshold: 2, sampledFps: 10,
    components: [
      { name: 'recon', median: 0.01, scale: 0.01, side: 'both' },
      { name: 'patch', median: 1, scale: 1, side: 'upper' },
      { name: 'stillness', median: 1.5, scale: 1, side: 'upper' },
    ],
  };
};

describe('event queue logic', () => {
  const events = [ev(10, 14, 9), ev(30, 39, 3), ev(60, 62, 12)];
  const classes = Array.from({ length: 100 }, (_, i) => (i >= 30 && i <= 35 ? 'nuisance' : ''));
  const items = buildQueue(events, series(100), new Set([31]), classes);

  it('builds one row per event with its duration, reviewed state, label and driving component', () => {
    expect(items.map((it) => [it.durationSec, it.reviewed, it.label, it.driver])).toEqual([
      [0.5, false, null, 'recon'],
      [1, true, 'nuisance', 'patch'],
      [0.3, false, null, 'recon'],
    ]);
    // |z| counts for a two-sided component; the series without calibration has no driver.
    expect(drivingComponent({ ...series(100), components: undefined }, 11)).toBeNull();
  });

  it('filters by reviewed state, label class and minimum peak score', () => {
    expect(filterQueue(items, { unreviewedOnly: true, cls: '', minScore: null }).map((it) => it.event.startIdx)).toEqual([10, 60]);
    expect(filterQueue(items, { unreviewedOnly: false, cls: 'nuisance', minScore: null }).map((it) => it.event.startIdx)).toEqual([30]);
    expect(filterQueue(items, { unreviewedOnly: false, cls: UNLABELLED, minScore: 10 }).map((it) => it.event.startIdx)).toEqual([60]);
    expect(reviewProgress(items)).toEqual({ reviewed: 1, total: 3 });
  });

  it('steps with J and K, from the playhead when no event is open, clamped at the ends', () => {
    expect(stepQueue(items, -1, 1, 0)).toBe(0);
    expect(stepQueue(items, -1, 1, 40)).toBe(2);
    expect(stepQueue(items, -1, -1, 40)).toBe(1);
    expect(stepQueue(items, 0, 1)).toBe(1);
    expect(stepQueue(items, 2, 1)).toBe(2);
    expect(stepQueue(items, 0, -1)).toBe(0);
    expect(stepQueue([], -1, 1)).toBe(-1);
    expect(indexOfPeak(items, 61)).toBe(2);
    expect(indexOfPeak(items, 62)).toBe(-1);
  });

  it('draws only the rows in view (10,000 events: a screenful plus a few)', () => {
    expect(visibleRange(0, 520, 52, 10_000)).toEqual({ first: 0, last: 14 });
    expect(visibleRange(52 * 5000, 520, 52, 10_000)).toEqual({ first: 4996, last: 5014 });
    expect(visibleRange(52 * 9995, 520, 52, 10_000)).toEqual({ first: 9991, last: 9999 });
  });
});
