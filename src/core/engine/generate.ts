/**
 * Generation from a trained VAE-family model (shown in the app by AppApi.generateSamples and
 * latentTraversal, which use the chunked asynchronous functions at the end): samples from the prior
 * (z ~ N(0, I), decoded to pictures) and latent traversals (one frame's μ with one dimension swept
 * over a range, each point decoded), for looking at what the model has learned. Pictures are the
 * decoder mean sigmoid(logits) as uint8 NHWC. Runs in tfjs on the active backend.
 * Kinds: vae, vae-gp, gmvae (z from its mixture, or one of its components), ae (a plain autoencoder's "prior samples" are not meaningful: refused), and
 * cvae for traversals (decoded given the frame's predecessor).
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/envelope.js';
import { describeKind } from '../../shared/model-kinds.js';
import { selectBackend } from '../ml/backend/index.js';
import { sampleGmm } from '../ml/family/mixture.js';
import { mulberry32, standardNormals } from '../ml/family/numeric.js';
import { loadMixture } from '../ml/vae/mixture-prior.js';
import { deserializeWeights } from '../ml/vae/checkpoint.js';
import { decodeLogits, encode, inputChannels, type VaeConfig, type VaeWeights } from '../ml/vae/spec.js';
import { getParsedModel, vaeFamilyModel } from '../models/records.js';
import type { GeneratedPictures } from '../models/driver.js';
import { kindDriver } from '../models/registry.js';
import { getModel, modelBlobs } from '../store/models.js';
import type { Store } from '../store/store.js';
import { earlierIndices, gatherFrames, stackFrames } from './frames.js';

const toBytes = (t: tf.Tensor): Uint8Array => Uint8Array.from(t.dataSync(), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));

/**
 * A frame encoded by the model: its μ, and for a conditional model its k earlier frames as the
 * decoder's condition [1, S, S, kC] (the caller disposes it). Checks the stored frame size first.
 */
function encodeFrame(store: Store, modelId: number, config: VaeConfig, weights: VaeWeights, frame: { videoId: number; index: number }): { mu: Float32Array; cond: tf.Tensor4D | undefined } {
  const S = config.inputSize;
  const cur = gatherFrames(store, [frame]);
  if (cur.size !== S) throw new AppError('FrameSizeError', `Model ${modelId} takes ${S}x${S} frames; this video is stored at ${cur.size}x${cur.size}.`);
  const k = config.conditionFrames ?? 0;
  const input = k ? stackFrames(cur, earlierIndices(frame.index, k).map((i) => gatherFrames(store, [{ videoId: frame.videoId, index: i }]).data)) : cur.data;
  const x = tf.tensor4d(Float32Array.from(input, (v) => v / 255), [1, S, S, inputChannels(config)]);
  try {
    const mu = tf.tidy(() => encode(config, weights, x).mu.dataSync() as Float32Array);
    return { mu, cond: k ? tf.slice(x, [0, 0, 0, config.channels], [1, S, S, config.channels * k]) : undefined };
  } finally {
    x.dispose();
  }
}

/** The model's decoder, for kinds that can do `what` (shared/model-kinds.ts says which and why not). */
function load(store: Store, modelId: number, what: 'priorSamples' | 'traversal'): { config: VaeConfig; weights: VaeWeights } {
  const m = getModel(store, modelId);
  const why = describeKind(m.kind)[what];
  if (why !== null) throw new AppError('TrainingInputError', `Model ${modelId} is a ${m.kind}: ${why}.`);
  const { weights, config } = deserializeWeights(modelBlobs(store, modelId).weights);
  if (!config) {
    tf.dispose(Object.values(weights));
    throw new AppError('StoreError', `Model ${modelId} has no stored config.`);
  }
  return { config, weights };
}

/**
 * Prior samples of a kind that draws them itself (its driver's samplePrior: vq-pixelcnn's code grids),
 * or null for the VAE family's decoders (below).
 */
