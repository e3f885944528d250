/**
 * The fast wasm convolution kernels against the cpu backend: forward outputs and gradients with
 * respect to input and filter, on the VAE's shapes and on padding/stride variants.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeLogits, encode, initWeights, type VaeConfig } from '../vae/spec.js';
import { selectBackend } from './index.js';
import { compare, runOn, seeded } from '../../../../test/ml/backend-compare.js';
import { conv2dIm2col, fastConv2DConfig, fastWasmKernelsEnabled, setBackpropInputMode, setFastWasmKernels, wasmConvKernelStatus } from './wasm-kernels/index.js';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
type S4 = [number, number, number, number];

interface ConvCase {
  name: string;
  x: S4;
  w: S4;
  strides: number | [number, number];
  pad: Pad;
}

interface TransposeCase {
  name: string;
  /** conv2dTranspose input [N, h, w, inDepth] */
  x: S4;
  /** [kH, kW, outDepth, inDepth] */
  w: S4;
  out: S4;
  strides: number;
  pad: 'same' | 'valid';
}

const CONV_CASES: ConvCase[] = [
  { name: 'VAE enc0 [4,64,64,3] -> 32, 4x4 s2 same', x: [4, 64, 64, 3], w: [4, 4, 3, 32], strides: 2, pad: 'same' },
  { name: 'VAE enc1 [1,32,32,32] -> 64', x: [1, 32, 32, 32], w: [4, 4, 32, 64], strides: 2, pad: 'same' },
  { name: 'VAE enc3 [4,8,8,64] -> 128', x: [4, 8, 8, 64], w: [4, 4, 64, 128], strides: 2, pad: 'same' },
  { name: '4x4 s2 valid, odd sizes', x: [3, 9, 7, 4], w: [4, 4, 4, 5], strides: 2, pad: 'valid' },
  { name: '3x3 s1 same', x: [2, 7, 9, 3], w: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { name: '2x2 s1 valid', x: [2, 6, 5, 2], w: [2, 2, 2, 3], strides: 1, pad: 'valid' },
  { name: 'explicit asymmetric pads', x: [2, 8, 8, 3], w: [4, 4, 3, 6], strides: 2, pad: [[0, 0], [1, 2], [2, 1], [0, 0]] },
  { name: 'strides [2,1] same', x: [2, 10, 8, 3], w: [3, 3, 3, 4], strides: [2, 1], pad: 'same' },
  { name: '1x1 s1', x: [2, 5, 5, 6], w: [1, 1, 6, 4], strides: 1, pad: 'valid' },
];

const TRANSPOSE_CASES: TransposeCase[] = [
  { name: 'VAE dec3 [4,32,32,32] -> [4,64,64,3]', x: [4, 32, 32, 32], w: [4, 4, 3, 32], out: [4, 64, 64, 3], strides: 2, pad: 'same' },
  { name: 'VAE dec0 [4,4,4,128] -> [4,8,8,64]', x: [4, 4, 4, 128], w: [4, 4, 64, 128], out: [4, 8, 8, 64], strides: 2, pad: 'same' },
  { name: 'VAE dec1 [1,8,8,64] -> [1,16,16,64]', x: [1, 8, 8, 64], w: [4, 4, 64, 64], out: [1, 16, 16, 64], strides: 2, pad: 'same' },
  { name: '4x4 s2 valid [2,3,3,4] -> [2,8,8,2]', x: [2, 3, 3, 4], w: [4, 4, 2, 4], out: [2, 8, 8, 2], strides: 2, pad: 'valid' },
  { name: '3x3 s1 same [2,6,7,5] -> [2,6,7,3]', x: [2, 6, 7, 5], w: [3, 3, 3, 5], out: [2, 6, 7, 3], strides: 1, pad: 'same' },
];

/** y and the gradients of sum(y * r) with respect to x and w (r fixed, so dy = r is arbitrary). */
function convAndGrads(c: ConvCase): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(seeded(c.x, 1), c.x);
    const w = tf.tensor4d(seeded(c.w, 2), c.w);
    const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, c.strides, c.pad);
    const y = conv(x, w);
    const r = tf.tensor(seeded(y.shape, 3), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w]);
    return [y, dx!, dw!];
  };
}

function transposeAndGrads(c: TransposeCase): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(seeded(c.x, 4), c.x);
    const w = tf.tensor4d(seeded(c.w, 5), c.w);
    const convT = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2dTranspose(a, b, c.out, c.strides, c.pad);
    const y = convT(x, w);
    const r = tf.tensor(seeded(y.shape, 6), y.shape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(convT(a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w]);
    return [y, dx!, dw!];
  };
}

const LABELS = ['forward', 'grad wrt input', 'grad wrt filter'];

function expectClose(got: Float32Array[], want: Float32Array[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const d = compare(g, want[i]!);
    // Every output must be non-trivial, or the comparison proves nothing.
    expect(d.maxRef, `${LABELS[i]} is all zeros`).toBeGreaterThan(1e-3);
    expect(d.worst, `${LABELS[i]}: max |diff| ${d.maxAbs.toExponential(2)} (ref max ${d.maxRef.toFixed(2)}) at ${d.index}`).toBeLessThanOrEqual(1);
  });
}

