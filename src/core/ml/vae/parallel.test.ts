/**
 * Data-parallel training (parallel.ts): the same seed on 1 thread and on several gives the same run up
 * to the order of float additions. Tolerance over 3 epochs (6 Adam steps): loss curves within 1e-5
 * relative, weights within 1e-4 of their largest magnitude (measured: about 1e-7 and 1e-6; Adam divides
 * by √v, so a rounding difference of a gradient near 0 can move a weight more than the rounding itself).
 * The gmvae case has the collapse guard on (entropy weight 1), labelled frames and Gumbel noise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/index.js';
import { chunkCount, shardRows } from './parallel.js';
import type { VaeConfig, VaeWeights } from './spec.js';
import { movingSquares } from './synthetic.js';
import { AbortError, trainVae, type TrainOptions, type TrainResult } from './train.js';

const config: VaeConfig = { inputSize: 16, channels: 3, filters: [4, 8], latentDim: 4, likelihood: 'gaussian-learned', fixedLogVar: 0 };
const frames = movingSquares(40, 16, 3); // 30 train / 10 validation; batch 16: steps of 16 and 14 rows, one chunk per thread
const base: TrainOptions = { config, epochs: 3, batchSize: 16, learningRate: 1e-3, validationFraction: 0.25, seed: 5, klWarmupEpochs: 1 };

let dir = '';
beforeAll(async () => {
  await selectBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'lw-parallel-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function flat(w: VaeWeights): Float32Array {
  const parts = Object.keys(w)
    .sort()
    .map((k) => w[k]!.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function compare(a: TrainResult, b: TrainResult): { loss: number; weights: number } {
  let loss = 0;
  a.history.forEach((h, i) => {
    const g = b.history[i]!;
    for (const k of ['loss', 'recon', 'kl', 'valLoss'] as const) loss = Math.max(loss, Math.abs(h[k]! - g[k]!) / Math.max(1, Math.abs(h[k]!)));
  });
  const wa = flat(a.weights);
  const wb = flat(b.weights);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < wa.length; i++) {
    scale = Math.max(scale, Math.abs(wa[i]!));
    diff = Math.max(diff, Math.abs(wa[i]! - wb[i]!));
  }
  return { loss, weights: diff / scale };
}

const dispose = (...rs: TrainResult[]): void => rs.forEach((r) => tf.dispose(Object.values(r.weights)));

describe('data-parallel trainVae', () => {
  it('cuts a batch into even contiguous chunks', () => {
    expect(shardRows(8, 3)).toEqual([
      { offset: 0, count: 3 },
      { offset: 3, count: 3 },
      { offset: 6, count: 2 },
    ]);
    expect(shardRows(2, 2)).toEqual([
      { offset: 0, count: 1 },
      { offset: 1, count: 1 },
    ]);
    // one chunk per thread, at least 4 rows each
    expect(chunkCount(32, 2)).toBe(2);
    expect(chunkCount(16, 3)).toBe(3);
    expect(chunkCount(6, 2)).toBe(1);
  });

  it('gives the one-thread run (vae) on 2 and 3 threads, and says so', async () => {
    const one = await trainVae(frames, { ...base, workers: 1 });
    const two = await trainVae(frames, { ...base, workers: 2 });
    const three = await trainVae(frames, { ...base, workers: 3 });
    expect(one.parallel).toEqual({ workers: 1, requested: 1, note: null });
    expect(two.parallel.workers).toBe(2);
    expect(three.parallel.workers).toBe(3);
    for (const r of [two, three]) {
      const d = compare(one, r);
      console.log(`vae, ${r.parallel.workers} threads vs 1: loss curves ${d.loss.toExponential(2)} relative, weights ${d.weights.toExponential(2)} of their scale`);
      expect(d.loss).toBeLessThan(1e-5);
      expect(d.weights).toBeLessThan(1e-4);
    }
    // Chunks added in chunk order: a second 2-thread run is the first bit for bit, whichever thread
    // claimed which chunk.
    const again = await trainVae(frames, { ...base, workers: 2 });
    expect(Array.from(flat(again.weights))).toEqual(Array.from(flat(two.weights)));
    dispose(again);
    expect(one.history[2]!.loss).toBeLessThan(one.history[0]!.loss);
    dispose(one, two, three);
  });

  it('gives the one-thread run for ae, a masked vae and a gmvae with its collapse guard', async () => {
    const mask = new Uint8Array(16 * 16);
    mask.fill(1, 0, 40);
    const cases: [string, TrainOptions][] = [
      ['ae', { ...base, objective: 'autoencoder' }],
      ['masked vae', { ...base, ignoreMask: mask }],
      ['gmvae', { ...base, epochs: 3, mixturePrior: { k: 3, warmupEpochs: 1, labels: Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? i % 3 : -1)) } }],
    ];
    for (const [name, opts] of cases) {
      const one = await trainVae(frames, { ...opts, workers: 1 });
      const two = await trainVae(frames, { ...opts, workers: 2 });
      const d = compare(one, two);
      console.log(`${name}, 2 threads vs 1: loss curves ${d.loss.toExponential(2)} relative, weights ${d.weights.toExponential(2)} of their scale`);
      expect(two.parallel.workers).toBe(2);
      expect(d.loss).toBeLessThan(1e-5);
      expect(d.weights).toBeLessThan(1e-4);
      dispose(one, two);
    }
  });

  it('resumes from a checkpoint and cancels as one thread does', async () => {
    const ckpt = join(dir, 'p.ckpt');
    const full = await trainVae(frames, { ...base, workers: 2 });
    const ac = new AbortController();
    await expect(
      trainVae(frames, { ...base, workers: 2, checkpointPath: ckpt }, { signal: ac.signal, onEpochEnd: (e) => e.epoch === 0 && ac.abort() }),
    ).rejects.toBeInstanceOf(AbortError);
    const resumed = await trainVae(frames, { ...base, workers: 2, checkpointPath: ckpt, resume: true });
    expect(resumed.resumedFromEpoch).toBe(1);
    const d = compare(full, resumed);
    expect(d.loss).toBeLessThan(1e-6);
    expect(d.weights).toBeLessThan(1e-6);
    dispose(full, resumed);
  });

  it('trains on one thread when the backend is not wasm, and says why', async () => {
    await tf.setBackend('cpu');
    try {
      const r = await trainVae(movingSquares(8, 16, 3), { ...base, epochs: 1, validationFraction: 0, workers: 2 });
      expect(r.parallel.workers).toBe(1);
      expect(r.parallel.note).toMatch(/cpu backend is not split/);
      dispose(r);
    } finally {
      await selectBackend('wasm');
    }
  });
});
