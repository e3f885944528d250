import { describe, expect, it } from 'vitest';
import { fitTail, tailP } from '../../shared/tails.js';
import { mulberry32 } from '../ml/prng.js';
import { applyGap, blocksOf, measureGap, NO_GAP } from './gap.js';

describe('blocksOf', () => {
  it('finds maximal runs of consecutive indices, in order, whatever the input order', () => {
    expect(blocksOf([7, 3, 4, 5, 9, 8, 20])).toEqual([
      [3, 5],
      [7, 9],
      [20, 20],
    ]);
    expect(blocksOf([])).toEqual([]);
  });
});

/**
 * Footage in stretches of different level (an empty walkway, a crowd): a stretch's frames have
 * values around its own level; the model scores frames it did not train on `gap` times higher.
 */
function footage(seed: number, gap: number, heldOut: Set<number>, levels = [0.3, 0.9, 0.5, 0.4, 0.7, 0.35, 0.6, 0.45]) {
  const rnd = mulberry32(seed);
  const per = 150;
  const values: number[] = [];
  for (const level of levels)
    for (let i = 0; i < per; i++) {
      const v = level * (1 + 0.1 * (rnd() + rnd() + rnd() - 1.5));
      values.push(heldOut.has(values.length) ? v * gap : v);
    }
  return values;
}

describe('measureGap', () => {
  // Blocks in stretches 0, 2, 4 and 6 only: the crowded stretch (level 0.9) is never held out.
  const heldOut = new Set<number>();
  for (const s of [0, 2, 4, 6]) for (let i = 40; i < 80; i++) heldOut.add(s * 150 + i);

  it('measures the ratio of held-out frames to the trained-on frames around them, not to the whole footage', () => {
    for (const seed of [1, 2, 3]) {
      const v = footage(seed, 1.2, heldOut);
      const g = measureGap(v, heldOut, (i) => !heldOut.has(i));
      expect(g.shift).toBe(0);
      expect(g.scale).toBeGreaterThan(1.15);
      expect(g.scale).toBeLessThan(1.25);
    }
  });

  it('is never below 1: footage the model never saw is not assumed easier', () => {
    const v = footage(4, 0.8, heldOut);
    expect(measureGap(v, heldOut, (i) => !heldOut.has(i))).toEqual(NO_GAP);
  });

  it('takes the difference of medians for a component that is not always positive', () => {
    const v = footage(5, 1, heldOut).map((x, i) => x - 0.5 + (heldOut.has(i) ? 0.1 : 0));
    const g = measureGap(v, heldOut, (i) => !heldOut.has(i));
    expect(g.scale).toBe(1);
    expect(g.shift).toBeGreaterThan(0.08);
    expect(g.shift).toBeLessThan(0.12);
  });

  it('needs enough trained-on neighbours: none, no correction', () => {
    const v = footage(6, 1.5, heldOut);
    expect(measureGap(v, heldOut, () => false)).toEqual(NO_GAP);
  });

  it('makes a calibration that covers stretches no block saw: the crowded stretch is not off the tail', () => {
    const v = footage(7, 1.1, heldOut);
    const held = v.filter((_, i) => heldOut.has(i));
    const g = measureGap(v, heldOut, (i) => !heldOut.has(i));
    const corrected = v.map((x, i) => (heldOut.has(i) ? x : applyGap(x, g)));
    // A new crowded frame, unseen by the model: 0.9 · 1.1.
    const crowd = 0.9 * 1.1;
    expect(tailP(crowd, fitTail(held), 'upper')).toBeLessThan(1e-3);
    expect(tailP(crowd, fitTail(corrected), 'upper')).toBeGreaterThan(0.01);
  });
});