beforeAll(async () => {
  await selectBackend('cpu'); // initialises cpu quietly (no tfjs-node banner)
  const info = await selectBackend('wasm');
  expect(info.fastKernels).toBe(true);
});

beforeEach(() => {
  setFastWasmKernels(true);
  setBackpropInputMode('auto');
});

describe('fast wasm conv kernels are registered', () => {
  it('replaces Conv2DBackpropFilter (missing in stock) and Conv2DBackpropInput, keeps stock Conv2D', () => {
    expect(wasmConvKernelStatus()).toEqual({ Conv2D: 'stock', Conv2DBackpropFilter: 'fast', Conv2DBackpropInput: 'fast' });
    expect(fastWasmKernelsEnabled()).toBe(true);
  });
});

describe('conv2d on wasm (fast kernels) matches cpu', () => {
  for (const c of CONV_CASES) {
    it(c.name, async () => {
      const want = await runOn('cpu', convAndGrads(c));
      const got = await runOn('wasm', convAndGrads(c));
      expectClose(got, want);
    });
  }
});

describe('conv2dTranspose on wasm (fast kernels) matches cpu', () => {
  for (const c of TRANSPOSE_CASES) {
    it(c.name, async () => {
      const want = await runOn('cpu', transposeAndGrads(c));
      const got = await runOn('wasm', transposeAndGrads(c));
      expectClose(got, want);
    });
  }
});

describe('both Conv2DBackpropInput strategies (sub-pixel phases, dy @ W^T + col2im) match cpu', () => {
  const cases: ConvCase[] = [
    { name: '4x4 s2 same [2,16,16,8] -> 16', x: [2, 16, 16, 8], w: [4, 4, 8, 16], strides: 2, pad: 'same' },
    { name: '4x4 s2 same, 3 input channels', x: [2, 16, 16, 3], w: [4, 4, 3, 8], strides: 2, pad: 'same' },
    CONV_CASES[3]!,
    CONV_CASES[4]!,
    CONV_CASES[6]!,
    CONV_CASES[7]!,
    CONV_CASES[8]!,
    { name: '1x1 s2 (stride > kernel: phases fall back)', x: [2, 6, 6, 3], w: [1, 1, 3, 4], strides: 2, pad: 'valid' },
    { name: 'pads larger than the kernel (phases fall back)', x: [2, 5, 5, 3], w: [2, 2, 3, 4], strides: 1, pad: [[0, 0], [3, 2], [2, 3], [0, 0]] },
  ];
  for (const mode of ['phases', 'col2im'] as const) {
    for (const c of cases) {
      it(`${mode}: ${c.name}`, async () => {
        const want = await runOn('cpu', convAndGrads(c));
        setBackpropInputMode(mode);
        const got = await runOn('wasm', convAndGrads(c));
        expectClose(got, want);
      });
    }
  }
  it('phases: VAE-like conv2dTranspose with 3 output channels', async () => {
    const c: TransposeCase = { name: '', x: [2, 16, 16, 8], w: [4, 4, 3, 8], out: [2, 32, 32, 3], strides: 2, pad: 'same' };
    const want = await runOn('cpu', transposeAndGrads(c));
    setBackpropInputMode('phases');
    expectClose(await runOn('wasm', transposeAndGrads(c)), want);
  });
});

describe('im2col Conv2D (not registered by default) matches cpu when switched on', () => {
  const small: ConvCase = { name: '4x4 s2 same [2,32,32,3] -> 8', x: [2, 32, 32, 3], w: [4, 4, 3, 8], strides: 2, pad: 'same' };
  for (const c of [small, CONV_CASES[3]!, CONV_CASES[6]!, CONV_CASES[8]!]) {
    it(c.name, async () => {
      const want = await runOn('cpu', convAndGrads(c));
      setFastWasmKernels(true, { conv2d: true });
      expect(wasmConvKernelStatus().Conv2D).toBe('fast');
      const got = await runOn('wasm', convAndGrads(c));
      setFastWasmKernels(true);
      expect(wasmConvKernelStatus().Conv2D).toBe('stock');
      expectClose(got, want);
    });
  }
});

