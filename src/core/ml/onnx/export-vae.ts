/**
 * Writes the convolutional VAE of ../vae/spec.ts as an ONNX model whose outputs are the anomaly
 * scores, so scoring needs nothing but ONNX Runtime and the raw frame bytes.
 *
 * Layout: the graph takes uint8 NHWC frames (as decoded video gives them), converts to float in
 * 0..1, and runs the convolutions in ONNX's NCHW. Kernels are permuted at export time:
 *   conv          tfjs HWIO [kh, kw, in, out]        -> ONNX OIHW [out, in, kh, kw]    (perm 3,2,0,1)
 *   conv transpose tfjs [kh, kw, out, in]            -> ONNX [in, out, kh, kw]         (perm 3,2,0,1)
 * No spatial flip is needed: tf.conv2dTranspose is the gradient of conv2d (a correlation), i.e.
 * y[i·s + k − pad] += x[i]·w[k], which is exactly ONNX ConvTranspose (the parity test checks it).
 * The bottleneck is transposed back to NHWC before flattening so the dense layers see tfjs' order.
 *
 * Padding: TF 'same' is written as explicit pads split as TF splits them (begin = ⌊total/2⌋, the
 * odd pixel at the end). For a ConvTranspose the pads are those of the forward conv whose gradient
 * it is (input = the transposed conv's output), and output_padding makes up any difference to
 * TF's output size in·stride. For the 4×4 stride-2 layers here: pads 1/1 and output_padding 0.
 */
import type * as tf from '@tensorflow/tfjs';
import { bottleneck, COND_CLAMP, inputChannels, KERNEL, STRIDE, validateConfig, weightSpecs, type VaeConfig } from '../vae/spec.js';
import { attr, DataType, OnnxGraphBuilder, type ModelOptions } from './proto.js';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
/** Side of the square patches averaged into patch_err. */
export const PATCH_SIZE = 8;

export const ONNX_INPUT = 'frames';
/** Every output of the exported graph, in order. */
export const ONNX_OUTPUTS = ['mu', 'logvar', 'recon', 'err_map', 'patch_err', 'recon_mse', 'kl', 'nll', 'elbo', 'sharpness'] as const;
export type OnnxOutputName = (typeof ONNX_OUTPUTS)[number];
/** The per-frame scores (small); recon and err_map are the big per-pixel outputs. */
export const ONNX_SCORE_OUTPUTS = ['mu', 'logvar', 'patch_err', 'recon_mse', 'kl', 'nll', 'elbo', 'sharpness'] as const satisfies readonly OnnxOutputName[];

/** Metadata keys written into the model (ModelProto.metadata_props). */
export const META = {
  format: 'latentwatch.format',
  config: 'latentwatch.vae_config',
  patch: 'latentwatch.patch_size',
  /** Present on a masked graph: how many of the S·S pixels the baked-in ignore mask leaves out. */
  ignoredPixels: 'latentwatch.ignored_pixels',
} as const;
export const FORMAT_TAG = 'latentwatch-vae-scorer/1';

export interface ExportOptions {
  /** Extra metadata_props entries (e.g. a model id, the training run). */
  metadata?: Record<string, string>;
  producerVersion?: string;
  /** Opset to declare (default 17); only tested with 17. */
  opset?: number;
  /**
   * Bake an ignore mask into the graph (S·S bytes, 1 = ignored; see ScoreMask). Absent, or ignoring
   * no pixel: the graph is exactly the unmasked one, byte for byte.
   */
  ignoreMask?: Uint8Array;
}

/**
 * The constants a masked scoring graph needs, worked out once at export time from the ignore mask.
 * Every score is over observed pixels only and normalized by how many there are, so a masked
 * model's per-pixel scores are on the same scale as an unmasked one's:
 * - the encoder sees the frame with ignored pixels zeroed (as in training, losses.ts vaeTerms);
 * - err_map is 0 at ignored pixels (the heatmap shows nothing there);
 * - patch_err is the mean over the patch's observed pixels (0 for a fully ignored patch);
 * - recon_mse is the mean over observed pixels;
 * - nll (and so elbo) sums over observed pixels: −log p(x_obs | z = μ), the masked likelihood;
 * - sharpness averages |Laplacian| over interior pixels whose 3×3 cross lies wholly in observed pixels.
 * The reconstruction itself is left whole: the decoder fills the ignored pixels in.
 */
