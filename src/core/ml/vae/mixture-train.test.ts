/** The mixture-prior VAE trained end to end (trainVae with mixturePrior) on three clearly distinct clusters of frames. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { responsibilities, type DiagGmm } from '../family/mixture.js';
import { selectBackend } from '../backend/index.js';
import { encode, type VaeConfig, type VaeWeights } from './spec.js';
import { clusteredFrames } from './synthetic.js';
import { trainVae, type FrameSet, type TrainOptions } from './train.js';

beforeAll(async () => {
  await selectBackend('wasm'); // with LatentWatch's conv-gradient kernels: ~2 s a run here, the cpu backend ~15 s
});

const config: VaeConfig = { inputSize: 16, channels: 1, filters: [4, 8], latentDim: 2, likelihood: 'gaussian-learned', fixedLogVar: 0 };
const frames = clusteredFrames(90, 16, 1);
// 16 epochs of 9 steps: at 8 epochs of 5 steps even a plain VAE had not yet pulled two of the clusters apart.
// Seed 2 is a run that collapses without the collapse guard (two clusters in one component, found by trying seeds 1-3).
const base: TrainOptions = { config, epochs: 16, batchSize: 8, learningRate: 1e-2, validationFraction: 0.2, seed: 2, klWarmupEpochs: 2 };

/** argmax responsibilities of each frame's μ under the mixture. */
function classesOf(weights: VaeWeights, gmm: DiagGmm, f: FrameSet): Int32Array {
  const muT = tf.tidy(() => encode(config, weights, tf.tensor4d(Float32Array.from(f.data, (v) => v / 255), [f.count, f.size, f.size, f.channels])).mu);
  const mu = Float64Array.from(muT.dataSync());
  muT.dispose();
  const { resp } = responsibilities(gmm, mu);
  return Int32Array.from({ length: f.count }, (_, n) => {
    let best = 0;
    for (let k = 1; k < gmm.k; k++) if (resp[n * gmm.k + k]! > resp[n * gmm.k + best]!) best = k;
    return best;
  });
}

/** Accuracy under the best one-to-one mapping of predicted to true classes (K = 3: all 6 permutations). */
function bestPermutationAccuracy(pred: Int32Array, truth: Int32Array): number {
  const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  let best = 0;
  for (const p of perms) {
    let hit = 0;
    for (let i = 0; i < pred.length; i++) if (p[pred[i]!] === truth[i]) hit++;
    best = Math.max(best, hit / pred.length);
  }
  return best;
}

describe('trainVae with a mixture prior', () => {
  it('uses every component and recovers the three clusters; records usage and entropy per epoch', async () => {
    const r = await trainVae(frames, { ...base, mixturePrior: { k: 3 } });
    try {
      expect(r.mixture).not.toBeNull();
      const mixEpochs = r.history.filter((h) => h.mixture);
      expect(mixEpochs.length).toBe(base.epochs); // the warm-up epoch records the first fit
      for (const h of mixEpochs) {
        expect(h.mixture!.usage).toHaveLength(3);
        expect(h.mixture!.usageEntropy).toBeGreaterThanOrEqual(0);
        expect(h.mixture!.usageEntropy).toBeLessThanOrEqual(1 + 1e-9);
      }
      const last = mixEpochs[mixEpochs.length - 1]!.mixture!;
      expect(last.usageEntropy).toBeGreaterThan(0.9);
      expect(mixEpochs.some((h) => h.mixture!.reseeded.length > 0)).toBe(true); // the guard acted on this run
      expect(r.bestEpoch).toBeGreaterThanOrEqual(0);
      const pred = classesOf(r.weights, r.mixture!, frames);
      const used = new Set(pred).size;
      expect(used).toBe(3);
      expect(bestPermutationAccuracy(pred, frames.labels)).toBeGreaterThan(0.9);
    } finally {
      tf.dispose(Object.values(r.weights));
    }
  }, 60_000);

  it('semi-supervised: labelled frames fix their class, so the cluster labelled k is component k', async () => {
    const labels = Int32Array.from(frames.labels, (c, i) => (i < 15 ? c : -1)); // five frames of each cluster labelled
    const r = await trainVae(frames, { ...base, mixturePrior: { k: 3, labels } });
    try {
      const pred = classesOf(r.weights, r.mixture!, frames);
      let hit = 0;
      for (let i = 0; i < pred.length; i++) if (pred[i] === frames.labels[i]) hit++;
      expect(hit / pred.length).toBeGreaterThan(0.9); // identity mapping, no permutation
    } finally {
      tf.dispose(Object.values(r.weights));
    }
  }, 60_000);

  it('the collapse guard matters: on the same run without it, two clusters share one component for good', async () => {
    const r = await trainVae(frames, { ...base, mixturePrior: { k: 3, guard: false } });
    try {
      const tail = r.history.slice(-4).map((h) => h.mixture!);
      for (const m of tail) {
        expect(m.usageEntropy).toBeLessThan(0.7);
        expect(m.reseeded).toEqual([]);
      }
      const pred = classesOf(r.weights, r.mixture!, frames);
      expect(new Set(pred).size).toBeLessThan(3);
      expect(bestPermutationAccuracy(pred, frames.labels)).toBeLessThan(0.7);
    } finally {
      tf.dispose(Object.values(r.weights));
    }
  }, 60_000);

  it('resumes from its checkpoint (mixture included) to the same numbers as a run that never stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lw-gmvae-'));
    try {
      const opts: TrainOptions = { ...base, epochs: 5, mixturePrior: { k: 3 } };
      const straight = await trainVae(frames, opts);
      const path = join(dir, 'run.ckpt');
      const first = await trainVae(frames, { ...opts, epochs: 3, checkpointPath: path });
      const resumed = await trainVae(frames, { ...opts, checkpointPath: path, resume: true });
      tf.dispose([...Object.values(straight.weights), ...Object.values(first.weights), ...Object.values(resumed.weights)]);
      expect(resumed.resumedFromEpoch).toBe(3);
      const strip = (h: typeof straight.history) => h.map(({ seconds: _s, ...r }) => r);
      expect(strip(resumed.history)).toEqual(strip(straight.history));
      expect(Array.from(resumed.mixture!.means)).toEqual(Array.from(straight.mixture!.means));
      expect(Array.from(resumed.mixture!.weights)).toEqual(Array.from(straight.mixture!.weights));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('rejects options it cannot honour', async () => {
    await expect(trainVae(frames, { ...base, epochs: 1, mixturePrior: { k: 3 } })).rejects.toThrow(/more epochs/);
    await expect(trainVae(frames, { ...base, mixturePrior: { k: 3, labels: [0, 1] } })).rejects.toThrow(/labels has 2 entries/);
    await expect(trainVae(frames, { ...base, objective: 'autoencoder', mixturePrior: { k: 3 } })).rejects.toThrow(/ELBO/);
  });
});
