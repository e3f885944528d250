/**
 * Kind `vq-pixelcnn` without the engine: a trained VQ-VAE (ml/vq) plus the PixelCNN prior over its
 * code grid, for a registry driver to call.
 *
 *   trainCodePrior      frames -> codes through the VQ-VAE's ONNX scorer (export-vq.ts, the same
 *                       graph that scores) -> trainPixelCnn -> the standalone prior graph and the
 *                       VQ scorer with the prior appended (one session: every VQ output + code_nll
 *                       + code_nll_map)
 *   scoreWithCodePrior  frames -> codes, −log p(codes) per frame, the per-position NLL map and that
 *                       map upsampled to the frame (a heatmap that locates an unlikely object)
 *   generateFrames      codes sampled from the prior in raster order, decoded by the VQ decoder
 *   runVqPixelCnn       the three above on a train and a score set (bench, tests)
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { ONNX_INPUT } from '../onnx/export-vae.js';
import { exportVqToOnnx, VQ_CODES_OUTPUT } from '../onnx/export-vq.js';
import type { ScorerOptions } from '../onnx/runtime.js';
import type { FrameSet } from '../vae/train.js';
import { decodeGridLogits, type VqConfig, vqGrid, vqWeightSpecs } from '../vq/vq-vae.js';
import { appendPixelCnnToOnnx, CODE_NLL_MAP_OUTPUT, CODE_NLL_OUTPUT, exportPixelCnnToOnnx } from './export-pixelcnn.js';
import { DEFAULT_PIXELCNN_ARCH, type PixelCnnArch, type PixelCnnConfig, pixelCnnWeightTensors, sampleCodes } from './pixelcnn.js';
import { DEFAULT_PIXELCNN_TRAINING, type PixelCnnProgress, type PixelCnnTrainOptions, type PixelCnnTrainResult, trainPixelCnn } from './train-pixelcnn.js';

/** What trainVqVae returns (weights, codebook) with its config and the ignore mask it trained under. */
export interface TrainedVq {
  config: VqConfig;
  weights: Record<string, Float32Array>;
  codebook: Float32Array;
  /** S·S bytes, 1 = ignored (as trainVqVae's): baked into the scorer as exportVqToOnnx does. */
  ignoreMask?: Uint8Array;
}

/** The prior's config for a VQ-VAE: K codes on its G×G grid, the architecture from `arch`. */
export function pixelCnnConfigFor(vq: VqConfig, arch: Partial<PixelCnnArch> = {}): PixelCnnConfig {
  const { side } = vqGrid(vq);
  return { ...DEFAULT_PIXELCNN_ARCH, ...arch, codes: vq.codebookSize, height: side, width: side };
}

export interface CodePriorOptions extends Partial<Omit<PixelCnnTrainOptions, 'config'>> {
  arch?: Partial<PixelCnnArch>;
  /** Frames per ONNX Runtime run when encoding (default 64). */
  batch?: number;
  /** ORT options of the encoding session. */
  ort?: ScorerOptions;
}

export interface CodePrior {
  config: PixelCnnConfig;
  weights: Record<string, Float32Array>;
  /** The standalone prior: int64 codes [N, G²] -> code_nll [N], code_nll_map [N, G, G]. */
  priorOnnx: Uint8Array;
  /** The VQ-VAE scorer with the prior appended: frames -> every VQ output + code_nll, code_nll_map. */
  scorerOnnx: Uint8Array;
  training: PixelCnnTrainResult;
  /** Codes of the training frames [count·G²] (what the prior was fitted to). */
  trainCodes: Int32Array;
  /** Encoding throughput of the training frames (frames/s, VQ-VAE ONNX scorer). */
  encodeFramesPerSec: number;
}

function sessionOptions(o: ScorerOptions = {}): ort.InferenceSession.SessionOptions {
  const s: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: o.graphOptimizationLevel ?? 'all', executionMode: 'sequential', interOpNumThreads: 1, logSeverityLevel: 3 };
  if (o.threads !== undefined) s.intraOpNumThreads = o.threads;
  return s;
}

