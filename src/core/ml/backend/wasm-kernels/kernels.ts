/**
 * Fast convolution kernels for tfjs-backend-wasm: im2col / col2im in JS on the wasm heap, and the
 * matrix product in the backend's own BatchMatMul kernel, whose untransposed unbatched case runs
 * XNNPACK's fully-connected operator (SIMD). Everything stays in the wasm heap; nothing is copied
 * out to JS arrays.
 *
 *   Conv2D               y[M, outC]  = col(x)[M, K] @ W[K, outC]
 *   Conv2DBackpropFilter dW[K, outC] = colT(x)[K, M] @ dy[M, outC]
 *   Conv2DBackpropInput  dx          = stride^2 stride-1 Conv2Ds (XNNPACK) on dy, interleaved;
 *                                      or col2im(dy[M, outC] @ W^T[outC, K]) where that is faster
 *
 * with M = N*outH*outW and K = kH*kW*inC. NHWC only, dilation 1, float32.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { col2im, colDims, im2col, im2colT, transpose2d, type ConvGeom } from './im2col.js';

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

const PREFIX = 'LatentWatch fast wasm';

function fail(kernel: string, msg: string): never {
  throw new Error(`${PREFIX} ${kernel}: ${msg}`);
}

function input(kernel: string, args: KernelArgs, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (!t) fail(kernel, `missing input '${name}'`);
  if (t.dtype !== 'float32') fail(kernel, `input '${name}' has dtype ${t.dtype}; only float32 is supported`);
  if (t.shape.length !== 4) fail(kernel, `input '${name}' must be rank 4 (NHWC), got shape [${t.shape.join(', ')}]`);
  return t;
}

function checkFormat(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC')
    fail(kernel, `dataFormat '${String(dataFormat)}' is not supported; only 'NHWC' (channels last) is`);
}

function checkDilations(kernel: string, dilations: unknown): void {
  if (dilations === undefined || dilations === null) return;
  const d = typeof dilations === 'number' ? [dilations, dilations] : (dilations as number[]);
  if (!Array.isArray(d) || d.some((v) => v !== 1))
    fail(kernel, `dilations ${JSON.stringify(dilations)} are not supported; only 1`);
}

function geom(info: Conv2DInfo): ConvGeom {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function convInfo(kernel: string, xShape: Shape4, filterShape: Shape4, attrs: tf.NamedAttrMap): Conv2DInfo {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs['strides'] as number | [number, number],
    1,
    attrs['pad'] as Pad,
    attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) fail(kernel, 'only dilation 1 is supported');
  return info;
}

// ---------------------------------------------------------------- wasm heap helpers

function asWasm(kernel: string, backend: unknown): BackendWasm {
  const b = backend as Partial<BackendWasm> | null;
  if (!b || typeof b.makeOutput !== 'function' || !b.wasm || !b.dataIdMap)
    fail(kernel, 'this kernel only runs on the wasm backend');
  return b as BackendWasm;
}

/** A Float32Array view on a tensor's bytes in the wasm heap. Make it after the last allocation. */
function view(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

function alloc(backend: BackendWasm, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

function free(backend: BackendWasm, ...ts: tf.TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/** The same bytes under another shape (sizes must match); shares the dataId, so one free suffices. */
function reshaped(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/**
 * A second, temporary tensor id for t's bytes (no copy). tfjs-wasm's BatchMatMul caches an XNNPACK
 * operator, with a packed copy of `b`, per b tensor id, and its cache key ignores the shape: keyed on
 * a caller's tensor it would keep that copy alive as long as the tensor, and could be reused for the
 * same tensor reshaped differently. Keyed on an alias, it is dropped by releaseAlias.
 */
function alias(backend: BackendWasm, t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  const { memoryOffset } = backend.dataIdMap.get(t.dataId)!;
  return backend.makeOutput(shape, 'float32', memoryOffset);
}

/** Unregisters an alias (runs its disposal callbacks, which delete cached operators) without freeing the bytes. */
function releaseAlias(backend: BackendWasm, a: tf.TensorInfo): void {
  const data = backend.dataIdMap.get(a.dataId);
  if (!data) return;
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(a.dataId);
}

let batchMatMulKernel: tf.KernelConfig | undefined;

/** a[M, K] @ b[K, N] -> new [M, N] tensor, through the wasm backend's BatchMatMul kernel (XNNPACK). */
function matMul(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number): tf.TensorInfo {
  batchMatMulKernel ??= tf.getKernel('BatchMatMul', 'wasm');
  if (!batchMatMulKernel) throw new Error(`${PREFIX}: the wasm backend has no BatchMatMul kernel`);
  const bAlias = alias(backend, b, [1, k, n]);
  try {
    const out = batchMatMulKernel.kernelFunc({
      inputs: { a: reshaped(a, [1, m, k]), b: bAlias },
      backend: backend as unknown as tf.KernelBackend,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
    return reshaped(out, [m, n]);
  } finally {
    releaseAlias(backend, bAlias);
  }
}

// ---------------------------------------------------------------- kernels

/** Forward convolution by im2col + XNNPACK matmul. */
export function conv2dIm2col(args: KernelArgs): tf.TensorInfo {
  const K_ = 'Conv2D';
  const attrs = args.attrs ?? {};
  checkFormat(K_, attrs['dataFormat']);
  checkDilations(K_, attrs['dilations']);
  const backend = asWasm(K_, args.backend);
  const x = input(K_, args, 'x');
  const filter = input(K_, args, 'filter');
  const info = convInfo(K_, x.shape as Shape4, filter.shape as Shape4, attrs);
  const g = geom(info);
  const { m, k } = colDims(g);
  if (m === 0 || g.outC === 0) return alloc(backend, info.outShape);
  // 1x1, stride 1, no padding: x already is the column matrix.
  if (g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0 && g.outH === g.inH && g.outW === g.inW) {
    return reshaped(matMul(backend, x, filter, m, k, g.outC), info.outShape);
  }
  const col = alloc(backend, [m, k]);
  im2col(view(backend, x), view(backend, col), g);
  const y = matMul(backend, col, filter, m, k, g.outC);
  free(backend, col);
  return reshaped(y, info.outShape);
}

/**
 * Gradient of conv2d with respect to its filter: dW[K, outC] = colT(x)[K, M] @ dy[M, outC].
 * The big column matrix is the left operand on purpose: XNNPACK packs the right-hand operand on
 * every call, and packing a [M, K] right-hand matrix measured slower than the product itself.
 */
export function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const K_ = 'Conv2DBackpropFilter';
  const attrs = args.attrs ?? {};
  checkFormat(K_, attrs['dataFormat']);
  const backend = asWasm(K_, args.backend);
  const x = input(K_, args, 'x');
  const dy = input(K_, args, 'dy');
  const filterShape = attrs['filterShape'] as number[] | undefined;
  if (!filterShape || filterShape.length !== 4) fail(K_, 'attribute filterShape must be [kH, kW, inC, outC]');
  const info = convInfo(K_, x.shape as Shape4, filterShape as Shape4, attrs);
  const g = geom(info);
  const expected = [g.batch, g.outH, g.outW, g.outC];
  if (dy.shape.some((d, i) => d !== expected[i]))
    fail(K_, `dy has shape [${dy.shape.join(', ')}], expected [${expected.join(', ')}] for x [${x.shape.join(', ')}]`);
  const { m, k } = colDims(g);
  if (m === 0 || k === 0 || g.outC === 0) {
    const z = alloc(backend, filterShape);
    view(backend, z).fill(0);
    return z;
  }
  const colT = alloc(backend, [k, m]);
  im2colT(view(backend, x), view(backend, colT), g);
  const dW = matMul(backend, colT, dy, k, m, g.outC);
  free(backend, colT);
  return reshaped(dW, filterShape);
}

/** One output phase of a strided transposed convolution along one axis (see phasePlan). */
interface Phase {
  /** Residue: this phase holds the input rows ih with (ih + padBefore) % stride == b. */
  b: number;
  /** First ih of the phase is a0*stride + b - padBefore; the phase has T rows. */
  a0: number;
  T: number;
  /** Filter taps kh = b + stride*j, j < J. */
  J: number;
  /** Padding of dy for the stride-1 correlation that computes this phase. */
  padLo: number;
  padHi: number;
}

/**
 * Splits dx = conv2d-input-gradient along one axis into `stride` phases. For residue b,
 *   dx[(a0+t)*s + b - p] = sum_{j<J} dy[a0 + t - j] * W[b + s*j]^T
 * which is a stride-1 correlation of dy (padded by J-1-a0 before and a0+T-outSize after) with the
 * reversed taps. Returns null when a phase would need negative padding (cropping) or has rows but
 * no taps (stride > kernel): the matmul + col2im path handles those.
 */
function phasePlan(inSize: number, outSize: number, k: number, s: number, p: number): Phase[] | null {
  const phases: Phase[] = [];
  for (let b = 0; b < s; b++) {
    const a0 = Math.ceil((p - b) / s);
    const a1 = Math.floor((inSize - 1 + p - b) / s);
    const T = Math.max(0, a1 - a0 + 1);
    if (T === 0) continue;
    const J = b < k ? Math.ceil((k - b) / s) : 0;
    const padLo = J - 1 - a0;
    const padHi = a0 + T - outSize;
    if (J === 0 || padLo < 0 || padHi < 0) return null;
    phases.push({ b, a0, T, J, padLo, padHi });
  }
  return phases;
}

/**
 * dx by sub-pixel decomposition: one stride-1 Conv2D (the registered wasm Conv2D: XNNPACK) per
 * output phase (stride^2 of them) with a small reversed, transposed slice of the filter, then the
 * phases are interleaved into dx. Same multiply count as dy @ W^T, but no col2im scatter-add.
 */
function backpropInputByPhases(backend: BackendWasm, dy: tf.TensorInfo, filter: tf.TensorInfo, g: ConvGeom, dx: tf.TensorInfo, ph: Phase[], pw: Phase[]): void {
  const conv = tf.getKernel('Conv2D', 'wasm');
  if (!conv) throw new Error(`${PREFIX}: the wasm backend has no Conv2D kernel`);
  const { inC, outC, kW, strideH, strideW, padTop, padLeft } = g;
  const single = ph.length === 1 && pw.length === 1 && ph[0]!.T === g.inH && pw[0]!.T === g.inW;
  for (const a of ph) {
    for (const c of pw) {
      const fShape = [a.J, c.J, outC, inC];
      const f = alloc(backend, fShape);
      {
        const w = view(backend, filter); // [kH, kW, inC, outC]
        const fv = view(backend, f); // [J_h, J_w, outC, inC]
        let o = 0;
        for (let uh = 0; uh < a.J; uh++) {
          const kh = a.b + strideH * (a.J - 1 - uh);
          for (let uw = 0; uw < c.J; uw++) {
            const kw = c.b + strideW * (c.J - 1 - uw);
            const wBase = (kh * kW + kw) * inC * outC;
            for (let co = 0; co < outC; co++) for (let ci = 0; ci < inC; ci++) fv[o++] = w[wBase + ci * outC + co]!;
          }
        }
      }
      const out = conv.kernelFunc({
        inputs: { x: dy, filter: f },
        backend: backend as unknown as tf.KernelBackend,
        attrs: {
          strides: 1,
          pad: [[0, 0], [a.padLo, a.padHi], [c.padLo, c.padHi], [0, 0]],
          dataFormat: 'NHWC',
          dilations: 1,
        },
      }) as tf.TensorInfo;
      free(backend, f);
      if (single) {
        // stride 1: the one phase is dx itself.
        const src = view(backend, out);
        view(backend, dx).set(src);
        free(backend, out);
        continue;
      }
      const src = view(backend, out); // [N, a.T, c.T, inC]
      const dst = view(backend, dx);
      let sOff = 0;
      for (let n = 0; n < g.batch; n++) {
        for (let th = 0; th < a.T; th++) {
          const ih = (a.a0 + th) * strideH + a.b - padTop;
          let dOff = ((n * g.inH + ih) * g.inW + (c.a0 * strideW + c.b - padLeft)) * inC;
          const dStep = strideW * inC;
          if (inC >= 16) {
            for (let tw = 0; tw < c.T; tw++, sOff += inC, dOff += dStep) dst.set(src.subarray(sOff, sOff + inC), dOff);
          } else {
            for (let tw = 0; tw < c.T; tw++, dOff += dStep) for (let ci = 0; ci < inC; ci++) dst[dOff + ci] = src[sOff++]!;
          }
        }
      }
      free(backend, out);
    }
  }
}

/**
 * Gradient of conv2d with respect to its input, which is also conv2dTranspose's forward pass.
 * Strided cases whose phases need no cropping (all of the VAE's) go through backpropInputByPhases;
 * the rest compute cols = dy @ W^T and col2im.
 */
export function conv2dBackpropInput(args: KernelArgs): tf.TensorInfo {
  const K_ = 'Conv2DBackpropInput';
  const attrs = args.attrs ?? {};
  checkFormat(K_, attrs['dataFormat']);
  const backend = asWasm(K_, args.backend);
  const dy = input(K_, args, 'dy');
  const filter = input(K_, args, 'filter');
  const inputShape = attrs['inputShape'] as number[] | undefined;
  if (!inputShape || inputShape.length !== 4) fail(K_, 'attribute inputShape must be [N, H, W, C]');
  const info = convInfo(K_, inputShape as Shape4, filter.shape as Shape4, attrs);
  const g = geom(info);
  const expected = [g.batch, g.outH, g.outW, g.outC];
  if (dy.shape.some((d, i) => d !== expected[i]))
    fail(K_, `dy has shape [${dy.shape.join(', ')}], expected [${expected.join(', ')}] for input shape [${inputShape.join(', ')}]`);
  const { m, k } = colDims(g);
  const dx = alloc(backend, inputShape);
  if (m === 0 || g.outC === 0 || k === 0) {
    view(backend, dx).fill(0);
    return dx;
  }
  const ph = backpropInputMode === 'col2im' ? null : phasePlan(g.inH, g.outH, g.kH, g.strideH, g.padTop);
  const pw = backpropInputMode === 'col2im' ? null : phasePlan(g.inW, g.outW, g.kW, g.strideW, g.padLeft);
  if (ph && pw && (backpropInputMode === 'phases' || g.inC >= PHASES_MIN_CHANNELS)) {
    backpropInputByPhases(backend, dy, filter, g, dx, ph, pw);
    return dx;
  }
  const wT = alloc(backend, [g.outC, k]);
  transpose2d(view(backend, filter), view(backend, wT), k, g.outC);
  const cols = matMul(backend, dy, wT, m, g.outC, k);
  free(backend, wT);
  col2im(view(backend, cols), view(backend, dx), g);
  free(backend, cols);
  return dx;
}

/**
 * Below this many input channels the phase convolutions have too few output channels for
 * XNNPACK's GEMM tiles, and dy @ W^T + col2im is faster (measured on the VAE's last layer, C=3).
 */
const PHASES_MIN_CHANNELS = 8;

export type BackpropInputMode = 'auto' | 'phases' | 'col2im';
let backpropInputMode: BackpropInputMode = 'auto';

/** Forces one Conv2DBackpropInput strategy (tests and benchmarks); 'auto' picks per shape. */
export function setBackpropInputMode(mode: BackpropInputMode): void {
  backpropInputMode = mode;
}

export const fastConv2DConfig: tf.KernelConfig = {
  kernelName: 'Conv2D',
  backendName: 'wasm',
  kernelFunc: conv2dIm2col as unknown as tf.KernelFunc,
};

export const fastConv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};

export const fastConv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
};
