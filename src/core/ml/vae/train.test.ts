import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from './checkpoint.js';
import { weightSpecs, type VaeConfig, type VaeWeights } from './spec.js';
import { movingSquares } from './synthetic.js';
import { betaAt, splitIndices, trainVae, type TrainOptions, type TrainProgress } from './train.js';

// Gray 16×16 keeps the cpu backend's slow Conv2DBackpropFilter affordable on 2 cores.
const config: VaeConfig = { inputSize: 16, channels: 1, filters: [4, 8], latentDim: 4, likelihood: 'gaussian-learned', fixedLogVar: 0 };
const frames = movingSquares(32, 16, 1); // 24 train / 8 validation, 3 steps per epoch at batch 8
const base: TrainOptions = { config, epochs: 2, batchSize: 8, learningRate: 1e-2, validationFraction: 0.25, seed: 11 };

let dir = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'lw-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bitsOf = (w: VaeWeights): Record<string, number[]> =>
  Object.fromEntries(Object.entries(w).map(([k, t]) => [k, Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer))]));
const strip = <T extends { seconds: number }>(h: T[]): Omit<T, 'seconds'>[] => h.map(({ seconds: _s, ...r }) => r);

describe('trainVae', () => {
  it('lowers the loss on moving squares, keeps memory flat across epochs, reports progress', async () => {
    const before = tf.memory().numTensors;
    const atEpochEnd: number[] = [];
    const progress: TrainProgress[] = [];
    const r = await trainVae(frames, { ...base, epochs: 6, klWarmupEpochs: 2 }, {
      onEpochEnd: () => atEpochEnd.push(tf.memory().numTensors),
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 0,
    });
    expect(r.history).toHaveLength(6);
    const first = r.history[0]!;
    const last = r.history[5]!;
    expect(last.recon).toBeLessThan(first.recon - 20);
    expect(last.valLoss!).toBeLessThan(first.valLoss! - 20);
    expect(r.history.every((h) => Number.isFinite(h.loss) && h.kl >= 0)).toBe(true);
    // β warm-up: 0 at the very first step, full from epoch 2 on
    expect(progress[0]!.beta).toBe(0);
    expect(r.history[1]!.beta).toBeCloseTo(1 * (1 + 2 / 3) / 2, 6);
    expect(r.history[3]!.beta).toBe(1);
    // memory: identical at every epoch end; afterwards only the returned weights remain
    expect(new Set(atEpochEnd).size).toBe(1);
    expect(tf.memory().numTensors - before).toBe(weightSpecs(config).length);
    tf.dispose(Object.values(r.weights));
    expect(tf.memory().numTensors).toBe(before);
    // progress events
    expect(progress).toHaveLength(6 * 3);
    const p = progress[progress.length - 1]!;
    expect(p).toMatchObject({ epoch: 5, epochs: 6, step: 3, stepsPerEpoch: 3 });
    expect(p.valLoss).toBe(r.history[4]!.valLoss);
    expect(p.framesPerSec).toBeGreaterThan(0);
    expect(p.etaSec).toBe(0);
    expect(r.framesPerSec).toBeGreaterThan(0);
    expect(r.bestEpoch).toBe(r.history.reduce((b, h, i) => (h.valLoss! < r.history[b]!.valLoss! ? i : b), 0));
  });

  it('throttles progress: with a long interval only the first and the very last step report', async () => {
    const progress: TrainProgress[] = [];
    const r = await trainVae(frames, { ...base, epochs: 2 }, { onProgress: (p) => progress.push(p), progressIntervalMs: 1e9 });
    tf.dispose(Object.values(r.weights));
    expect(progress.map((p) => [p.epoch, p.step])).toEqual([
      [0, 1],
      [1, 3],
    ]);
  });

  it('stops early when the validation loss stops improving, and returns the best epoch', async () => {
    // minDelta so large that nothing after the first epoch counts as an improvement.
    const r = await trainVae(frames, { ...base, epochs: 10, patience: 2, minDelta: 1e9 });
    expect(r.stoppedEarly).toBe(true);
    expect(r.history).toHaveLength(3);
    expect(r.bestEpoch).toBe(0);
    // the returned weights are those after epoch 0, not the last ones
    const one = await trainVae(frames, { ...base, epochs: 1 });
    expect(bitsOf(r.weights)).toEqual(bitsOf(one.weights));
    tf.dispose([...Object.values(r.weights), ...Object.values(one.weights)]);
  });

  it('checkpoints every epoch and resumes to exactly the numbers of an uninterrupted run', async () => {
    const path = join(dir, 'resume', 'ck.lwt');
    const straight = await trainVae(frames, { ...base, epochs: 3 });
    const part = await trainVae(frames, { ...base, epochs: 1, checkpointPath: path });
    const ck = await loadCheckpoint(path);
    expect(ck.epoch).toBe(1);
    expect(ck.history).toHaveLength(1);
    expect(ck.adam?.step).toBe(3);
    expect(ck.rng.seed).toBe(11);
    const resumed = await trainVae(frames, { ...base, epochs: 3, checkpointPath: path, resume: true });
    expect(resumed.resumedFromEpoch).toBe(1);
    expect(strip(resumed.history)).toEqual(strip(straight.history));
    expect(bitsOf(resumed.weights)).toEqual(bitsOf(straight.weights));
    expect((await loadCheckpoint(path)).epoch).toBe(3);
    expect(await readdir(join(dir, 'resume'))).toEqual(['ck.lwt']);
    // resuming a finished run trains nothing and returns the same result
    const again = await trainVae(frames, { ...base, epochs: 3, checkpointPath: path, resume: true });
    expect(again.history).toEqual(resumed.history);
    expect(bitsOf(again.weights)).toEqual(bitsOf(resumed.weights));
    // a different config or seed cannot resume from it
    await expect(trainVae(frames, { ...base, config: { ...config, latentDim: 5 }, epochs: 4, checkpointPath: path, resume: true })).rejects.toThrow(
      /cannot resume.*config/,
    );
    await expect(trainVae(frames, { ...base, seed: 12, epochs: 4, checkpointPath: path, resume: true })).rejects.toThrow(/cannot resume.*seed/);
    tf.dispose([straight, part, resumed, again].flatMap((r) => Object.values(r.weights)));
  });

  it('cancel rejects with AbortError at a step boundary and leaves the last checkpoint intact', async () => {
    const path = join(dir, 'cancel', 'ck.lwt');
    const before = tf.memory().numTensors;
    const ac = new AbortController();
    let saved: Buffer | null = null;
    let stepsAfterAbort = 0;
    const run = trainVae(frames, { ...base, epochs: 5, checkpointPath: path }, {
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: () => {
        if (ac.signal.aborted) stepsAfterAbort++;
      },
      onEpochEnd: (e) => {
        if (e.epoch === 0) {
          saved = readFileSync(path);
          setTimeout(() => ac.abort(), 0); // arrives asynchronously, while epoch 1 runs
        }
      },
    });
    const err = await run.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe('AbortError');
    expect(err?.message).toMatch(/canceled at epoch 2 of 5, step \d of 3/);
    expect(stepsAfterAbort).toBeLessThanOrEqual(1);
    expect(saved).not.toBeNull();
    expect(Buffer.compare(await readFile(path), saved!)).toBe(0);
    expect((await loadCheckpoint(path)).epoch).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    // an already aborted signal rejects before any work
    const pre = new AbortController();
    pre.abort();
    await expect(trainVae(frames, base, { signal: pre.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a diverging learning rate gives DivergedError and keeps the last good checkpoint', async () => {
    const path = join(dir, 'diverge', 'ck.lwt');
    const good = await trainVae(frames, { ...base, epochs: 1, checkpointPath: path });
    tf.dispose(Object.values(good.weights));
    const saved = await readFile(path);
    const before = tf.memory().numTensors;
    const err = await trainVae(frames, { ...base, epochs: 4, learningRate: 1e8, checkpointPath: path, resume: true }).then(
      () => null,
      (e: unknown) => e as Error & { epoch: number; step: number },
    );
    expect(err?.name).toBe('DivergedError');
    expect(err?.message).toMatch(/diverged at epoch 2 of 4, step \d of 3/);
    expect(err?.message).toMatch(/lower learning rate/);
    expect(err?.epoch).toBe(1);
    expect(Buffer.compare(await readFile(path), saved)).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  describe('rejects bad input with clear errors', () => {
    const cases: [string, Parameters<typeof trainVae>[0], Partial<TrainOptions>, RegExp][] = [
      ['empty set', { data: new Uint8Array(0), count: 0, size: 16, channels: 1 }, {}, /training set is empty/],
      ['wrong size', movingSquares(4, 32, 1), {}, /frames are 32×32×1 but the model expects 16×16×1/],
      ['wrong channels', movingSquares(4, 16, 3), {}, /frames are 16×16×3 but the model expects 16×16×1/],
      ['short data', { data: new Uint8Array(100), count: 2, size: 16, channels: 1 }, {}, /holds 100 bytes, expected .* 512/],
      ['batch size 0', frames, { batchSize: 0 }, /batchSize must be an integer >= 1, got 0/],
      ['batch size 2.5', frames, { batchSize: 2.5 }, /batchSize must be an integer >= 1/],
      ['too few for validation', movingSquares(3, 16, 1), { validationFraction: 0.1 }, /too few frames for a validation split.*at least 10 frames/],
      ['learning rate', frames, { learningRate: -1 }, /learningRate must be a positive number/],
      ['epochs', frames, { epochs: 0 }, /epochs must be an integer >= 1/],
      ['resume without path', frames, { resume: true }, /resume needs a checkpointPath/],
      ['config', frames, { config: { ...config, inputSize: 10 } }, /invalid VAE config.*inputSize 10 must be a positive multiple of 4/],
    ];
    for (const [name, f, o, re] of cases)
      it(name, async () => {
        await expect(trainVae(f, { ...base, ...o })).rejects.toMatchObject({ name: 'TrainingInputError', message: expect.stringMatching(re) });
      });
  });
});

describe('helpers', () => {
  it('the validation split is deterministic from the seed and disjoint', () => {
    const a = splitIndices(20, 0.25, 3);
    expect(a).toEqual(splitIndices(20, 0.25, 3));
    expect(a.val).toHaveLength(5);
    expect(new Set([...a.train, ...a.val]).size).toBe(20);
    expect(splitIndices(20, 0.25, 4).val).not.toEqual(a.val);
    expect(splitIndices(20, 0, 3).val).toEqual([]);
  });

  it('a long enough split holds out contiguous blocks, one in each fifth of the footage', () => {
    const { train, val } = splitIndices(1000, 0.2, 1);
    expect(val).toHaveLength(200);
    expect(new Set([...train, ...val]).size).toBe(1000);
    // Runs of consecutive held-out frames: exactly one per fifth, each 40 frames long.
    const runs: number[][] = [];
    for (const i of val) {
      const last = runs.at(-1);
      if (last && last.at(-1)! === i - 1) last.push(i);
      else runs.push([i]);
    }
    expect(runs.map((r) => r.length)).toEqual([40, 40, 40, 40, 40]);
    runs.forEach((r, b) => {
      expect(r[0]!).toBeGreaterThanOrEqual(b * 200);
      expect(r.at(-1)!).toBeLessThan((b + 1) * 200);
    });
    expect(splitIndices(1000, 0.2, 2).val).not.toEqual(val);
  });

  it('β ramps linearly from 0 over the warm-up epochs', () => {
    expect(betaAt(2, 0, 0, 0, 10)).toBe(2);
    expect(betaAt(2, 4, 0, 0, 10)).toBe(0);
    expect(betaAt(2, 4, 1, 5, 10)).toBeCloseTo(0.75);
    expect(betaAt(2, 4, 4, 0, 10)).toBe(2);
    expect(betaAt(2, 4, 9, 0, 10)).toBe(2);
  });
});
