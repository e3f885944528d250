/**
 * Weights and training checkpoints as bytes: one self-describing blob, usable as a file and as a
 * database BLOB.
 *
 * Layout (all integers little-endian):
 *   0   8 bytes   magic "LWTNSR01"
 *   8   u32       header length H (bytes of UTF-8 JSON)
 *   12  H bytes   JSON header: { kind, version, meta, tensors: [{ name, shape, offset, length }], dataBytes, crc32 }
 *   ..  padding   zeros up to the next multiple of 8
 *   D   data      float32 little-endian values; tensor i starts at D + offset_i (a multiple of 4)
 * crc32 covers the data section, so a torn or truncated file is reported, never half-loaded.
 * Values round-trip bit-exactly (NaN payloads included): the bytes are copied, never re-encoded.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { open } from 'node:fs/promises';
import { writeFileAtomic } from '../../atomic-write.js';
import * as tf from '@tensorflow/tfjs';
import type { StoredMixture } from './mixture-prior.js';
import { validateConfig, weightSpecs, type VaeConfig, type VaeWeights } from './spec.js';

const MAGIC = 'LWTNSR01';
const FORMAT_VERSION = 1;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class CheckpointFormatError extends Error {
  override name = 'CheckpointFormatError';
}

/** A tensor as plain data: what checkpoints hold, so they never own tf memory. */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

interface TensorEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

interface Header {
  kind: string;
  version: number;
  meta: unknown;
  tensors: TensorEntry[];
  dataBytes: number;
  crc32: number;
}

// ---------------------------------------------------------------------------------------- CRC-32

/** CRC-32 (IEEE), as zlib computes it. */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes) >>> 0;
}

// ----------------------------------------------------------------------------- container format

const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Packs tensors (plain float32 data) and a JSON-able meta object into one blob. */
export function packTensors(kind: string, meta: unknown, tensors: NamedArray[]): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('checkpoint format needs a little-endian host');
  const names = new Set<string>();
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (names.has(t.name)) throw new RangeError(`duplicate tensor name ${t.name}`);
    names.add(t.name);
    if (numel(t.shape) !== t.data.length)
      throw new RangeError(`tensor ${t.name}: shape [${t.shape.join(', ')}] does not hold ${t.data.length} values`);
    entries.push({ name: t.name, shape: [...t.shape], offset, length: t.data.length });
    offset += t.data.length * 4;
  }
  const data = new Uint8Array(offset);
  tensors.forEach((t, i) => data.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), entries[i]!.offset));
  const header: Header = { kind, version: FORMAT_VERSION, meta, tensors: entries, dataBytes: offset, crc32: crc32(data) };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / 8) * 8;
  const out = new Uint8Array(dataStart + data.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(data, dataStart);
  return out;
}

/** Reads a blob written by packTensors; checks magic, lengths and the CRC. Data is copied out. */
export function unpackTensors(bytes: Uint8Array): { kind: string; meta: unknown; tensors: NamedArray[] } {
  if (!LITTLE_ENDIAN) throw new Error('checkpoint format needs a little-endian host');
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    throw new CheckpointFormatError('not a LatentWatch tensor file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(8, true);
  if (12 + headerLen > bytes.length) throw new CheckpointFormatError('truncated tensor file (header)');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLen))) as Header;
  } catch (e) {
    throw new CheckpointFormatError(`corrupt tensor file header: ${(e as Error).message}`);
  }
  if (header.version !== FORMAT_VERSION) throw new CheckpointFormatError(`unsupported tensor file version ${header.version}`);
  const dataStart = Math.ceil((12 + headerLen) / 8) * 8;
  if (dataStart + header.dataBytes !== bytes.length)
    throw new CheckpointFormatError(`truncated or padded tensor file: expected ${dataStart + header.dataBytes} bytes, got ${bytes.length}`);
  const data = bytes.subarray(dataStart, dataStart + header.dataBytes);
  if (crc32(data) !== header.crc32) throw new CheckpointFormatError('tensor file is corrupt (CRC mismatch)');
  const tensors = header.tensors.map((e): NamedArray => {
    if (e.length !== numel(e.shape) || e.offset % 4 !== 0 || e.offset + e.length * 4 > header.dataBytes)
      throw new CheckpointFormatError(`corrupt entry for tensor ${e.name}`);
    const copy = new Uint8Array(e.length * 4);
    copy.set(data.subarray(e.offset, e.offset + e.length * 4));
    return { name: e.name, shape: e.shape, data: new Float32Array(copy.buffer) };
  });
  return { kind: header.kind, meta: header.meta, tensors };
}

// ----------------------------------------------------------------------------- weights <-> data

/** Tensors -> plain arrays (reads them synchronously), in spec order when a config is given. */
export function weightsToArrays(weights: VaeWeights, config?: VaeConfig): NamedArray[] {
  const names = config ? weightSpecs(config).map((s) => s.name) : Object.keys(weights).sort();
  return names.map((name) => {
    const t = weights[name];
    if (!t) throw new RangeError(`missing weight ${name}`);
    if (t.dtype !== 'float32') throw new RangeError(`weight ${name} is ${t.dtype}, expected float32`);
    return { name, shape: [...t.shape], data: (t.dataSync() as Float32Array).slice() };
  });
}