function kindPriorSamples(store: Store, modelId: number, count: number, seed: number, component?: number): GeneratedPictures | null {
  const m = getParsedModel(store, modelId);
  const driver = kindDriver(m.kind);
  if (!driver.samplePrior) return null;
  if (component !== undefined) throw new AppError('TrainingInputError', `Model ${modelId} has no mixture prior to pick a component of.`);
  if (!Number.isInteger(count) || count < 1) throw new AppError('InvalidArgumentError', `count must be a positive whole number, not ${count}`);
  return driver.samplePrior(m, modelBlobs(store, modelId).weights, { count, seed });
}

/** Seeded draws from a model's prior: N(0, I), or for 'gmvae' its learned mixture (only `component` when given). */
function priorCodes(store: Store, modelId: number, latentDim: number, count: number, seed: number, component?: number): Float32Array {
  const stored = vaeFamilyModel(getParsedModel(store, modelId)).config.mixture;
  if (stored) {
    let g = loadMixture(stored);
    if (component !== undefined) {
      if (!Number.isInteger(component) || component < 0 || component >= g.k) throw new AppError('TrainingInputError', `component must be in 0..${g.k - 1}`);
      g = { ...g, weights: Float64Array.from({ length: g.k }, (_, c) => (c === component ? 1 : 0)) };
    }
    return Float32Array.from(sampleGmm(g, count, seed).z);
  }
  if (component !== undefined) throw new AppError('TrainingInputError', `Model ${modelId} has no mixture prior to pick a component of.`);
  return Float32Array.from(standardNormals(count * latentDim, mulberry32(seed)));
}

/**
 * `count` pictures decoded from z drawn from the model's prior (seeded): N(0, I), or for 'gmvae' its
 * learned mixture (only component `component` when given: pictures of one learned class). [count, S, S, C] bytes.
 */
export function samplePrior(store: Store, modelId: number, count: number, seed = 1, component?: number): { pixels: Uint8Array; size: number; channels: number; z: Float32Array } {
  const own = kindPriorSamples(store, modelId, count, seed, component);
  if (own) return { ...own, z: new Float32Array(0) };
  const { config, weights } = load(store, modelId, 'priorSamples');
  try {
    const z = priorCodes(store, modelId, config.latentDim, count, seed, component);
    const pixels = tf.tidy(() => toBytes(tf.sigmoid(decodeLogits(config, weights, tf.tensor2d(z, [count, config.latentDim])))));
    return { pixels, size: config.inputSize, channels: config.channels, z };
  } finally {
    tf.dispose(Object.values(weights));
  }
}

/**
 * Frame `index` of a video encoded to μ, then dimension `dim` set to each of `steps` values evenly
 * spaced in [μ_dim − range, μ_dim + range] and decoded: [steps, S, S, C] bytes and the values used.
 */
export function latentTraversal(store: Store, modelId: number, videoId: number, index: number, dim: number, steps = 7, range = 3): { pixels: Uint8Array; values: number[]; size: number; channels: number } {
  const { config, weights } = load(store, modelId, 'traversal');
  try {
    if (!Number.isInteger(dim) || dim < 0 || dim >= config.latentDim) throw new AppError('TrainingInputError', `dim must be in 0..${config.latentDim - 1}`);
    const { mu, cond } = encodeFrame(store, modelId, config, weights, { videoId, index });
    try {
      const values = Array.from({ length: steps }, (_, i) => mu[dim]! - range + (steps > 1 ? (2 * range * i) / (steps - 1) : range));
      const z = new Float32Array(steps * config.latentDim);
      values.forEach((v, i) => {
        z.set(mu, i * config.latentDim);
        z[i * config.latentDim + dim] = v;
      });
      const pixels = tf.tidy(() => {
        const c = cond ? (tf.tile(cond, [steps, 1, 1, 1]) as tf.Tensor4D) : undefined;
        return toBytes(tf.sigmoid(decodeLogits(config, weights, tf.tensor2d(z, [steps, config.latentDim]), c)));
      });
      return { pixels, values, size: config.inputSize, channels: config.channels };
    } finally {
      cond?.dispose();
    }
  } finally {
    tf.dispose(Object.values(weights));
  }
}