export interface ScoreMask {
  /** 1 observed, 0 ignored, [S·S]. */
  observed: Float32Array;
  /** Observed pixels. */
  count: number;
  /** Per patch: PATCH² / observed pixels in it (0 for a patch with none), [G·G]. */
  patchScale: Float32Array;
  /** Interior (S−2)² pixels whose Laplacian uses observed pixels only: 1, else 0. */
  interior: Float32Array;
  interiorCount: number;
}

/** The ScoreMask of an ignore mask (S·S bytes, 1 = ignored); null when it ignores nothing. */
export function scoreMask(ignore: Uint8Array | undefined, S: number): ScoreMask | null {
  if (!ignore) return null;
  if (ignore.length !== S * S) throw new RangeError(`an ignore mask for ${S}x${S} frames has ${S * S} values, not ${ignore.length}`);
  const observed = Float32Array.from(ignore, (v) => (v ? 0 : 1));
  let count = 0;
  for (const v of observed) count += v;
  if (count === S * S) return null;
  if (count === 0) throw new RangeError('the ignore mask covers every pixel: there is nothing left to score');
  const G = S / PATCH_SIZE;
  const patchScale = new Float32Array(G * G);
  for (let gy = 0; gy < G; gy++)
    for (let gx = 0; gx < G; gx++) {
      let n = 0;
      for (let y = 0; y < PATCH_SIZE; y++) for (let x = 0; x < PATCH_SIZE; x++) n += observed[(gy * PATCH_SIZE + y) * S + gx * PATCH_SIZE + x]!;
      patchScale[gy * G + gx] = n > 0 ? (PATCH_SIZE * PATCH_SIZE) / n : 0;
    }
  const interior = new Float32Array((S - 2) * (S - 2));
  let interiorCount = 0;
  const at = (y: number, x: number) => observed[y * S + x]!;
  for (let y = 1; y < S - 1; y++)
    for (let x = 1; x < S - 1; x++) {
      const ok = at(y, x) * at(y - 1, x) * at(y + 1, x) * at(y, x - 1) * at(y, x + 1);
      interior[(y - 1) * (S - 2) + (x - 1)] = ok;
      interiorCount += ok;
    }
  return { observed, count, patchScale, interior, interiorCount };
}

/** x (float NCHW) with the ignored pixels zeroed, for the encoder; `input` unchanged without a mask. */
export function addMaskedInputOps(g: OnnxGraphBuilder, S: number, input: string, mask: ScoreMask | null): string {
  if (!mask) return input;
  return g.op('Mul', [input, g.addInitializer('observed', [1, 1, S, S], mask.observed)], {}, 'x_observed');
}

/** Explicit [begin, end] pads of TF 'same' for one spatial axis of a conv with input size `size`. */
export function samePads(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

/**
 * ONNX ConvTranspose pads and output_padding reproducing tf.conv2dTranspose(x, k, outSize, stride,
 * 'same') along one axis. ONNX output = stride·(in − 1) + output_padding + kernel − begin − end.
 */
export function transposeSamePads(inSize: number, outSize: number, kernel: number, stride: number): { pads: [number, number]; outputPadding: number } {
  const pads = samePads(outSize, kernel, stride);
  if (Math.ceil(outSize / stride) !== inSize) throw new RangeError(`conv transpose ${inSize} -> ${outSize} is not a stride-${stride} 'same' layer`);
  const outputPadding = outSize - (stride * (inSize - 1) + kernel - pads[0] - pads[1]);
  if (outputPadding < 0 || outputPadding >= stride) throw new RangeError(`conv transpose ${inSize} -> ${outSize}: output_padding ${outputPadding} out of range`);
  return { pads, outputPadding };
}

/** Permutes a 4-D row-major array: out[i_p0, i_p1, i_p2, i_p3] = a[i0, i1, i2, i3]. */
export function permute4(a: Float32Array, shape: readonly number[], perm: readonly number[]): { data: Float32Array; shape: number[] } {
  const [, d1, d2, d3] = shape as [number, number, number, number];
  const inStrides = [d1 * d2 * d3, d2 * d3, d3, 1];
  const outShape = perm.map((p) => shape[p]!);
  const out = new Float32Array(a.length);
  // Stride in the input for each output axis.
  const s = perm.map((p) => inStrides[p]!) as [number, number, number, number];
  const [o0, o1, o2, o3] = outShape as [number, number, number, number];
  let k = 0;
  for (let i0 = 0; i0 < o0; i0++)
    for (let i1 = 0; i1 < o1; i1++)
      for (let i2 = 0; i2 < o2; i2++) {
        const base = i0 * s[0] + i1 * s[1] + i2 * s[2];
        for (let i3 = 0; i3 < o3; i3++) out[k++] = a[base + i3 * s[3]]!;
      }
  return { data: out, shape: outShape };
}

function weightData(weights: Record<string, Float32Array | tf.Tensor>, name: string, shape: readonly number[]): Float32Array {
  const w = weights[name];
  if (w === undefined) throw new Error(`missing weight ${name}`);
  const count = shape.reduce((a, b) => a * b, 1);
  let data: Float32Array;
  if (w instanceof Float32Array) data = w;
  else {
    if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]))
      throw new RangeError(`weight ${name} has shape [${w.shape.join(', ')}], expected [${shape.join(', ')}]`);
    if (w.dtype !== 'float32') throw new TypeError(`weight ${name} is ${w.dtype}, expected float32`);
    data = w.dataSync() as Float32Array;
  }
  if (data.length !== count) throw new RangeError(`weight ${name} has ${data.length} values, expected ${count} ([${shape.join(', ')}])`);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) throw new RangeError(`weight ${name} contains a non-finite value at ${i}`);
  return data;
}