/** weightsToArrays read asynchronously: for backends that cannot read a tensor synchronously (WebGPU under Node). */
export async function readWeightArrays(weights: VaeWeights, config?: VaeConfig): Promise<NamedArray[]> {
  const names = config ? weightSpecs(config).map((s) => s.name) : Object.keys(weights).sort();
  return Promise.all(
    names.map(async (name) => {
      const t = weights[name];
      if (!t) throw new RangeError(`missing weight ${name}`);
      if (t.dtype !== 'float32') throw new RangeError(`weight ${name} is ${t.dtype}, expected float32`);
      return { name, shape: [...t.shape], data: Float32Array.from((await t.data()) as Float32Array) };
    }),
  );
}

/** Plain arrays -> new tensors (the caller disposes them). */
export function arraysToWeights(arrays: NamedArray[]): VaeWeights {
  const w: VaeWeights = {};
  for (const a of arrays) w[a.name] = tf.tensor(a.data, a.shape, 'float32');
  return w;
}

/** Checks that a set of arrays is exactly the weights of this config (names and shapes). */
export function checkWeightArrays(config: VaeConfig, arrays: NamedArray[]): void {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  const specs = weightSpecs(config);
  for (const s of specs) {
    const a = byName.get(s.name);
    if (!a) throw new CheckpointFormatError(`weights lack ${s.name} required by the config`);
    if (a.shape.length !== s.shape.length || a.shape.some((d, i) => d !== s.shape[i]))
      throw new CheckpointFormatError(`weight ${s.name} has shape [${a.shape.join(', ')}], the config needs [${s.shape.join(', ')}]`);
  }
  if (arrays.length !== specs.length) {
    const known = new Set(specs.map((s) => s.name));
    const extra = arrays.filter((a) => !known.has(a.name)).map((a) => a.name);
    throw new CheckpointFormatError(`weights hold tensors the config does not use: ${extra.join(', ')}`);
  }
}

const WEIGHTS_KIND = 'vae-weights';

/**
 * A trained model as bytes (for a file or a database BLOB). With a config it is stored in the blob
 * and the names/shapes are checked against it.
 */
export function serializeWeights(weights: VaeWeights, config?: VaeConfig): Uint8Array {
  return serializeWeightArrays(weightsToArrays(weights, config), config);
}

/** serializeWeights from arrays already read (readWeightArrays). */
export function serializeWeightArrays(arrays: NamedArray[], config?: VaeConfig): Uint8Array {
  if (config) validateConfig(config);
  return packTensors(WEIGHTS_KIND, { config: config ?? null }, arrays);
}

/** Inverse of serializeWeights: new tensors (the caller disposes them) and the stored config, if any. */
export function deserializeWeights(bytes: Uint8Array): { weights: VaeWeights; config: VaeConfig | null } {
  const { kind, meta, tensors } = unpackTensors(bytes);
  if (kind !== WEIGHTS_KIND && kind !== CHECKPOINT_KIND) throw new CheckpointFormatError(`expected vae weights, found '${kind}'`);
  if (kind === CHECKPOINT_KIND) {
    // A training checkpoint also holds weights: take its best ones.
    const ck = decodeCheckpointParts(meta, tensors);
    return { weights: arraysToWeights(ck.bestWeights ?? ck.weights), config: ck.config };
  }
  const config = ((meta as { config?: VaeConfig | null } | null)?.config ?? null) as VaeConfig | null;
  if (config) checkWeightArrays(config, tensors);
  return { weights: arraysToWeights(tensors), config };
}

// ------------------------------------------------------------------------------ training state

/** One finished epoch. Losses are nats per frame (means over frames). */
export interface EpochRecord {
  epoch: number;
  /** Training objective: recon + β·KL, mean over the epoch's steps weighted by frames. */
  loss: number;
  recon: number;
  kl: number;
  beta: number;
  /** Negative ELBO (recon + KL, β = 1) on the held-out split; null without one. */
  valLoss: number | null;
  valRecon: number | null;
  valKl: number | null;
  seconds: number;
  /**
   * Mixture-prior VAE only: the class usage (mean responsibility of each component over the epoch's
   * sampled codes, before the epoch's EM update), its normalized entropy H/log K, the components the
   * collapse guard re-seeded, and the Gumbel-softmax temperature at the epoch's end (null for the
   * plain-VAE warm-up epoch whose codes the first mixture was fitted to).
   */
  mixture?: { usage: number[]; usageEntropy: number; reseeded: number[]; tau: number | null };
}

export interface AdamState {
  /** Number of updates done so far (t in the bias correction). */
  step: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  m: NamedArray[];
  v: NamedArray[];
}