/** Runs `session` over frames in batches, fetching `outputs`; calls `take` with each batch's results. */
async function runFrames(session: ort.InferenceSession, frames: FrameSet, batch: number, outputs: string[], take: (first: number, count: number, out: ort.InferenceSession.OnnxValueMapType) => void, signal?: AbortSignal): Promise<number> {
  const per = frames.size * frames.size * frames.channels;
  const t0 = performance.now();
  for (let b = 0; b < frames.count; b += batch) {
    if (signal?.aborted) throw Object.assign(new Error('scoring canceled'), { name: 'AbortError' });
    const n = Math.min(batch, frames.count - b);
    const input = new ort.Tensor('uint8', frames.data.subarray(b * per, (b + n) * per), [n, frames.size, frames.size, frames.channels]);
    take(b, n, await session.run({ [ONNX_INPUT]: input }, outputs));
  }
  const s = (performance.now() - t0) / 1000;
  return s > 0 ? frames.count / s : 0;
}

/** Codes [count·G²] of frames through a VQ-VAE scorer graph (export-vq.ts, or one with the prior appended). */
export async function encodeFramesToCodes(vqOnnx: Uint8Array, frames: FrameSet, o: { batch?: number; ort?: ScorerOptions; signal?: AbortSignal } = {}): Promise<{ codes: Int32Array; framesPerSec: number }> {
  const session = await ort.InferenceSession.create(vqOnnx, sessionOptions(o.ort));
  try {
    const dims = session.outputMetadata.find((m) => m.name === VQ_CODES_OUTPUT);
    const P = dims?.isTensor ? dims.shape[1] : undefined;
    if (typeof P !== 'number') throw new RangeError(`the graph has no "${VQ_CODES_OUTPUT}" output [N, G²]`);
    const codes = new Int32Array(frames.count * P);
    const framesPerSec = await runFrames(session, frames, o.batch ?? 64, [VQ_CODES_OUTPUT], (first, _n, out) => {
      const d = out[VQ_CODES_OUTPUT]!.data as BigInt64Array;
      for (let i = 0; i < d.length; i++) codes[first * P + i] = Number(d[i]!);
    }, o.signal);
    return { codes, framesPerSec };
  } finally {
    await session.release();
  }
}

/**
 * Fits the prior to the codes of `frames` (the training footage) under a trained VQ-VAE. Rejects with
 * TrainingInputError (unusable input) or AbortError (signal), as the other trainers.
 */
export async function trainCodePrior(vq: TrainedVq, frames: FrameSet, o: CodePriorOptions = {}, hooks: { signal?: AbortSignal; onProgress?: (p: PixelCnnProgress) => void } = {}): Promise<CodePrior> {
  const config = pixelCnnConfigFor(vq.config, o.arch);
  const vqOnnx = exportVqToOnnx(vq.config, vq.weights, vq.codebook, vq.ignoreMask);
  const { codes, framesPerSec } = await encodeFramesToCodes(vqOnnx, frames, { ...(o.batch ? { batch: o.batch } : {}), ...(o.ort ? { ort: o.ort } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) });
  const training = await trainPixelCnn(codes, frames.count, {
    config,
    epochs: o.epochs ?? DEFAULT_PIXELCNN_TRAINING.epochs,
    batchSize: o.batchSize ?? DEFAULT_PIXELCNN_TRAINING.batchSize,
    learningRate: o.learningRate ?? DEFAULT_PIXELCNN_TRAINING.learningRate,
    validationFraction: o.validationFraction ?? DEFAULT_PIXELCNN_TRAINING.validationFraction,
    seed: o.seed ?? DEFAULT_PIXELCNN_TRAINING.seed,
    maxSteps: o.maxSteps ?? DEFAULT_PIXELCNN_TRAINING.maxSteps,
  }, hooks);
  return {
    config,
    weights: training.weights,
    priorOnnx: exportPixelCnnToOnnx(config, training.weights),
    scorerOnnx: appendPixelCnnToOnnx(vqOnnx, config, training.weights),
    training,
    trainCodes: codes,
    encodeFramesPerSec: framesPerSec,
  };
}

/** Nearest-neighbour upsampling of per-position maps [count, G, G] to [count, S, S] (each code's S/G × S/G block). */
export function upsampleNllMap(map: ArrayLike<number>, count: number, grid: number, size: number): Float32Array {
  if (map.length !== count * grid * grid) throw new RangeError(`${map.length} values for ${count} map(s) of ${grid}×${grid}`);
  const out = new Float32Array(count * size * size);
  for (let n = 0; n < count; n++)
    for (let y = 0; y < size; y++) {
      const gy = Math.min(grid - 1, Math.floor((y * grid) / size));
      for (let x = 0; x < size; x++) out[(n * size + y) * size + x] = map[(n * grid + gy) * grid + Math.min(grid - 1, Math.floor((x * grid) / size))]!;
    }
  return out;
}