type WeightFn = (name: string) => Float32Array;

/** Weight lookup for the exporters: checks each weight's size and finiteness against spec.ts. */
export function weightReader(config: VaeConfig, weights: Record<string, Float32Array | tf.Tensor>): WeightFn {
  const specs = new Map(weightSpecs(config).map((s) => [s.name, s.shape]));
  return (name: string): Float32Array => weightData(weights, name, specs.get(name)!);
}

/** The encoder's ops on x (float NCHW in 0..1): q(z|x) as `mu` and `logvar`, [N, L]. */
export function addEncoderOps(g: OnnxGraphBuilder, config: VaeConfig, W: WeightFn, x: string): { mu: string; logvar: string } {
  const L = config.latentDim;
  const { flat } = bottleneck(config);
  let h = x;
  let size = config.inputSize;
  let cin = inputChannels(config);
  config.filters.forEach((f, i) => {
    const k = permute4(W(`enc.conv${i}.kernel`), [KERNEL, KERNEL, cin, f], [3, 2, 0, 1]);
    const kName = g.addInitializer(`enc.conv${i}.kernel.oihw`, k.shape, k.data);
    const bName = g.addInitializer(`enc.conv${i}.bias`, [f], W(`enc.conv${i}.bias`));
    const [pb, pe] = samePads(size, KERNEL, STRIDE);
    const conv = g.op('Conv', [h, kName, bName], {
      kernel_shape: attr.ints([KERNEL, KERNEL]),
      strides: attr.ints([STRIDE, STRIDE]),
      pads: attr.ints([pb, pb, pe, pe]),
      dilations: attr.ints([1, 1]),
      group: attr.int(1),
    }, `enc.conv${i}`);
    h = g.op('Relu', [conv], {}, `enc.relu${i}`);
    size = Math.ceil(size / STRIDE);
    cin = f;
  });

  // Flatten in tfjs' NHWC order.
  const hNhwc = g.op('Transpose', [h], { perm: attr.ints([0, 2, 3, 1]) }, 'enc.out_nhwc');
  const hFlat = g.op('Reshape', [hNhwc, g.constInt64('shape_flat', [0, flat])], {}, 'enc.flat');
  const gemm = (input: string, prefix: string, rows: number, cols: number, out: string): string =>
    g.op('Gemm', [input, g.addInitializer(`${prefix}.kernel`, [rows, cols], W(`${prefix}.kernel`)), g.addInitializer(`${prefix}.bias`, [cols], W(`${prefix}.bias`))], {}, out);
  return { mu: gemm(hFlat, 'enc.mu', flat, L, 'mu'), logvar: gemm(hFlat, 'enc.logvar', flat, L, 'logvar') };
}

/**
 * A frame-input graph's front: uint8 NHWC frames -> float NCHW in 0..1. For a conditional model the
 * frames carry 2C channels: `x` is the current frame (channels 0..C), `cond` the previous one.
 * (The plain model's ops and names are exactly those it always had.)
 */
