/**
 * The protobuf round trip of exported bytes, and OnnxVaeScorer's loading and input checks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VaeConfig, type VaeWeights } from '../vae/spec.js';
import { exportVaeToOnnx, FORMAT_TAG, META, ONNX_OUTPUTS, permute4 } from './export-vae.js';
import { DataType, decodeModel, OnnxGraphBuilder, onnxTypes, tensorValues, type OnnxValueInfo } from './proto.js';
import { InvalidModelError, OnnxVaeScorer } from './runtime.js';
import { randomFrames, randomWeights } from '../../../../test/ml/onnx-reference.js';

const CFG: VaeConfig = { inputSize: 16, channels: 3, filters: [4, 8], latentDim: 3, likelihood: 'gaussian-learned', fixedLogVar: -3 };
let weights: VaeWeights;
let bytes: Uint8Array;
const dimsOf = (v: OnnxValueInfo) => v.type.tensor_type.shape.dim.map((d) => d.dim_param ?? d.dim_value);
const dir = mkdtempSync(join(tmpdir(), 'lw-onnx-'));

beforeAll(async () => {
  await tf.setBackend('cpu');
  weights = randomWeights(CFG, 21);
  bytes = exportVaeToOnnx(CFG, weights, { metadata: { 'latentwatch.model_id': 'abc' } });
});
afterAll(() => {
  tf.dispose(Object.values(weights));
  rmSync(dir, { recursive: true, force: true });
});

describe('ONNX protobuf', () => {
  it('decodes the exported bytes back into the graph that was written', () => {
    const m = decodeModel(bytes);
    expect(m.ir_version).toBe(8);
    expect(m.opset_import).toEqual([{ domain: '', version: 17 }]);
    expect(m.producer_name).toBe('latentwatch');
    const meta = Object.fromEntries(m.metadata_props.map((p) => [p.key, p.value]));
    expect(meta[META.format]).toBe(FORMAT_TAG);
    expect(JSON.parse(meta[META.config]!)).toEqual(CFG);
    expect(meta['latentwatch.model_id']).toBe('abc');

    const g = m.graph;
    expect(g.input).toHaveLength(1);
    const input = g.input[0]!;
    expect(input.name).toBe('frames');
    expect(input.type.tensor_type.elem_type).toBe(DataType.UINT8);
    expect(dimsOf(input)).toEqual(['N', 16, 16, 3]);
    expect(g.output.map((o) => o.name)).toEqual([...ONNX_OUTPUTS]);
    expect(dimsOf(g.output.find((o) => o.name === 'patch_err')!)).toEqual(['N', 2, 2]);
    expect(dimsOf(g.output.find((o) => o.name === 'recon')!)).toEqual(['N', 16, 16, 3]);

    // Initializers hold the weights: dense as-is, conv kernels permuted HWIO -> OIHW.
    const init = (name: string) => g.initializer.find((t) => t.name === name)!;
    const mu = init('enc.mu.kernel');
    expect(mu.dims).toEqual([8 * 4 * 4, 3]);
    expect(Array.from(tensorValues(mu) as Float32Array)).toEqual(Array.from(weights['enc.mu.kernel']!.dataSync()));
    const k0 = init('enc.conv0.kernel.oihw');
    expect(k0.dims).toEqual([4, 3, 4, 4]);
    expect(Array.from(tensorValues(k0) as Float32Array)).toEqual(Array.from(permute4(weights['enc.conv0.kernel']!.dataSync() as Float32Array, [4, 4, 3, 4], [3, 2, 0, 1]).data));

    const conv = g.node.find((n) => n.op_type === 'Conv')!;
    const pads = conv.attribute.find((a) => a.name === 'pads')!;
    expect(pads.ints).toEqual([1, 1, 1, 1]);
    const ct = g.node.filter((n) => n.op_type === 'ConvTranspose');
    expect(ct).toHaveLength(2);
    expect(g.node.map((n) => n.op_type)).toContain('AveragePool');
  });

  it('re-encodes the decoded message to the same bytes', () => {
    const again = onnxTypes.ModelProto.encode(onnxTypes.ModelProto.decode(bytes)).finish();
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  it('builder rejects dangling inputs and duplicate names', () => {
    const g = new OnnxGraphBuilder('g');
    g.addInput('x', DataType.FLOAT, ['N', 2]);
    expect(() => g.op('Relu', ['nope'])).toThrow(/not defined/);
    g.op('Relu', ['x'], {}, 'y');
    expect(() => g.op('Relu', ['x'], {}, 'y')).toThrow(/used twice/);
    expect(() => g.addOutput('z', DataType.FLOAT, ['N', 2])).toThrow(/not produced/);
    expect(() => g.addInitializer('w', [2, 2], new Float32Array(3))).toThrow(/3 values/);
  });
});

describe('OnnxVaeScorer', () => {
  it('loads from bytes and from a path, and reports the model geometry', async () => {
    const file = join(dir, 'model.onnx');
    writeFileSync(file, bytes);
    for (const src of [bytes, file]) {
      const s = await OnnxVaeScorer.create(src, { threads: 1 });
      expect([s.inputSize, s.channels, s.latentDim, s.patchGrid, s.frameBytes]).toEqual([16, 3, 3, 2, 768]);
      const r = await s.run(randomFrames(CFG, 2, 1), 2);
      expect(r.kl).toHaveLength(2);
      expect(r.patchErr).toHaveLength(2 * 2 * 2);
      expect(r.mu).toHaveLength(2 * 3);
      await s.dispose();
      await s.dispose();
      await expect(s.run(randomFrames(CFG, 1, 1), 1)).rejects.toThrow(/after dispose/);
    }
  });

  it('accepts a Buffer and a subarray view of frame bytes', async () => {
    const s = await OnnxVaeScorer.create(bytes);
    const frames = randomFrames(CFG, 3, 2);
    const a = await s.run(frames, 3);
    const b = await s.run(Buffer.from(frames), 3);
    const big = new Uint8Array(frames.length + 100);
    big.set(frames, 37);
    const c = await s.run(big.subarray(37, 37 + frames.length), 3);
    expect(Array.from(b.nll)).toEqual(Array.from(a.nll));
    expect(Array.from(c.nll)).toEqual(Array.from(a.nll));
    await s.dispose();
  });

  it('rejects bytes that are not an ONNX model with InvalidModelError', async () => {
    const junk = [
      new TextEncoder().encode('this is not an ONNX model, just some text\n'),
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24),
      new Uint8Array([0xff, 0xff, 0xff, 0xff]),
      new Uint8Array(0),
      bytes.subarray(0, bytes.length >> 1), // truncated model
    ];
    for (const b of junk) {
      const err = await OnnxVaeScorer.create(b).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, `${b.length} bytes`).toBeInstanceOf(InvalidModelError);
      expect((err as Error).name).toBe('InvalidModelError');
      expect((err as Error).message).toMatch(/is not a valid ONNX model/);
    }
    const file = join(dir, 'notes.onnx');
    writeFileSync(file, 'hello\n');
    await expect(OnnxVaeScorer.create(file)).rejects.toMatchObject({ name: 'InvalidModelError', message: expect.stringContaining(`"${file}" is not a valid ONNX model`) });
  });

  it('passes file-system errors through', async () => {
    await expect(OnnxVaeScorer.create(join(dir, 'missing.onnx'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects a valid ONNX model that is not a scorer', async () => {
    const g = new OnnxGraphBuilder('identity');
    g.addInput('x', DataType.FLOAT, ['N', 4]);
    g.op('Identity', ['x'], {}, 'y');
    g.addOutput('y', DataType.FLOAT, ['N', 4]);
    await expect(OnnxVaeScorer.create(g.toBytes())).rejects.toMatchObject({ name: 'InvalidModelError', message: expect.stringMatching(/is an ONNX model but not a LatentWatch VAE scorer/) });
  });

  it('checks the frame buffer before ONNX Runtime sees it', async () => {
    const s = await OnnxVaeScorer.create(bytes);
    const frames = randomFrames(CFG, 2, 3);
    await expect(s.run(frames, 3)).rejects.toThrow(/frames has 1536 bytes; 3 frame\(s\) of 16x16x3 uint8 need 2304 \(768 per frame\)/);
    await expect(s.run(frames.subarray(1), 2)).rejects.toThrow(RangeError);
    await expect(s.run(frames, 0)).rejects.toThrow(/count must be a positive integer/);
    await expect(s.run(new Float32Array(1536) as unknown as Uint8Array, 2)).rejects.toThrow(/Uint8Array/);
    await s.dispose();
  });
});