/** Everything needed to continue a training run exactly where it stopped. */
export interface TrainCheckpoint {
  config: VaeConfig;
  /** Epochs completed (the next epoch to run is this index). */
  epoch: number;
  weights: NamedArray[];
  /** Weights of the best epoch so far (by the monitored loss); null when they equal `weights`. */
  bestWeights: NamedArray[] | null;
  adam: AdamState | null;
  /** Best monitored loss so far (validation negative ELBO, or training loss without a split). */
  bestLoss: number | null;
  bestEpoch: number;
  /** Epochs since the best one (the early-stopping counter). */
  badEpochs: number;
  history: EpochRecord[];
  /** RNG position: all randomness is a pure function of (seed, epoch, step), so the seed and epoch suffice. */
  rng: { seed: number; scheme: string };
  /** The data the run was trained on, to refuse resuming on something else. */
  data: { count: number; size: number; channels: number; trainCount: number; valCount: number; fingerprint: number };
  /** Options of the run that wrote it, for the record (learning rate, batch size, β, ...). */
  options: Record<string, unknown>;
  savedAt: string;
  /** Mixture-prior VAE: the prior after the last finished epoch and the one of the best epoch (null before the first fit). */
  mixture?: { current: StoredMixture | null; best: StoredMixture | null };
}

const CHECKPOINT_KIND = 'vae-train-checkpoint';

type CheckpointMeta = Omit<TrainCheckpoint, 'weights' | 'bestWeights' | 'adam'> & {
  adam: Omit<AdamState, 'm' | 'v'> | null;
  hasBest: boolean;
};

export function encodeCheckpoint(ck: TrainCheckpoint): Uint8Array {
  validateConfig(ck.config);
  checkWeightArrays(ck.config, ck.weights);
  if (ck.bestWeights) checkWeightArrays(ck.config, ck.bestWeights);
  const { weights, bestWeights, adam, ...rest } = ck;
  const meta: CheckpointMeta = {
    ...rest,
    adam: adam ? { step: adam.step, beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon } : null,
    hasBest: bestWeights !== null,
  };
  const tensors: NamedArray[] = [
    ...weights.map((a) => ({ ...a, name: `w/${a.name}` })),
    ...(bestWeights ?? []).map((a) => ({ ...a, name: `best/${a.name}` })),
    ...(adam?.m ?? []).map((a) => ({ ...a, name: `adam.m/${a.name}` })),
    ...(adam?.v ?? []).map((a) => ({ ...a, name: `adam.v/${a.name}` })),
  ];
  return packTensors(CHECKPOINT_KIND, meta, tensors);
}

function decodeCheckpointParts(metaRaw: unknown, tensors: NamedArray[]): TrainCheckpoint {
  const meta = metaRaw as CheckpointMeta;
  if (!meta || typeof meta !== 'object' || !meta.config) throw new CheckpointFormatError('checkpoint header lacks a config');
  const group = (prefix: string): NamedArray[] =>
    tensors.filter((t) => t.name.startsWith(prefix)).map((t) => ({ ...t, name: t.name.slice(prefix.length) }));
  const weights = group('w/');
  checkWeightArrays(meta.config, weights);
  const bestWeights = meta.hasBest ? group('best/') : null;
  if (bestWeights) checkWeightArrays(meta.config, bestWeights);
  let adam: AdamState | null = null;
  if (meta.adam) {
    adam = { ...meta.adam, m: group('adam.m/'), v: group('adam.v/') };
    checkWeightArrays(meta.config, adam.m);
    checkWeightArrays(meta.config, adam.v);
  }
  const { hasBest: _hasBest, adam: _adam, ...rest } = meta;
  return { ...rest, weights, bestWeights, adam };
}

export function decodeCheckpoint(bytes: Uint8Array): TrainCheckpoint {
  const { kind, meta, tensors } = unpackTensors(bytes);
  if (kind !== CHECKPOINT_KIND) throw new CheckpointFormatError(`expected a training checkpoint, found '${kind}'`);
  return decodeCheckpointParts(meta, tensors);
}

// ---------------------------------------------------------------------------------------- files

/** Atomic file writes live in core/atomic-write.ts; re-exported for this module's callers. */
export { writeFileAtomic };

export async function saveCheckpoint(path: string, ck: TrainCheckpoint): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(ck));
}

export async function loadCheckpoint(path: string): Promise<TrainCheckpoint> {
  const fh = await open(path, 'r');
  try {
    const bytes = await fh.readFile();
    return decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } finally {
    await fh.close();
  }
}

/** Writes a trained model file (serializeWeights) atomically. */
export async function saveWeightsFile(path: string, weights: VaeWeights, config: VaeConfig): Promise<void> {
  await writeFileAtomic(path, serializeWeights(weights, config));
}

export async function loadWeightsFile(path: string): Promise<{ weights: VaeWeights; config: VaeConfig | null }> {
  const fh = await open(path, 'r');
  try {
    const bytes = await fh.readFile();
    return deserializeWeights(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } finally {
    await fh.close();
  }
}