// ------------------------------------------------------------------ for the app (asynchronous, chunked)

/**
 * Pictures decoded per tfjs call: each call blocks the calling thread, so a big request yields between
 * chunks. Measured on the 2-core dev machine under load, default 64 px model, wasm: ~18 ms a picture
 * (81 in ~1.2 s), so a chunk blocks for ~0.15 s; on tfjs's cpu backend it is ~5x slower.
 */
const DECODE_CHUNK = 8;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

let backendChosen: Promise<void> | null = null;
/**
 * Where nothing chose a tfjs backend (the app's main process), use wasm with LatentWatch's kernels
 * (~6x faster than tfjs's pure-JS cpu backend for the decoder); a process that already chose one
 * (a worker, a test) keeps it. Failures leave cpu: slower, still correct.
 */
function fastBackend(): Promise<void> {
  backendChosen ??= (async () => {
    const current = tf.engine().backendName as string | null | undefined; // null until a backend is initialised
    if (current && current !== 'cpu') return;
    await selectBackend('wasm').catch(() => undefined);
  })();
  return backendChosen;
}

/** z [n, L] (and, for a conditional model, one condition frame for all) decoded to uint8 NHWC, DECODE_CHUNK at a time. */
async function decodeChunked(config: VaeConfig, weights: VaeWeights, z: Float32Array, n: number, cond?: tf.Tensor4D): Promise<Uint8Array> {
  const L = config.latentDim;
  const S = config.inputSize;
  const per = S * S * config.channels;
  const out = new Uint8Array(n * per);
  for (let first = 0; first < n; first += DECODE_CHUNK) {
    const count = Math.min(DECODE_CHUNK, n - first);
    const bytes = tf.tidy(() => {
      const c = cond ? (tf.tile(cond, [count, 1, 1, 1]) as tf.Tensor4D) : undefined;
      return toBytes(tf.sigmoid(decodeLogits(config, weights, tf.tensor2d(z.subarray(first * L, (first + count) * L), [count, L]), c)));
    });
    out.set(bytes, first * per);
    if (first + count < n) await yieldToEventLoop();
  }
  return out;
}

/** Decoded pictures: [count, size, size, channels] uint8. */
export interface DecodedPictures {
  pixels: Uint8Array;
  count: number;
  size: number;
  channels: number;
}

/** samplePrior for the app: the same seeded draws, decoded in chunks that let the event loop run between them. */
export async function samplePriorPictures(store: Store, modelId: number, count: number, seed: number): Promise<DecodedPictures & { z: Float32Array }> {
  if (!Number.isInteger(count) || count < 1) throw new AppError('InvalidArgumentError', `count must be a positive whole number, not ${count}`);
  await fastBackend();
  const own = kindPriorSamples(store, modelId, count, seed);
  if (own) return { ...own, count, z: new Float32Array(0) };
  const { config, weights } = load(store, modelId, 'priorSamples');
  try {
    const z = priorCodes(store, modelId, config.latentDim, count, seed);
    const pixels = await decodeChunked(config, weights, z, count);
    return { pixels, count, size: config.inputSize, channels: config.channels, z };
  } finally {
    tf.dispose(Object.values(weights));
  }
}

export interface LatentGridOptions {
  /** The frame whose μ is the grid's centre (and, for a conditional model, whose predecessor conditions it). */
  frame?: { videoId: number; index: number };
  /** The two latent dimensions swept: dims[0] along the columns, dims[1] down the rows. */
  dims: [number, number];
  /** Points per dimension (the grid is steps × steps). */
  steps: number;
  /** Each dimension is swept over centre ± range. */
  range: number;
}

