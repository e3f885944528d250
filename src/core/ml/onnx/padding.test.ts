/**
 * The padding rules of export-vae.ts on single ONNX Conv / ConvTranspose nodes against tf.conv2d /
 * tf.conv2dTranspose with 'same', including odd sizes and kernels where TF's split is asymmetric
 * or ONNX needs output_padding (the VAE itself only uses 4×4 stride 2 on even sizes: pads 1/1).
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { permute4, samePads, transposeSamePads } from './export-vae.js';
import { attr, DataType, OnnxGraphBuilder } from './proto.js';
import { worst } from '../../../../test/ml/onnx-reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs one NCHW node on an NHWC tfjs tensor, returns the NHWC result. */
async function runNode(
  op: 'Conv' | 'ConvTranspose',
  x: tf.Tensor4D,
  kernel: { data: Float32Array; shape: number[] },
  outC: number,
  attrs: Parameters<OnnxGraphBuilder['op']>[2],
): Promise<Float32Array> {
  const [n, h, w, c] = x.shape;
  const g = new OnnxGraphBuilder('one');
  g.addInput('x', DataType.FLOAT, [n, c, h, w]);
  const k = g.addInitializer('k', kernel.shape, kernel.data);
  g.op(op, ['x', k], attrs, 'y');
  g.addOutput('y', DataType.FLOAT, ['N', outC, 'H', 'W']);
  const s = await ort.InferenceSession.create(g.toBytes());
  const xn = tf.transpose(x, [0, 3, 1, 2]);
  const out = await s.run({ x: new ort.Tensor('float32', xn.dataSync() as Float32Array, [n, c, h, w]) });
  const y = out.y!;
  const yt = tf.transpose(tf.tensor4d(y.data as Float32Array, y.dims as [number, number, number, number]), [0, 2, 3, 1]);
  const res = yt.dataSync() as Float32Array;
  tf.dispose([xn, yt]);
  await s.release();
  return res;
}

describe('ONNX Conv with TF "same" pads', () => {
  for (const [size, kernel] of [[64, 4], [5, 4], [7, 3], [6, 3], [9, 5]] as const) {
    it(`size ${size}, kernel ${kernel}, stride 2`, async () => {
      const x = tf.randomUniform([2, size, size, 3], -1, 1, 'float32', size) as tf.Tensor4D;
      const k = tf.randomUniform([kernel, kernel, 3, 5], -1, 1, 'float32', kernel) as tf.Tensor4D;
      const want = tf.conv2d(x, k, 2, 'same');
      const [b, e] = samePads(size, kernel, 2);
      const got = await runNode('Conv', x, permute4(k.dataSync() as Float32Array, k.shape, [3, 2, 0, 1]), 5, {
        kernel_shape: attr.ints([kernel, kernel]),
        strides: attr.ints([2, 2]),
        pads: attr.ints([b, b, e, e]),
      });
      expect(worst(got, want.dataSync(), 1e-5).ratio).toBeLessThanOrEqual(1);
      tf.dispose([x, k, want]);
    });
  }
});

describe('ONNX ConvTranspose with TF "same" pads and output_padding', () => {
  for (const [inSize, outSize, kernel] of [[4, 8, 4], [5, 9, 4], [4, 8, 3], [4, 8, 1], [3, 6, 5], [5, 10, 4]] as const) {
    it(`${inSize} -> ${outSize}, kernel ${kernel}, stride 2`, async () => {
      const x = tf.randomUniform([2, inSize, inSize, 6], -1, 1, 'float32', inSize) as tf.Tensor4D;
      // tfjs transposed-conv kernel: [kh, kw, out, in].
      const k = tf.randomUniform([kernel, kernel, 4, 6], -1, 1, 'float32', kernel + 1) as tf.Tensor4D;
      const want = tf.conv2dTranspose(x, k, [2, outSize, outSize, 4], 2, 'same');
      const { pads, outputPadding } = transposeSamePads(inSize, outSize, kernel, 2);
      const got = await runNode('ConvTranspose', x, permute4(k.dataSync() as Float32Array, k.shape, [3, 2, 0, 1]), 4, {
        kernel_shape: attr.ints([kernel, kernel]),
        strides: attr.ints([2, 2]),
        pads: attr.ints([pads[0], pads[0], pads[1], pads[1]]),
        output_padding: attr.ints([outputPadding, outputPadding]),
      });
      expect(got.length).toBe(want.size);
      expect(worst(got, want.dataSync(), 1e-5).ratio).toBeLessThanOrEqual(1);
      tf.dispose([x, k, want]);
    });
  }
});

describe('permute4', () => {
  it('moves HWIO to OIHW', () => {
    const shape = [2, 3, 4, 5];
    const a = Float32Array.from({ length: 120 }, (_, i) => i);
    const { data, shape: out } = permute4(a, shape, [3, 2, 0, 1]);
    expect(out).toEqual([5, 4, 2, 3]);
    // out[o, i, h, w] = a[h, w, i, o]
    for (const [h, w, i, o] of [[0, 0, 0, 0], [1, 2, 3, 4], [1, 0, 2, 3], [0, 2, 1, 0]] as const) {
      expect(data[((o * 4 + i) * 2 + h) * 3 + w]).toBe(a[((h * 3 + w) * 4 + i) * 5 + o]);
    }
  });
});
