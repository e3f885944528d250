import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportVqToOnnx } from '../onnx/export-vq.js';
import { decodeModel } from '../onnx/proto.js';
import { OnnxVaeScorer } from '../onnx/runtime.js';
import { randomFrames, rng } from '../../../../test/ml/onnx-reference.js';
import { initVqWeights, type VqConfig } from '../vq/vq-vae.js';
import { appendPixelCnnToOnnx, exportPixelCnnToOnnx } from './export-pixelcnn.js';
import { type PixelCnnConfig, pixelCnnWeightArrays, scoreCodes } from './pixelcnn.js';
import { packPixelCnnWeights, unpackPixelCnnWeights } from './pack.js';
import { OnnxPixelCnnScorer } from './runtime-pixelcnn.js';
import { randomCodes, randomPixelCnnWeights } from '../../../../test/ml/pixelcnn-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('PixelCNN prior in ONNX', () => {
  it('matches the tfjs graph: the NLL map per position (≤ 1e-4) and the total', async () => {
    for (const kernel of [3, 5]) {
      const c: PixelCnnConfig = { codes: 7, height: 4, width: 5, channels: 8, layers: 3, kernel, hidden: 12 };
      const w = randomPixelCnnWeights(c, 21 + kernel);
      const n = 9;
      const codes = randomCodes(c, n, 4);
      const ref = scoreCodes(c, w, codes, n);
      const arrays = pixelCnnWeightArrays(w);
      const bytes = exportPixelCnnToOnnx(c, arrays);
      // Stored weights come back bit for bit, with their config.
      const unpacked = unpackPixelCnnWeights(packPixelCnnWeights(c, arrays));
      expect(unpacked.config).toEqual(c);
      for (const [k, v] of Object.entries(arrays)) expect(Array.from(unpacked.weights[k]!)).toEqual(Array.from(v));
      tf.dispose(Object.values(w));
      // Masked kernels are plain Conv nodes: no custom op.
      const ops = new Set(decodeModel(bytes).graph.node.map((nd) => nd.op_type));
      expect([...ops].every((o) => ['Gather', 'Reshape', 'Transpose', 'Conv', 'Add', 'Split', 'Tanh', 'Sigmoid', 'Mul', 'Relu', 'LogSoftmax', 'GatherElements', 'Neg', 'ReduceSum'].includes(o))).toBe(true);
      const scorer = await OnnxPixelCnnScorer.create(bytes, { threads: 1 });
      try {
        expect(scorer.positions).toBe(20);
        const s = await scorer.run(codes, n);
        let worst = 0;
        for (let i = 0; i < ref.nllMap.length; i++) worst = Math.max(worst, Math.abs(s.nllMap[i]! - ref.nllMap[i]!));
        expect(worst).toBeLessThan(1e-4);
        for (let i = 0; i < n; i++) expect(Math.abs(s.codeNll[i]! - ref.codeNll[i]!)).toBeLessThan(1e-3);
        // int64 input as given by the VQ scorer works the same.
        const s64 = await scorer.run(BigInt64Array.from(codes, (v) => BigInt(v)), n);
        expect(Array.from(s64.codeNll)).toEqual(Array.from(s.codeNll));
        await expect(scorer.run(codes.subarray(1), n)).rejects.toThrow(RangeError);
      } finally {
        await scorer.dispose();
      }
    }
  });

  it('rides in the VQ-VAE scorer: one session gives every VQ output plus code_nll and code_nll_map of its own codes', async () => {
    const vq: VqConfig = { inputSize: 16, channels: 3, filters: [4, 8], codebookSize: 6, beta: 0.25 };
    const vw = initVqWeights(vq, 5);
    const varrays = Object.fromEntries(Object.entries(vw).map(([k, t]) => [k, (t.dataSync() as Float32Array).slice()]));
    tf.dispose(Object.values(vw));
    const r = rng(8);
    const codebook = Float32Array.from({ length: 6 * 8 }, () => r() - 0.5);
    const c: PixelCnnConfig = { codes: 6, height: 4, width: 4, channels: 8, layers: 2, kernel: 3, hidden: 8 };
    const pw = randomPixelCnnWeights(c, 2);
    const parrays = pixelCnnWeightArrays(pw);
    tf.dispose(Object.values(pw));
    const base = exportVqToOnnx(vq, varrays, codebook);
    const both = appendPixelCnnToOnnx(base, c, parrays);
    const n = 4;
    const frames = randomFrames({ inputSize: 16, channels: 3, filters: [4], latentDim: 1, likelihood: 'bernoulli', fixedLogVar: 0 }, n, 9);
    const session = await ort.InferenceSession.create(both, { logSeverityLevel: 3 });
    const vqScorer = await OnnxVaeScorer.create(both);
    const prior = await OnnxPixelCnnScorer.create(exportPixelCnnToOnnx(c, parrays));
    try {
      const out = await session.run({ frames: new ort.Tensor('uint8', frames, [n, 16, 16, 3]) });
      const codes = out['codes']!.data as BigInt64Array;
      const alone = await prior.run(codes, n);
      expect(Array.from(out['code_nll']!.data as Float32Array)).toEqual(Array.from(alone.codeNll));
      expect(out['code_nll_map']!.dims).toEqual([n, 4, 4]);
      // The VQ scorer's own outputs are untouched, and OnnxVaeScorer still loads the graph.
      const v = await vqScorer.run(frames, n);
      expect(Array.from(v.codes!)).toEqual(Array.from(codes, Number));
      expect(decodeModel(both).metadata_props.map((m) => m.key)).toEqual(expect.arrayContaining(['latentwatch.format', 'latentwatch.vq_config', 'latentwatch.pixelcnn_config']));
    } finally {
      await session.release();
      await vqScorer.dispose();
      await prior.dispose();
    }
  });
});
