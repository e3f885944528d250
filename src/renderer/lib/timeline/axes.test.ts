import { describe, expect, it } from 'vitest';
import { scoreTicks, timeTicks } from './axes.js';

describe('timeline axes', () => {
  it('picks a time step that fits the zoom: minutes for an hour, tenths of a second close up', () => {
    // An hour at 10 frames/s over 1200 px: 80 px apart at least → 5-minute steps.
    const hour = timeTicks({ start: 0, end: 36_000 }, 1200, 0, 0.1);
    expect(hour.map((t) => t.label).slice(0, 3)).toEqual(['0:00', '5:00', '10:00']);
    expect(hour[1]!.at).toBeCloseTo(100);
    // Four seconds: half seconds with tenths.
    const close = timeTicks({ start: 100, end: 140 }, 1200, 0, 0.1);
    expect(close.map((t) => t.label).slice(0, 3)).toEqual(['0:10.0', '0:10.5', '0:11.0']);
    expect(close[0]!.at).toBeCloseTo(0);
    expect(timeTicks({ start: 0, end: 36_000 * 3 }, 1200, 0, 0.1)[1]!.label).toBe('15:00');
    expect(timeTicks({ start: 0, end: 0 }, 1200, 0, 0.1)).toEqual([]);
  });

  it('labels the score axis with nice numbers, linear or log, top higher than bottom', () => {
    const lin = scoreTicks({ min: 0, max: 10 }, 120);
    expect(lin.map((t) => t.label)).toEqual(['0', '5', '10']);
    expect(lin[0]!.at).toBeGreaterThan(lin[lin.length - 1]!.at);
    const log = scoreTicks({ min: 0, max: 1000, log: true }, 120);
    expect(log.length).toBeGreaterThan(2);
    expect(Number(log[log.length - 1]!.label)).toBeGreaterThan(100);
  });
});