export interface LatentGrid extends DecodedPictures {
  /** Offsets from the centre: column c has z[dims[0]] = centre + colOffsets[c], row r has z[dims[1]] = centre + rowOffsets[r]. */
  colOffsets: number[];
  rowOffsets: number[];
  /** The centre code (μ of the frame, or the origin of the prior). */
  centre: number[];
  /** The frame the grid is centred on; null when centred on the prior's origin. */
  frame: { videoId: number; index: number } | null;
}

/** Evenly spaced offsets in [−range, range] (just 0 for one step). */
export const sweepOffsets = (steps: number, range: number): number[] =>
  Array.from({ length: steps }, (_, i) => (steps > 1 ? -range + (2 * range * i) / (steps - 1) : 0));

/** Latent codes of a steps × steps grid, row-major: `centre` with dims[0] set per column and dims[1] per row. */
export function gridCodes(centre: ArrayLike<number>, dims: [number, number], offsets: number[]): Float32Array {
  const L = centre.length;
  const [a, b] = dims;
  const n = offsets.length;
  const z = new Float32Array(n * n * L);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      const k = (r * n + c) * L;
      for (let d = 0; d < L; d++) z[k + d] = centre[d]!;
      z[k + a] = centre[a]! + offsets[c]!;
      z[k + b] = centre[b]! + offsets[r]!;
    }
  return z;
}

/**
 * A 2-D latent traversal: the centre code (a frame's μ; else the prior's origin for a VAE, or the
 * middle frame of the training video for kinds whose latent space is not centred on 0) with two
 * dimensions swept over a steps × steps grid, every point decoded. Kinds: vae, vae-gp, ae, cvae, gmvae
 * (whose mixture prior is not centred on 0: it centres on a frame).
 */
export async function latentGrid(store: Store, modelId: number, o: LatentGridOptions): Promise<LatentGrid> {
  const [a, b] = o.dims;
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new AppError('InvalidArgumentError', `steps must be a positive whole number, not ${o.steps}`);
  if (!(o.range > 0) || !Number.isFinite(o.range)) throw new AppError('InvalidArgumentError', `range must be a positive number, not ${o.range}`);
  await fastBackend();
  const model = getModel(store, modelId);
  const { config, weights } = load(store, modelId, 'traversal');
  try {
    const L = config.latentDim;
    if (L < 2) throw new AppError('InvalidArgumentError', `Model ${modelId} has a ${L}-dimensional latent space: a 2-D traversal needs two dimensions.`);
    for (const d of [a, b]) if (!Number.isInteger(d) || d < 0 || d >= L) throw new AppError('InvalidArgumentError', `Latent dimensions are 0..${L - 1}; ${d} is not one.`);
    if (a === b) throw new AppError('InvalidArgumentError', `Choose two different latent dimensions (both are ${a}).`);
    const centredOnPrior = !o.frame && kindDriver(model.kind).traversalFromPrior;
    let frame = o.frame ?? null;
    if (!frame && !centredOnPrior) {
      if (model.trainVideoId === null) throw new AppError('InvalidArgumentError', `Pick a frame to centre the traversal on: model ${modelId}'s training video is gone.`);
      const v = store.getVideo(model.trainVideoId);
      frame = { videoId: v.id, index: Math.floor(v.frameCount / 2) };
    }
    const { mu: centre, cond } = frame ? encodeFrame(store, modelId, config, weights, frame) : { mu: new Float32Array(L), cond: undefined };
    try {
      const offsets = sweepOffsets(o.steps, o.range);
      const n = o.steps * o.steps;
      const pixels = await decodeChunked(config, weights, gridCodes(centre, [a, b], offsets), n, cond);
      return { pixels, count: n, size: config.inputSize, channels: config.channels, colOffsets: offsets, rowOffsets: offsets, centre: Array.from(centre), frame };
    } finally {
      cond?.dispose();
    }
  } finally {
    tf.dispose(Object.values(weights));
  }
}