export interface CodePriorScores {
  /** −log p(codes) per frame, nats [count] (the `codeNll` component). */
  codeNll: Float32Array;
  /** −log p(c_i | c_<i) per grid position, nats [count, G, G]. */
  nllMap: Float32Array;
  /** nllMap upsampled to the frame, [count, S, S] (nats of the code covering each pixel). */
  heatmap: Float32Array;
  /** The codes [count, G²]. */
  codes: Int32Array;
  /** Scoring throughput, frames/s (ONNX Runtime, frames in -> code_nll out). */
  framesPerSec: number;
}

/** Scores frames with CodePrior.scorerOnnx (VQ-VAE + prior in one ONNX Runtime session). */
export async function scoreWithCodePrior(scorerOnnx: Uint8Array, frames: FrameSet, o: { batch?: number; ort?: ScorerOptions; signal?: AbortSignal } = {}): Promise<CodePriorScores> {
  const session = await ort.InferenceSession.create(scorerOnnx, sessionOptions(o.ort));
  try {
    const meta = session.outputMetadata.find((m) => m.name === CODE_NLL_MAP_OUTPUT);
    const G = meta?.isTensor ? meta.shape[1] : undefined;
    if (typeof G !== 'number') throw new RangeError(`the graph has no "${CODE_NLL_MAP_OUTPUT}" output [N, G, G]: not a VQ-VAE scorer with the PixelCNN prior`);
    const P = G * G;
    const codeNll = new Float32Array(frames.count);
    const nllMap = new Float32Array(frames.count * P);
    const codes = new Int32Array(frames.count * P);
    const framesPerSec = await runFrames(session, frames, o.batch ?? 64, [CODE_NLL_OUTPUT, CODE_NLL_MAP_OUTPUT, VQ_CODES_OUTPUT], (first, _n, out) => {
      codeNll.set(out[CODE_NLL_OUTPUT]!.data as Float32Array, first);
      nllMap.set(out[CODE_NLL_MAP_OUTPUT]!.data as Float32Array, first * P);
      const d = out[VQ_CODES_OUTPUT]!.data as BigInt64Array;
      for (let i = 0; i < d.length; i++) codes[first * P + i] = Number(d[i]!);
    }, o.signal);
    return { codeNll, nllMap, heatmap: upsampleNllMap(nllMap, frames.count, G, frames.size), codes, framesPerSec };
  } finally {
    await session.release();
  }
}

/**
 * Frames generated by the model: code grids sampled from the prior (raster order, seeded), decoded by
 * the VQ-VAE's decoder (the sigmoid of its logits, as the scorer's `recon`). Returns uint8 NHWC
 * frames [count, S, S, C] and the sampled codes [count, G²].
 */
export function generateFrames(vq: TrainedVq, prior: Pick<CodePrior, 'config' | 'weights'>, o: { count: number; seed: number; temperature?: number }): { frames: Uint8Array; codes: Int32Array } {
  const { side, dim } = vqGrid(vq.config);
  const w = pixelCnnWeightTensors(prior.config, prior.weights);
  let codes: Int32Array;
  try {
    codes = sampleCodes(prior.config, w, o);
  } finally {
    tf.dispose(Object.values(w));
  }
  const zq = new Float32Array(o.count * side * side * dim);
  codes.forEach((k, i) => zq.set(vq.codebook.subarray(k * dim, (k + 1) * dim), i * dim));
  const vw: Record<string, tf.Tensor> = {};
  for (const spec of vqWeightSpecs(vq.config)) vw[spec.name] = tf.tensor(vq.weights[spec.name]!, spec.shape);
  try {
    const pix = tf.tidy(() => tf.sigmoid(decodeGridLogits(vq.config, vw, tf.tensor4d(zq, [o.count, side, side, dim]))).dataSync());
    return { frames: Uint8Array.from(pix, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)), codes };
  } finally {
    tf.dispose(Object.values(vw));
  }
}

/** The whole pipeline: fit the prior to `train`'s codes, then score `score` (benchmarks, tests). */
export async function runVqPixelCnn(vq: TrainedVq, train: FrameSet, score: FrameSet, o: CodePriorOptions = {}, hooks: { signal?: AbortSignal; onProgress?: (p: PixelCnnProgress) => void } = {}): Promise<{ prior: CodePrior; scores: CodePriorScores }> {
  const prior = await trainCodePrior(vq, train, o, hooks);
  const scores = await scoreWithCodePrior(prior.scorerOnnx, score, { ...(o.batch ? { batch: o.batch } : {}), ...(o.ort ? { ort: o.ort } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) });
  return { prior, scores };
}