export function addInputOps(g: OnnxGraphBuilder, config: VaeConfig, frames: string): { input: string; x: string; cond: string | null } {
  const C = config.channels;
  const framesNchw = g.op('Transpose', [frames], { perm: attr.ints([0, 3, 1, 2]) }, 'frames_nchw');
  const xU8f = g.op('Cast', [framesNchw], { to: attr.int(DataType.FLOAT) }, 'frames_f32');
  if (!config.conditionFrames) {
    const x = g.op('Div', [xU8f, g.constFloat('c255', [255], [])], {}, 'x');
    return { input: x, x, cond: null };
  }
  const input = g.op('Div', [xU8f, g.constFloat('c255', [255], [])], {}, 'x_in');
  const axis = g.constInt64('channel_axis', [1]);
  const x = g.op('Slice', [input, g.constInt64('cur_start', [0]), g.constInt64('cur_end', [C]), axis], {}, 'x');
  const cond = g.op('Slice', [input, g.constInt64('prev_start', [C]), g.constInt64('prev_end', [(1 + config.conditionFrames) * C]), axis], {}, 'cond');
  return { input, x, cond };
}

/** The conditional decoder's term Σ_j (1/k + s_{j,c}) · logit(clamp(x_{t−j})), [N, C, S, S]; add it to the logits (it broadcasts over a leading K axis). */
export function addConditionOps(g: OnnxGraphBuilder, config: VaeConfig, W: WeightFn, cond: string): string {
  const C = config.channels;
  const p = g.op('Clip', [cond, g.constFloat('cond_lo', [COND_CLAMP], []), g.constFloat('cond_hi', [1 - COND_CLAMP], [])], {}, 'cond_clamped');
  const logit = g.op('Log', [g.op('Div', [p, g.op('Sub', [g.constFloat('c1_cond', [1], []), p])])], {}, 'cond_logit');
  const k = config.conditionFrames ?? 1;
  const scale = Float32Array.from(W('dec.cond.scale'), (v) => 1 / k + v);
  if (k === 1) return g.op('Mul', [logit, g.constFloat('cond_scale', scale, [1, C, 1, 1])], {}, 'cond_term');
  // [N, k·C, S, S] -> [N, k, C, S, S] -> the sum over the k earlier frames, [N, C, S, S].
  const S = config.inputSize;
  const scaled = g.op('Mul', [logit, g.constFloat('cond_scale', scale, [1, k * C, 1, 1])], {}, 'cond_scaled');
  const grouped = g.op('Reshape', [scaled, g.constInt64('cond_group_shape', [0, k, C, S, S])], {}, 'cond_grouped');
  return g.op('ReduceSum', [grouped, g.constInt64('cond_frames_axis', [1])], { keepdims: attr.int(0) }, 'cond_term');
}

/** The decoder's ops on z [M, L]: logits [M, C, S, S] (NCHW), output named `logits`. */
export function addDecoderOps(g: OnnxGraphBuilder, config: VaeConfig, W: WeightFn, z: string): string {
  const L = config.latentDim;
  const C = config.channels;
  const { side, depth, flat } = bottleneck(config);
  const gemm = (input: string, prefix: string, rows: number, cols: number, out: string): string =>
    g.op('Gemm', [input, g.addInitializer(`${prefix}.kernel`, [rows, cols], W(`${prefix}.kernel`)), g.addInitializer(`${prefix}.bias`, [cols], W(`${prefix}.bias`))], {}, out);
  const fc = g.op('Relu', [gemm(z, 'dec.fc', L, flat, 'dec.fc')], {}, 'dec.fc_relu');
  const fcNhwc = g.op('Reshape', [fc, g.constInt64('shape_bottleneck', [0, side, side, depth])], {}, 'dec.in_nhwc');
  let d = g.op('Transpose', [fcNhwc], { perm: attr.ints([0, 3, 1, 2]) }, 'dec.in_nchw');
  const widths = [...config.filters].reverse();
  let size = side;
  for (let i = 0; i < widths.length; i++) {
    const dIn = widths[i]!;
    const dOut = i + 1 < widths.length ? widths[i + 1]! : C;
    const last = i + 1 === widths.length;
    const outName = last ? 'logits' : `dec.deconv${i}`;
    const kernel = W(`dec.deconv${i}.kernel`);
    const bias = g.addInitializer(`dec.deconv${i}.bias`, [dOut], W(`dec.deconv${i}.bias`));
    const outSize = size * STRIDE;
    const { pads, outputPadding } = transposeSamePads(size, outSize, KERNEL, STRIDE);
    const k = permute4(kernel, [KERNEL, KERNEL, dOut, dIn], [3, 2, 0, 1]);
    const kName = g.addInitializer(`dec.deconv${i}.kernel.iokk`, k.shape, k.data);
    const ct = g.op('ConvTranspose', [d, kName, bias], {
      kernel_shape: attr.ints([KERNEL, KERNEL]),
      strides: attr.ints([STRIDE, STRIDE]),
      pads: attr.ints([pads[0], pads[0], pads[1], pads[1]]),
      output_padding: attr.ints([outputPadding, outputPadding]),
      dilations: attr.ints([1, 1]),
      group: attr.int(1),
    }, outName);
    d = last ? ct : g.op('Relu', [ct], {}, `dec.relu${i}`);
    size = outSize;
  }
  return d;
}

