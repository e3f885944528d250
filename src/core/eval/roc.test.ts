import { describe, expect, it } from 'vitest';
import { atThreshold, aucByKind, findEvents, rocAuc, thresholdForFpr } from './roc.js';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s ^= s << 13, s ^= s >>> 17, s ^= s << 5) >>> 0) / 4294967296;
}

/** P(pos > neg) + ½ P(pos = neg) by counting every pair. */
function bruteAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let num = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!labels[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j]) continue;
      pairs++;
      if (scores[i]! > scores[j]!) num += 1;
      else if (scores[i] === scores[j]) num += 0.5;
    }
  }
  return num / pairs;
}

describe('rocAuc', () => {
  it('equals the brute-force pairwise count (ties ½) on random data with many ties', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(seed);
      const n = 50 + Math.floor(r() * 300);
      const levels = 2 + Math.floor(r() * 6); // few distinct values: lots of ties
      const scores = Array.from({ length: n }, () => Math.floor(r() * levels) / 3);
      const labels = Array.from({ length: n }, (_, i) => (r() < 0.3 + 0.2 * (scores[i]! / levels) ? 1 : 0));
      labels[0] = 1;
      labels[1] = 0;
      expect(rocAuc(scores, labels)).toBeCloseTo(bruteAuc(scores, labels), 12);
    }
  });

  it('equals the brute-force count on continuous scores (no ties)', () => {
    const r = rng(99);
    const scores = Float64Array.from({ length: 400 }, () => r());
    const labels = Uint8Array.from(scores, (s) => (r() < s ? 1 : 0));
    expect(rocAuc(scores, labels)).toBeCloseTo(bruteAuc(scores, labels), 12);
  });

  it('is 1 for perfect separation, 0 reversed, exactly 0.5 for a constant score', () => {
    const labels = [0, 0, 1, 0, 1, 1, 0];
    const good = labels.map((l, i) => l * 10 + i * 0.1);
    expect(rocAuc(good, labels)).toBe(1);
    expect(rocAuc(good.map((s) => -s), labels)).toBe(0);
    expect(rocAuc(labels.map(() => 3.7), labels)).toBe(0.5);
    expect(rocAuc(new Float32Array(1001).fill(0), Uint8Array.from({ length: 1001 }, (_, i) => i % 3 === 0 ? 1 : 0))).toBe(0.5);
  });

  it('accepts boolean labels and returns NaN when a class is empty', () => {
    expect(rocAuc([1, 2, 3], [false, true, true])).toBe(1);
    expect(rocAuc([1, 2, 3], [1, 1, 1])).toBeNaN();
    expect(rocAuc([1, 2, 3], [0, 0, 0])).toBeNaN();
    expect(rocAuc([], [])).toBeNaN();
  });

  it('rejects mismatched lengths, NaN scores and labels other than 0/1', () => {
    expect(() => rocAuc([1, 2], [0])).toThrow(RangeError);
    expect(() => rocAuc([1, NaN], [0, 1])).toThrow(/NaN/);
    expect(() => rocAuc([1, 2], [0, 2])).toThrow(/label 1/);
  });

  it('handles infinities as ordinary extreme scores', () => {
    expect(rocAuc([-Infinity, 0, Infinity, Infinity], [0, 0, 1, 0])).toBeCloseTo(bruteAuc([-Infinity, 0, Infinity, Infinity], [0, 0, 1, 0]), 12);
  });
});

describe('aucByKind', () => {
  // normal frames score 0..9; kind 'a' frames score high, kind 'b' frames score low.
  const kind = ['', '', 'a', 'a', '', 'b', 'b', 'b', '', '', '', 'a', '', '', ''];
  const anomaly = Uint8Array.from(kind, (k) => (k ? 1 : 0));
  const scores = kind.map((k, i) => (k === 'a' ? 100 + i : k === 'b' ? -1 - i : i));

  it('scores each kind against all normal frames, other kinds excluded', () => {
    const res = aucByKind(scores, { anomaly, kind });
    expect(res.a).toBe(1);
    expect(res.b).toBe(0);
    expect(res.overall).toBeCloseTo(bruteAuc(scores, anomaly), 12);
    expect(Object.keys(res)).toEqual(['overall', 'a', 'b']);
  });

  it("does not change a kind's AUC when another kind's scores change", () => {
    const moved = scores.map((s, i) => (kind[i] === 'b' ? 1e6 : s));
    const before = aucByKind(scores, { anomaly, kind });
    const after = aucByKind(moved, { anomaly, kind });
    expect(after.a).toBe(before.a);
    expect(after.b).toBe(1);
    expect(after.overall).not.toBe(before.overall);
  });

  it('matches rocAuc on the hand-made subset', () => {
    const r = rng(5);
    const s = kind.map(() => Math.floor(r() * 4));
    const res = aucByKind(s, { anomaly, kind });
    const idx = kind.map((k, i) => (k === '' || k === 'b' ? i : -1)).filter((i) => i >= 0);
    expect(res.b).toBe(rocAuc(idx.map((i) => s[i]!), idx.map((i) => (kind[i] === 'b' ? 1 : 0))));
  });

  it('rejects a length mismatch', () => {
    expect(() => aucByKind(scores.slice(1), { anomaly, kind })).toThrow(RangeError);
  });
});

