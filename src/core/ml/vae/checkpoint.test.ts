import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckpointFormatError,
  decodeCheckpoint,
  deserializeWeights,
  encodeCheckpoint,
  loadCheckpoint,
  loadWeightsFile,
  packTensors,
  saveCheckpoint,
  saveWeightsFile,
  serializeWeights,
  unpackTensors,
  weightsToArrays,
  writeFileAtomic,
  type TrainCheckpoint,
} from './checkpoint.js';
import { initWeights, weightSpecs, type VaeConfig } from './spec.js';

const config: VaeConfig = { inputSize: 16, channels: 3, filters: [8, 8], latentDim: 4, likelihood: 'gaussian-learned', fixedLogVar: 0 };
let dir = '';

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'lw-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('tensor container', () => {
  it('round-trips float32 bit-exactly, NaN payloads, −0 and denormals included', () => {
    const data = new Float32Array([1.5, -0, Number.MIN_VALUE, 3.4e38, -Infinity, 1e-45]);
    const u = new Uint32Array(data.buffer);
    const withNaN = new Float32Array(3);
    new Uint32Array(withNaN.buffer).set([0x7fc00001, 0xffc12345, 0x7f800001]); // NaNs with payloads
    const blob = packTensors('test', { a: 1 }, [
      { name: 'x', shape: [2, 3], data },
      { name: 'nan', shape: [3], data: withNaN },
      { name: 'empty', shape: [0], data: new Float32Array(0) },
    ]);
    const back = unpackTensors(blob);
    expect(back.kind).toBe('test');
    expect(back.meta).toEqual({ a: 1 });
    expect(Array.from(bits(back.tensors[0]!.data))).toEqual(Array.from(u));
    expect(Array.from(bits(back.tensors[1]!.data))).toEqual([0x7fc00001, 0xffc12345, 0x7f800001]);
    expect(back.tensors[2]!.shape).toEqual([0]);
  });

  it('reads from an unaligned view (a Buffer slice)', () => {
    const blob = packTensors('t', null, [{ name: 'a', shape: [3], data: new Float32Array([1, 2, 3]) }]);
    const host = new Uint8Array(blob.length + 3);
    host.set(blob, 3);
    expect(Array.from(unpackTensors(host.subarray(3)).tensors[0]!.data)).toEqual([1, 2, 3]);
  });

  it('detects corruption, truncation and foreign files', () => {
    const blob = packTensors('t', null, [{ name: 'a', shape: [4], data: new Float32Array([1, 2, 3, 4]) }]);
    const flipped = blob.slice();
    flipped[flipped.length - 2]! ^= 0x10;
    expect(() => unpackTensors(flipped)).toThrow(/CRC/);
    expect(() => unpackTensors(blob.subarray(0, blob.length - 4))).toThrow(/truncated/);
    expect(() => unpackTensors(new TextEncoder().encode('{"hello": "world"}'))).toThrow(CheckpointFormatError);
    expect(() => packTensors('t', null, [{ name: 'a', shape: [3], data: new Float32Array(4) }])).toThrow(/shape/);
  });
});

describe('weights', () => {
  it('serializeWeights / deserializeWeights round-trip bit-exactly with the config', () => {
    const w = initWeights(config, 5);
    const bytes = serializeWeights(w, config);
    const back = deserializeWeights(bytes);
    expect(back.config).toEqual(config);
    for (const s of weightSpecs(config)) {
      expect(back.weights[s.name]!.shape).toEqual(s.shape);
      expect(Array.from(bits(back.weights[s.name]!.dataSync() as Float32Array))).toEqual(Array.from(bits(w[s.name]!.dataSync() as Float32Array)));
    }
    expect(Object.keys(back.weights).sort()).toEqual(Object.keys(w).sort());
  });

  it('refuses weights that do not fit their config', () => {
    const w = initWeights(config, 5);
    const arrays = weightsToArrays(w, config);
    arrays[0] = { ...arrays[0]!, shape: [4, 4, 3, 4], data: new Float32Array(4 * 4 * 3 * 4) };
    const bad = packTensors('vae-weights', { config }, arrays);
    expect(() => deserializeWeights(bad)).toThrow(/enc\.conv0\.kernel.*shape/);
    expect(() => serializeWeights({}, config)).toThrow(/missing weight/);
  });

  it('saves a model file atomically and loads it back', async () => {
    const w = initWeights(config, 6);
    const p = join(dir, 'models', 'm.lwt');
    await saveWeightsFile(p, w, config);
    const back = await loadWeightsFile(p);
    expect(Array.from(back.weights['dec.fc.kernel']!.dataSync())).toEqual(Array.from(w['dec.fc.kernel']!.dataSync()));
  });
});

