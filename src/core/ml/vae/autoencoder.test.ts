import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VaeConfig } from './spec.js';
import { movingSquares } from './synthetic.js';
import { trainVae, type TrainOptions } from './train.js';

const config: VaeConfig = { inputSize: 16, channels: 1, filters: [4, 8], latentDim: 4, likelihood: 'gaussian-learned', fixedLogVar: 0 };
const frames = movingSquares(32, 16, 1);
const base: TrainOptions = { config, epochs: 3, batchSize: 8, learningRate: 1e-2, validationFraction: 0.25, seed: 5, objective: 'autoencoder', klWarmupEpochs: 2, beta: 4 };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe("trainVae with objective 'autoencoder'", () => {
  it('is deterministic (no sampling), ignores the KL (validation loss = reconstruction), and never moves the encoder variance', async () => {
    const a = await trainVae(frames, base);
    const b = await trainVae(frames, base);
    for (const h of a.history) expect(h.valLoss).toBeCloseTo(h.valRecon!, 6);
    expect(a.history[2]!.valRecon!).toBeLessThan(a.history[0]!.valRecon!);
    // z = μ exactly, so log σ² gets no gradient: its weights stay at their initial values (zeros for the bias).
    expect(Array.from(a.weights['enc.logvar.bias']!.dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(a.weights['enc.mu.kernel']!.dataSync())).toEqual(Array.from(b.weights['enc.mu.kernel']!.dataSync()));
    tf.dispose([...Object.values(a.weights), ...Object.values(b.weights)]);
  });

  it('refuses an unknown objective', async () => {
    await expect(trainVae(frames, { ...base, objective: 'other' as 'elbo' })).rejects.toMatchObject({ name: 'TrainingInputError' });
  });
});