describe('the whole VAE (spec.ts) on wasm matches cpu', () => {
  const config: VaeConfig = { inputSize: 32, channels: 3, filters: [8, 16, 16, 32], latentDim: 4, likelihood: 'gaussian-learned', fixedLogVar: 0 };
  it('loss and every weight gradient', async () => {
    await tf.setBackend('cpu');
    const init = initWeights(config, 7);
    const names = Object.keys(init);
    const values = names.map((n) => init[n]!.dataSync().slice() as Float32Array);
    const shapes = names.map((n) => init[n]!.shape);
    tf.dispose(Object.values(init));
    const step = () => {
      const ws = names.map((_, i) => tf.tensor(values[i]!, shapes[i]!));
      const x = tf.tensor4d(seeded([3, 32, 32, 3], 11).map((v) => (v + 1) / 2), [3, 32, 32, 3]);
      const f = (...args: tf.Tensor[]) => {
        const w = Object.fromEntries(names.map((n, i) => [n, args[i]!]));
        const { mu, logvar } = encode(config, w, x);
        const logits = decodeLogits(config, w, mu);
        const rec = tf.mean(tf.square(tf.sub(tf.sigmoid(logits), x)));
        return tf.addN([rec, tf.mul(0.01, tf.mean(tf.square(logvar))), tf.mul(0.01, tf.sum(w['dec.logvar']!))]);
      };
      const { value, grads } = tf.valueAndGrads(f)(ws);
      return [value, ...grads];
    };
    const want = await runOn('cpu', step);
    const got = await runOn('wasm', step);
    expect(got.length).toBe(names.length + 1);
    got.forEach((g, i) => {
      const d = compare(g, want[i]!, 1e-3, 1e-3);
      expect(d.worst, `${i === 0 ? 'loss' : names[i - 1]}: max |diff| ${d.maxAbs.toExponential(2)} ref max ${d.maxRef.toExponential(2)}`).toBeLessThanOrEqual(1);
    });
    // The conv kernels' gradients must be non-zero somewhere, or the comparison is vacuous.
    const k0 = names.indexOf('enc.conv0.kernel') + 1;
    expect(Math.max(...Array.from(got[k0]!, Math.abs))).toBeGreaterThan(0);
  });
});

describe('stock vs fast switching', () => {
  it('without fast kernels the filter gradient fails on wasm, and comes back when re-enabled', async () => {
    const c = CONV_CASES[3]!;
    setFastWasmKernels(false);
    expect(wasmConvKernelStatus()).toEqual({ Conv2D: 'stock', Conv2DBackpropFilter: 'missing', Conv2DBackpropInput: 'stock' });
    await expect(runOn('wasm', convAndGrads(c))).rejects.toThrow(/Conv2DBackpropFilter/);
    setFastWasmKernels(true);
    const want = await runOn('cpu', convAndGrads(c));
    expectClose(await runOn('wasm', convAndGrads(c)), want);
  });

  it('the stock Conv2DBackpropInput still works after switching back (its setup ran)', async () => {
    const c = TRANSPOSE_CASES[3]!;
    const fwd = () => [tf.conv2dTranspose(tf.tensor4d(seeded(c.x, 4), c.x), tf.tensor4d(seeded(c.w, 5), c.w), c.out, c.strides, c.pad)];
    const want = await runOn('cpu', fwd);
    setFastWasmKernels(false);
    const stock = await runOn('wasm', fwd);
    setFastWasmKernels(true);
    const fast = await runOn('wasm', fwd);
    expect(compare(stock[0]!, want[0]!).worst).toBeLessThanOrEqual(1);
    expect(compare(fast[0]!, want[0]!).worst).toBeLessThanOrEqual(1);
  });

  it('frees its temporaries (no wasm heap tensors left behind)', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    await runOn('wasm', convAndGrads(CONV_CASES[1]!));
    await runOn('wasm', transposeAndGrads(TRANSPOSE_CASES[2]!));
    expect(backend.numDataIds()).toBe(before);
  });
});

describe('unsupported attributes throw clear errors', () => {
  const run = (kernel: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) => () =>
    tf.tidy(() => tf.engine().runKernel(kernel, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap));

  it('NCHW', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 2, 2, 3]);
    const w = tf.zeros([2, 2, 2, 3]);
    expect(run('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'valid', dataFormat: 'NCHW', filterShape: [2, 2, 2, 3] })).toThrow(/dataFormat 'NCHW' is not supported/);
    expect(run('Conv2DBackpropInput', { dy, filter: w }, { strides: 2, pad: 'valid', dataFormat: 'NCHW', inputShape: [1, 4, 4, 2] })).toThrow(/dataFormat 'NCHW' is not supported/);
    tf.dispose([x, dy, w]);
  });

  it('dilations other than 1 (im2col Conv2D)', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 6, 6, 2]);
    const w = tf.zeros([2, 2, 2, 3]);
    const call = () =>
      conv2dIm2col({ inputs: { x, filter: w }, backend: tf.backend(), attrs: { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 2 } });
    expect(call).toThrow(/dilations 2 are not supported/);
    expect(fastConv2DConfig.kernelName).toBe('Conv2D');
    tf.dispose([x, w]);
  });

  it('a dy of the wrong shape, and int32 inputs', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 4, 4, 2]);
    const badDy = tf.zeros([1, 3, 3, 3]);
    const xi = tf.zeros([1, 4, 4, 2], 'int32');
    const dy = tf.zeros([1, 2, 2, 3]);
    expect(run('Conv2DBackpropFilter', { x, dy: badDy }, { strides: 2, pad: 'valid', dataFormat: 'NHWC', filterShape: [2, 2, 2, 3] })).toThrow(/dy has shape \[1, 3, 3, 3\], expected \[1, 2, 2, 3\]/);
    expect(run('Conv2DBackpropFilter', { x: xi, dy }, { strides: 2, pad: 'valid', dataFormat: 'NHWC', filterShape: [2, 2, 2, 3] })).toThrow(/only float32/);
    tf.dispose([x, badDy, xi, dy]);
  });
});