/**
 * The per-pixel and per-frame score outputs shared by the scorer graphs: recon, err_map, patch_err,
 * recon_mse, nll (at the decoded latent), elbo = −(nll + kl) and sharpness. `makeKl` adds the kl
 * output (called between recon_mse and nll, the order the VAE graph always had).
 */
export function addScoreOps(
  g: OnnxGraphBuilder,
  config: Pick<VaeConfig, 'inputSize' | 'channels' | 'likelihood' | 'fixedLogVar'>,
  W: WeightFn,
  x: string,
  logits: string,
  makeKl: () => string,
  mask: ScoreMask | null = null,
): void {
  const S = config.inputSize;
  const C = config.channels;
  const G = S / PATCH_SIZE;
  const reconNchw = g.op('Sigmoid', [logits], {}, 'recon_nchw');
  g.op('Transpose', [reconNchw], { perm: attr.ints([0, 2, 3, 1]) }, 'recon');
  const observed = mask ? g.addInitializer('observed_px', [1, 1, S, S], mask.observed) : null;

  // Reconstruction error.
  const diff = g.op('Sub', [reconNchw, x], {}, 'diff');
  const sq = g.op('Mul', [diff, diff], {}, 'sq_err');
  const err4 = observed
    ? g.op('Mul', [g.op('ReduceMean', [sq], { axes: attr.ints([1]), keepdims: attr.int(1) }, 'err_map_all'), observed], {}, 'err_map_n1ss')
    : g.op('ReduceMean', [sq], { axes: attr.ints([1]), keepdims: attr.int(1) }, 'err_map_n1ss');
  g.op('Reshape', [err4, g.constInt64('shape_err', [0, S, S])], {}, 'err_map');
  const pooled = g.op('AveragePool', [err4], { kernel_shape: attr.ints([PATCH_SIZE, PATCH_SIZE]), strides: attr.ints([PATCH_SIZE, PATCH_SIZE]) }, mask ? 'patch_err_pooled' : 'patch_err_n1gg');
  const patch4 = mask ? g.op('Mul', [pooled, g.addInitializer('patch_scale', [1, 1, G, G], mask.patchScale)], {}, 'patch_err_n1gg') : pooled;
  g.op('Reshape', [patch4, g.constInt64('shape_patch', [0, G, G])], {}, 'patch_err');
  if (mask) {
    // Mean of the pooled (zero-filled) map is Σ err / S²; rescale to Σ err / observed pixels.
    const m = g.op('ReduceMean', [pooled], { axes: attr.ints([1, 2, 3]), keepdims: attr.int(0) }, 'recon_mse_all');
    g.op('Mul', [m, g.constFloat('observed_scale', [(S * S) / mask.count], [])], {}, 'recon_mse');
  } else {
    // Patches tile the picture exactly, so the mean of the patch means is the overall mean.
    g.op('ReduceMean', [patch4], { axes: attr.ints([1, 2, 3]), keepdims: attr.int(0) }, 'recon_mse');
  }

  const kl = makeKl();

  // Negative log-likelihood at z = μ.
  const axesPix = g.constInt64('axes_pixels', [1, 2, 3]);
  let nll: string;
  if (config.likelihood === 'bernoulli') {
    // −[x log σ(l) + (1 − x) log(1 − σ(l))] = softplus(l) − x·l, written stably:
    // max(l, 0) − x·l + log(1 + exp(−|l|)).
    const terms = g.op('Add', [
      g.op('Sub', [g.op('Relu', [logits]), g.op('Mul', [x, logits])]),
      g.op('Log', [g.op('Add', [g.op('Exp', [g.op('Neg', [g.op('Abs', [logits])])]), g.constFloat('c1b', [1], [])])]),
    ]);
    nll = g.op('ReduceSum', [observed ? g.op('Mul', [terms, observed]) : terms, axesPix], { keepdims: attr.int(0) }, 'nll');
  } else {
    const lv = config.likelihood === 'gaussian-fixed' ? new Float32Array(C).fill(config.fixedLogVar) : W('dec.logvar');
    // ½ (x − mean)² / σ²_c per pixel, then the constant ½ Σ (log 2π + log σ²_c) over S·S pixels.
    const halfPrec = Float32Array.from(lv, (v) => 0.5 * Math.exp(-v));
    let constant = 0;
    for (const v of lv) constant += 0.5 * (Math.log(2 * Math.PI) + v);
    constant *= mask ? mask.count : S * S;
    const weighted = g.op('Mul', [sq, g.constFloat('half_precision', halfPrec, [1, C, 1, 1])]);
    const s = g.op('ReduceSum', [observed ? g.op('Mul', [weighted, observed]) : weighted, axesPix], { keepdims: attr.int(0) });
    nll = g.op('Add', [s, g.constFloat('nll_const', [constant], [])], {}, 'nll');
  }
  g.op('Neg', [g.op('Add', [nll, kl])], {}, 'elbo');

  // Sharpness: depthwise 3×3 Laplacian of x ('valid'), |·|, mean over channels and pixels.
  const lap = new Float32Array(C * 9);
  for (let c = 0; c < C; c++) lap.set([0, -1, 0, -1, 4, -1, 0, -1, 0], c * 9);
  const lapOut = g.op('Conv', [x, g.addInitializer('laplacian', [C, 1, 3, 3], lap)], {
    kernel_shape: attr.ints([3, 3]),
    strides: attr.ints([1, 1]),
    pads: attr.ints([0, 0, 0, 0]),
    dilations: attr.ints([1, 1]),
    group: attr.int(C),
  }, 'laplacian_x');
  if (mask) {
    const inside = g.addInitializer('laplacian_observed', [1, 1, S - 2, S - 2], mask.interior);
    const total = g.op('ReduceSum', [g.op('Mul', [g.op('Abs', [lapOut]), inside]), axesPix], { keepdims: attr.int(0) });
    g.op('Mul', [total, g.constFloat('laplacian_scale', [mask.interiorCount > 0 ? 1 / (C * mask.interiorCount) : 0], [])], {}, 'sharpness');
  } else g.op('ReduceMean', [g.op('Abs', [lapOut])], { axes: attr.ints([1, 2, 3]), keepdims: attr.int(0) }, 'sharpness');

}