describe('thresholdForFpr', () => {
  it('is the (1 − fpr) quantile of the training scores', () => {
    const r = rng(3);
    const train = Array.from({ length: 1001 }, (_, i) => i).sort(() => r() - 0.5); // 0..1000, shuffled
    const thr = thresholdForFpr(train, 0.05);
    expect(thr).toBe(950);
    expect(train.filter((s) => s > thr).length / train.length).toBeCloseTo(0.05, 2);
    expect(train.filter((s) => s >= thr).length).toBe(51);
    expect(thresholdForFpr(train, 0)).toBe(1000);
    expect(thresholdForFpr(train, 1)).toBe(0);
  });

  it('interpolates linearly between order statistics', () => {
    expect(thresholdForFpr([10, 0], 0.25)).toBe(7.5);
    expect(thresholdForFpr([0, 1, 2, 3, 4], 0.1)).toBeCloseTo(3.6, 12);
    expect(thresholdForFpr([5], 0.3)).toBe(5);
  });

  it('gives about the target false-positive rate on held-out scores from the same distribution', () => {
    const r = rng(11);
    const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
    const train = Array.from({ length: 20000 }, gauss);
    const test = Array.from({ length: 20000 }, gauss);
    const thr = thresholdForFpr(train, 0.02);
    const fpr = test.filter((s) => s >= thr).length / test.length;
    expect(fpr).toBeGreaterThan(0.015);
    expect(fpr).toBeLessThan(0.025);
  });

  it('rejects bad input', () => {
    expect(() => thresholdForFpr([], 0.1)).toThrow(RangeError);
    expect(() => thresholdForFpr([1, 2], 1.5)).toThrow(RangeError);
    expect(() => thresholdForFpr([1, 2], NaN)).toThrow(RangeError);
    expect(() => thresholdForFpr([1, NaN], 0.1)).toThrow(/NaN/);
  });
});

describe('atThreshold', () => {
  //            0   1   2    3    4    5    6   7   8    9    10   11
  const kind = ['', '', 'a', 'a', 'a', 'b', 'b', '', '', 'a', 'a', ''];
  const anomaly = Uint8Array.from(kind, (k) => (k ? 1 : 0));

  it('splits adjacent events of different kinds and separated runs of one kind', () => {
    expect(findEvents({ anomaly, kind })).toEqual([
      { kind: 'a', start: 2, end: 4 },
      { kind: 'b', start: 5, end: 6 },
      { kind: 'a', start: 9, end: 10 },
    ]);
  });

  it('counts an event as recalled when any of its frames reaches the threshold', () => {
    const scores = [0, 5, 0, 0, 0, 0, 5, 0, 0, 0, 9, 0];
    const res = atThreshold(scores, { anomaly, kind }, 5);
    expect(res.events.map((e) => [e.kind, e.recalled, e.firstHit])).toEqual([
      ['a', false, -1],
      ['b', true, 6],
      ['a', true, 10],
    ]);
    expect(res.eventRecall).toBeCloseTo(2 / 3, 12);
    expect(res.frameRecall).toBeCloseTo(2 / 7, 12); // frames 6 and 10 of 7 anomalous frames
    expect(res.falsePositiveRate).toBeCloseTo(1 / 5, 12); // frame 1 of 5 normal frames
  });

  it('reports zero recall above every score and full recall below every score', () => {
    const scores = kind.map((_, i) => i);
    expect(atThreshold(scores, { anomaly, kind }, 100)).toMatchObject({ eventRecall: 0, frameRecall: 0, falsePositiveRate: 0 });
    expect(atThreshold(scores, { anomaly, kind }, -1)).toMatchObject({ eventRecall: 1, frameRecall: 1, falsePositiveRate: 1 });
  });

  it('gives NaN rates when a class is missing', () => {
    const res = atThreshold([1, 2], { anomaly: new Uint8Array(2), kind: ['', ''] }, 1.5);
    expect(res.eventRecall).toBeNaN();
    expect(res.frameRecall).toBeNaN();
    expect(res.falsePositiveRate).toBe(0.5);
    expect(res.events).toEqual([]);
  });
});
