/** trainVae's per-kind hooks supplied from outside (TrainOptions.kindHooks), as a model-kind registry does. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/index.js';
import { autoencoderHooks, elboHooks, mixturePriorHooks, type KindHooks, type KindHooksFactory } from './kind-hooks.js';
import type { VaeConfig, VaeWeights } from './spec.js';
import { clusteredFrames } from './synthetic.js';
import { trainVae, type TrainOptions, type TrainResult } from './train.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const config: VaeConfig = { inputSize: 16, channels: 1, filters: [4, 8], latentDim: 2, likelihood: 'gaussian-learned', fixedLogVar: 0 };
const frames = clusteredFrames(30, 16, 1); // 24 train / 6 validation: 3 steps per epoch at batch 8
const base: TrainOptions = { config, epochs: 2, batchSize: 8, learningRate: 1e-2, validationFraction: 0.2, seed: 5 };

const bitsOf = (w: VaeWeights): Record<string, number[]> =>
  Object.fromEntries(Object.entries(w).map(([k, t]) => [k, Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer))]));
const outcome = (r: TrainResult): unknown => ({ history: r.history.map(({ seconds: _s, ...e }) => e), weights: bitsOf(r.weights), mixture: r.mixture, bestEpoch: r.bestEpoch });
const dispose = (r: TrainResult): void => tf.dispose(Object.values(r.weights));

describe('TrainOptions.kindHooks', () => {
  it('gives the run the options pick by themselves, bit for bit, for vae, ae and gmvae', async () => {
    const cases: [TrainOptions, KindHooksFactory][] = [
      [base, elboHooks],
      [{ ...base, objective: 'autoencoder' }, autoencoderHooks],
      [{ ...base, mixturePrior: { k: 3 } }, mixturePriorHooks],
    ];
    for (const [opts, kindHooks] of cases) {
      const picked = await trainVae(frames, opts);
      const supplied = await trainVae(frames, { ...opts, kindHooks });
      expect(outcome(supplied)).toEqual(outcome(picked));
      dispose(picked);
      dispose(supplied);
    }
  }, 60_000);

  it('refuses hooks that do not fit the options, before anything is allocated', async () => {
    const before = tf.memory().numTensors;
    await expect(trainVae(frames, { ...base, objective: 'autoencoder', kindHooks: elboHooks })).rejects.toThrow(/ELBO training hooks need/);
    await expect(trainVae(frames, { ...base, kindHooks: mixturePriorHooks })).rejects.toMatchObject({ name: 'TrainingInputError' });
    await expect(trainVae(frames, { ...base, kindHooks: autoencoderHooks })).rejects.toMatchObject({ name: 'TrainingInputError' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('calls the hooks once per step and once per epoch, and frees what they hold', async () => {
    const calls = { stepNoise: 0, endEpoch: 0, disposed: 0 };
    // A plain object that delegates: what a registry driver wrapping a kind's hooks would write.
    const counting: KindHooksFactory = (setup) => {
      const inner: KindHooks = mixturePriorHooks(setup);
      return {
        shard: inner.shard,
        prior: () => inner.prior(),
        stepNoise: (epoch, step) => (calls.stepNoise++, inner.stepNoise(epoch, step)),
        onCodes: (z, idx) => inner.onCodes(z, idx),
        endEpoch: (epoch) => (calls.endEpoch++, inner.endEpoch(epoch)),
        validationEps: (n, b) => inner.validationEps(n, b),
        validationKl: (t, idx) => inner.validationKl(t, idx),
        tracksBest: () => inner.tracksBest(),
        keepBest: () => inner.keepBest(),
        checkpoint: () => inner.checkpoint(),
        mixture: () => inner.mixture(),
        dispose: () => (calls.disposed++, inner.dispose()),
      };
    };
    const before = tf.memory().numTensors;
    const r = await trainVae(frames, { ...base, epochs: 3, mixturePrior: { k: 3 }, kindHooks: counting });
    expect(calls).toEqual({ stepNoise: 9, endEpoch: 3, disposed: 1 });
    expect(r.mixture?.k).toBe(3);
    dispose(r);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