/**
 * Exports the VAE with its scores computed inside the graph.
 *
 * Input `frames`: uint8 [N, S, S, C] NHWC. Outputs (N symbolic):
 * - `mu`, `logvar` [N, L]: the encoder's q(z|x).
 * - `recon` [N, S, S, C]: decoder mean sigmoid(logits) at z = μ, NHWC, in 0..1.
 * - `err_map` [N, S, S]: (recon − x)² averaged over channels.
 * - `patch_err` [N, G, G], G = S/8: err_map averaged over non-overlapping 8×8 patches.
 * - `recon_mse` [N]: mean squared error over all pixels and channels.
 * - `kl` [N]: KL(N(μ, σ²) ‖ N(0, I)) = ½ Σ (σ² + μ² − 1 − log σ²), in nats.
 * - `nll` [N]: −log p(x | z = μ) in nats, summed over pixels and channels: Bernoulli cross-entropy
 *   with the logits, or Gaussian ½ Σ (log 2π + log σ²_c + (x − mean)² / σ²_c) with the decoder's
 *   per-channel log σ² (fixed or learned).
 * - `elbo` [N] = −(nll + kl). This is a deterministic approximation of the ELBO: the expectation
 *   over q(z|x) is replaced by its value at z = μ (one "sample" at the mean, no noise), so it is
 *   reproducible frame to frame but is not the Monte-Carlo ELBO that training optimises.
 * - `sharpness` [N]: mean |Laplacian| of the input (3×3, each channel, interior pixels): the picture's
 *   fine detail. Defocus removes it; the VAE's own reconstruction is too smooth to notice the loss.
 *
 * With `opts.ignoreMask` every score is over the observed pixels only (see ScoreMask).
 */