describe('training checkpoints', () => {
  const make = (seed: number): TrainCheckpoint => {
    const w = weightsToArrays(initWeights(config, seed), config);
    const m = w.map((a) => ({ ...a, data: a.data.map((v) => v * 0.1) }));
    const v = w.map((a) => ({ ...a, data: a.data.map((x) => x * x) }));
    return {
      config,
      epoch: 3,
      weights: w,
      bestWeights: weightsToArrays(initWeights(config, seed + 1), config),
      adam: { step: 42, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, m, v },
      bestLoss: 123.25,
      bestEpoch: 1,
      badEpochs: 1,
      history: [
        { epoch: 0, loss: 200, recon: 190, kl: 10, beta: 1, valLoss: 201, valRecon: 190, valKl: 11, seconds: 0.5 },
        { epoch: 1, loss: 150, recon: 140, kl: 10, beta: 1, valLoss: 123.25, valRecon: 113, valKl: 10.25, seconds: 0.5 },
      ],
      rng: { seed: 9, scheme: 'x' },
      data: { count: 10, size: 16, channels: 3, trainCount: 8, valCount: 2, fingerprint: 77 },
      options: { learningRate: 0.001 },
      savedAt: '2025-01-01T00:00:00.000Z',
    };
  };

  it('encode/decode round-trips every field and tensor bit-exactly', () => {
    const ck = make(1);
    const back = decodeCheckpoint(encodeCheckpoint(ck));
    expect(back).toEqual(ck);
    back.adam!.m.forEach((a, i) => expect(Array.from(bits(a.data))).toEqual(Array.from(bits(ck.adam!.m[i]!.data))));
  });

  it('saveCheckpoint replaces the file atomically and leaves no temp files', async () => {
    const p = join(dir, 'run', 'ck.lwt');
    await saveCheckpoint(p, make(1));
    await saveCheckpoint(p, make(2));
    const back = await loadCheckpoint(p);
    expect(back).toEqual(make(2));
    expect(await readdir(join(dir, 'run'))).toEqual(['ck.lwt']);
  });

  it('a failed write leaves the old file intact', async () => {
    const p = join(dir, 'keep', 'ck.lwt');
    await saveCheckpoint(p, make(1));
    const before = await readFile(p);
    // Renaming onto a path whose parent is a file fails: the target is untouched, the temp removed.
    await writeFile(join(dir, 'keep', 'afile'), 'x');
    await expect(writeFileAtomic(join(dir, 'keep', 'afile', 'ck.lwt'), new Uint8Array(8))).rejects.toThrow();
    expect(Buffer.compare(await readFile(p), before)).toBe(0);
    expect((await readdir(join(dir, 'keep'))).sort()).toEqual(['afile', 'ck.lwt']);
  });

  it('deserializeWeights also reads the best weights of a training checkpoint', () => {
    const ck = make(3);
    const { weights, config: c } = deserializeWeights(encodeCheckpoint(ck));
    expect(c).toEqual(config);
    expect(Array.from(weights['enc.mu.kernel']!.dataSync())).toEqual(Array.from(ck.bestWeights!.find((a) => a.name === 'enc.mu.kernel')!.data));
  });
});
