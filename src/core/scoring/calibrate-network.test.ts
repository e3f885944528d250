/**
 * calibrateNetwork's calibration sample (gap.ts): footage in stretches of different level, held-out
 * blocks that miss the busiest stretch. The calibration must cover that stretch (corrected by the
 * gap the blocks measure) without going blind to a real change.
 */
import { describe, expect, it } from 'vitest';
import type { RawComponents } from '../engine/components.js';
import { ProgressMeter } from '../jobs/progress.js';
import { mulberry32 } from '../ml/prng.js';
import type { VaeScores } from '../ml/onnx/runtime.js';
import type { Store } from '../store/store.js';
import { combine } from './calibrate.js';
import { calibrateNetwork } from './calibrate-network.js';
import type { KindScorer, ScoredBatch } from './pass.js';

const LEVELS = [0.3, 0.9, 0.5, 0.4, 0.7, 0.35, 0.6, 0.45];
const PER = 150;
const N = LEVELS.length * PER;
const UNSEEN = 1.1;
const G2 = 4;
const L = 2;

/** Frame i's reconstruction error: its stretch's level with noise, UNSEEN times higher on frames the model did not train on. */
function reconOf(seed: number, heldOut: Set<number>): Float32Array {
  const rnd = mulberry32(seed);
  return Float32Array.from({ length: N }, (_, i) => LEVELS[Math.floor(i / PER)]! * (1 + 0.1 * (rnd() + rnd() + rnd() - 1.5)) * (heldOut.has(i) ? UNSEEN : 1));
}

/** Batches whose scores carry each frame's index in mu[0]; the scorer reads the component from `recon`. */
function batches(count: number): ScoredBatch<VaeScores>[] {
  const out: ScoredBatch<VaeScores>[] = [];
  for (let first = 0; first < N; first += count) {
    const n = Math.min(count, N - first);
    const mu = new Float32Array(n * L);
    for (let i = 0; i < n; i++) mu[i * L] = first + i;
    const s = { mu, logvar: new Float32Array(n * L), patchErr: new Float32Array(n * G2).fill(0.5), reconMse: new Float32Array(n), sharpness: new Float32Array(n), kl: new Float32Array(n), nll: new Float32Array(n), elbo: new Float32Array(n) } as VaeScores;
    out.push({ first, count: n, s, motion: new Float32Array(n * G2).fill(0.5) });
  }
  return out;
}

function scorer(recon: Float32Array): KindScorer<VaeScores> {
  return {
    earlier: 0,
    run: () => Promise.reject(new Error('not used')),
    components: (b) => Array.from({ length: b.count }, (_, i): RawComponents => ({ recon: recon[b.s.mu[i * L]!]!, patch: 0, kl: 0, nll: 0, elbo: 0, temporal: 0, stillness: 0, sharpness: 0 })),
    rows: () => [],
    dispose: () => Promise.resolve(),
  };
}

describe('calibrateNetwork: the calibration sample', () => {
  // Blocks in stretches 0, 2, 4 and 6 only: the busiest stretch (level 0.9) is never held out.
  const heldOut = new Set<number>();
  for (const s of [0, 2, 4, 6]) for (let i = 50; i < 90; i++) heldOut.add(s * PER + i);
  const raw = (recon: number) => ({ recon, patch: 0, kl: 0, nll: 0, elbo: 0, temporal: 0, stillness: 0, sharpness: 0 });

  for (const seed of [1, 2, 3])
    it(`covers a stretch no held-out block saw, corrected by the measured gap, and still flags a real change (seed ${seed})`, () => {
      const recon = reconOf(seed, heldOut);
      const calibrate = calibrateNetwork(null as unknown as Store, 4, L, { heldOut, targetFpr: 0.01, sampledFps: 10, rule: { recon: 'upper' }, meter: new ProgressMeter(() => {}) }, 1);
      const { calibration: c } = calibrate(batches(64), scorer(recon));
      expect(c.gap?.recon?.scale).toBeGreaterThan(1.05);
      expect(c.gap?.recon?.scale).toBeLessThan(1.15);
      expect(c.gap?.recon?.shift).toBe(0);
      // New footage of the busy stretch, which the model never saw: ordinary, not an alarm.
      expect(combine(raw(0.9 * UNSEEN), c)).toBeLessThan(c.threshold);
      // Had the training video never shown the busy stretch (its trained-on frames as quiet as the
      // quietest), the same frame would be an alarm: the coverage comes from the trained-on frames.
      const heldOnly = calibrateNetwork(null as unknown as Store, 4, L, { heldOut, targetFpr: 0.01, sampledFps: 10, rule: { recon: 'upper' }, meter: new ProgressMeter(() => {}) }, 1);
      const noGap = heldOnly(batches(64), scorer(Float32Array.from(recon, (v, i) => (heldOut.has(i) ? v : 0.3))));
      expect(combine(raw(0.9 * UNSEEN), noGap.calibration)).toBeGreaterThan(noGap.calibration.threshold);
      // A real change, well beyond the busiest normal footage: flagged.
      expect(combine(raw(0.9 * UNSEEN * 2), c)).toBeGreaterThan(c.threshold);
      // Results do not depend on the batch size.
      expect(calibrate(batches(100), scorer(recon)).calibration).toEqual(c);
    });

  it('leaves out the frames that neither trained the model nor were held out (an incident labelled in the training video)', () => {
    const recon = reconOf(4, heldOut);
    // Frames 300-349 (stretch 2): an incident, far beyond normal, left out of training by its label.
    for (let i = 300; i < 350; i++) recon[i] = 5;
    const trained = new Set(Array.from({ length: N }, (_, i) => i).filter((i) => !heldOut.has(i) && (i < 300 || i >= 350)));
    const o = { heldOut, targetFpr: 0.01, sampledFps: 10, rule: { recon: 'upper' as const }, meter: new ProgressMeter(() => {}) };
    const { calibration: c } = calibrateNetwork(null as unknown as Store, 4, L, { ...o, trained }, 1)(batches(64), scorer(recon));
    expect(c.tails?.recon?.n).toBe(N - 50);
    expect(c.tails?.recon?.q[100]).toBeLessThan(2);
    expect(combine(raw(5), c)).toBeGreaterThan(c.threshold);
    expect(c.outliersLeftOut).toBe(0);
    // Without the training set every frame but the held-out ones counts as trained on, the incident
    // included: then it is the outlier guard that leaves it out.
    const all = calibrateNetwork(null as unknown as Store, 4, L, o, 1)(batches(64), scorer(recon)).calibration;
    expect(all.outliersLeftOut).toBe(50);
    expect(all.tails?.recon?.n).toBe(N - 50);
  });

  it('leaves out trained-on frames far beyond the held-out blocks (an incident inside the training video), and keeps a busy stretch', () => {
    const recon = reconOf(5, heldOut);
    // Frames 460-489 (stretch 3, trained on): a covered lens, a hundred times the usual error.
    for (let i = 460; i < 490; i++) recon[i] = 50;
    const o = { heldOut, targetFpr: 0.01, sampledFps: 10, rule: { recon: 'upper' as const }, meter: new ProgressMeter(() => {}) };
    const { calibration: c } = calibrateNetwork(null as unknown as Store, 4, L, o, 1)(batches(64), scorer(recon));
    expect(c.outliersLeftOut).toBe(30);
    expect(combine(raw(50), c)).toBeGreaterThan(c.threshold);
    expect(combine(raw(0.9 * UNSEEN), c)).toBeLessThan(c.threshold);
  });
});