export function exportVaeToOnnx(config: VaeConfig, weights: Record<string, Float32Array | tf.Tensor>, opts: ExportOptions = {}): Uint8Array {
  validateConfig(config);
  const S = config.inputSize;
  const C = config.channels;
  const L = config.latentDim;
  if (S % PATCH_SIZE !== 0) throw new RangeError(`inputSize ${S} must be a multiple of the ${PATCH_SIZE}-pixel patch for patch_err`);
  const G = S / PATCH_SIZE;
  const W = weightReader(config, weights);
  const mask = scoreMask(opts.ignoreMask, S);

  const g = new OnnxGraphBuilder('latentwatch_vae');
  const frames = g.addInput(ONNX_INPUT, DataType.UINT8, ['N', S, S, inputChannels(config)], config.conditionFrames ? `current and ${config.conditionFrames} earlier frame(s), uint8 NHWC, ${inputChannels(config)} channels` : 'video frames, uint8 NHWC');

  // x in 0..1, NCHW (transpose the uint8 bytes first: 4x less memory traffic than floats).
  const { input, x, cond } = addInputOps(g, config, frames);

  const { mu, logvar } = addEncoderOps(g, config, W, addMaskedInputOps(g, S, input, mask));
  // Decoder at z = μ (given the previous frame, for a conditional model).
  const decoded = addDecoderOps(g, config, W, mu); // [N, C, S, S]
  const logits = cond ? g.op('Add', [decoded, addConditionOps(g, config, W, cond)], {}, 'logits_cond') : decoded;
  addScoreOps(g, config, W, x, logits, () => {
    // KL(N(μ, σ²) || N(0, I)) = ½ Σ (exp(logvar) + μ² − 1 − logvar).
    const kTerms = g.op('Sub', [g.op('Add', [g.op('Exp', [logvar]), g.op('Mul', [mu, mu])]), g.op('Add', [logvar, g.constFloat('c1', [1], [])])]);
    const kSum = g.op('ReduceSum', [kTerms, g.constInt64('axes_latent', [1])], { keepdims: attr.int(0) });
    const kl = g.op('Mul', [kSum, g.constFloat('c_half', [0.5], [])], {}, 'kl');
    return kl;
  }, mask);

  const F = DataType.FLOAT;
  g.addOutput('mu', F, ['N', L], 'encoder mean');
  g.addOutput('logvar', F, ['N', L], 'encoder log variance');
  g.addOutput('recon', F, ['N', S, S, C], 'decoder mean at z = mu, NHWC, 0..1');
  g.addOutput('err_map', F, ['N', S, S], 'squared error averaged over channels');
  g.addOutput('patch_err', F, ['N', G, G], `err_map averaged over ${PATCH_SIZE}x${PATCH_SIZE} patches`);
  g.addOutput('recon_mse', F, ['N'], 'mean squared error');
  g.addOutput('kl', F, ['N'], 'KL(q(z|x) || N(0, I)) in nats');
  g.addOutput('nll', F, ['N'], `-log p(x | z = mu) in nats (${config.likelihood})`);
  g.addOutput('elbo', F, ['N'], '-(nll + kl), deterministic (z = mu) approximation');
  g.addOutput('sharpness', F, ['N'], 'mean |Laplacian| of the input (fine detail)');

  const modelOpts: ModelOptions = {
    opset: opts.opset ?? ONNX_OPSET,
    irVersion: ONNX_IR_VERSION,
    producerName: 'latentwatch',
    producerVersion: opts.producerVersion ?? '0.1.0',
    docString: 'LatentWatch convolutional VAE scorer (frames uint8 NHWC -> scores)',
    metadata: {
      ...opts.metadata,
      [META.format]: FORMAT_TAG,
      [META.config]: JSON.stringify(config),
      [META.patch]: String(PATCH_SIZE),
      ...(mask ? { [META.ignoredPixels]: String(S * S - mask.count) } : {}),
    },
  };
  return g.toBytes(modelOpts);
}
