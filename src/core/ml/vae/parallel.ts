/**
 * Data-parallel training across cores (trainVae's `workers`): the training thread plus workers − 1
 * helper threads (shard-worker.ts), each with its own TensorFlow.js wasm backend. Every step the batch
 * is cut into contiguous chunks of rows (one per thread, at least 4 rows each); every thread claims
 * chunks from a shared atomic counter until none is left, computes each one's loss and gradients
 * (shard-step.ts, the same code in every thread) and writes the gradients into that chunk's slot of a
 * SharedArrayBuffer. The training thread adds the slots in chunk order (so a run is reproducible
 * whichever thread took which chunk), makes the one Adam step (its optimizer state is the only one)
 * and publishes the new weights in a second SharedArrayBuffer that the helpers read before their next
 * chunk. Claiming rather than assigning the chunks lets whichever thread is free first start the
 * next one. Control messages go by postMessage; the frames are shared
 * too (one copy for all threads).
 *
 * Only the wasm backend is split this way: tfjs-node uses every core by itself, and a GPU backend has
 * one device. Where a helper cannot start (no worker threads, no wasm), startShardPool says why and
 * the run trains on one thread.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import type { DiagGmm } from '../family/mixture.js';
import type { ShardFrames, ShardRequest } from './shard-step.js';
import { weightSpecs, type VaeConfig } from './spec.js';

/** Threads a run uses when nothing says otherwise in the app and the CLI: one per core. */
export function defaultTrainWorkers(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

export interface ShardInit {
  type: 'init';
  config: VaeConfig;
  frames: { buffer: SharedArrayBuffer; count: number; size: number; channels: number };
  ignoreMask: Uint8Array | null;
  autoencoder: boolean;
  k: number;
  labels: Int32Array | null;
  entropyWeight: number;
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  /** Int32 [0]: the next chunk to claim. */
  counter: SharedArrayBuffer;
  fastKernels: boolean;
}

export type ToShard =
  | ShardInit
  | { type: 'prior'; gmm: DiagGmm | null }
  | { type: 'usage'; chunks: ShardRequest[]; version: number }
  | { type: 'step'; chunks: ShardRequest[]; version: number };

export interface ChunkResult {
  chunk: number;
  loss: number;
  recon: number;
  kl: number;
  z: Float32Array | null;
}

export type FromShard =
  | { type: 'ready'; detail: string }
  | { type: 'error'; message: string }
  | { type: 'usage'; q: { chunk: number; q: Float64Array }[] }
  | { type: 'done'; results: ChunkResult[] };

/**
 * Chunks per step: one per thread, at least 4 rows each. Not more: a step's fixed cost per call is
 * large on wasm (default model, 32 frames as 1 / 2 / 4 calls: 611 / 710 / 1000 ms on this machine), so
 * finer chunks for balancing cost more than a slowed thread does.
 */
export function chunkCount(rows: number, workers: number): number {
  return Math.max(1, Math.min(workers, Math.floor(rows / 4)));
}

/**
 * Claims chunks from the shared counter until none is left, running `f` on each (helpers and the
 * training thread alike).
 */
export async function claimChunks(counter: Int32Array, n: number, f: (i: number) => Promise<void>): Promise<void> {
  for (;;) {
    const i = Atomics.add(counter, 0, 1);
    if (i >= n) return;
    await f(i);
  }
}

/** The worker script: beside a built bundle (out/main/train-shard.js), or the TypeScript source through tsx. */
function shardEntry(): { file: string; argv: string[] } {
  const url = import.meta.url;
  const here = dirname(fileURLToPath(url));
  // Bundled, this code may sit in out/main/chunks/ beside or below the entries.
  const built = [join(here, 'train-shard.js'), join(here, '..', 'train-shard.js')].find((f) => existsSync(f));
  if (!url.endsWith('.ts') && built) return { file: built, argv: [] };
  let dir = here;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return { file: resolve(dir, 'scripts/tsx-worker.mjs'), argv: [resolve(dir, 'src/core/ml/vae/shard-worker.ts')] };
}

/** Rows [0, n) cut into `parts` contiguous shards as even as possible (earlier shards take the remainder). */
export function shardRows(n: number, parts: number): { offset: number; count: number }[] {
  const out: { offset: number; count: number }[] = [];
  const base = Math.floor(n / parts);
  const extra = n % parts;
  let offset = 0;
  for (let i = 0; i < parts; i++) {
    const count = base + (i < extra ? 1 : 0);
    out.push({ offset, count });
    offset += count;
  }
  return out;
}

class Helper {
  private waiting: { resolve: (m: FromShard) => void; reject: (e: Error) => void } | null = null;
  private dead: Error | null = null;
  constructor(readonly worker: Worker) {
    worker.on('message', (m: FromShard) => {
      const w = this.waiting;
      this.waiting = null;
      if (!w) return;
      if (m.type === 'error') w.reject(new Error(`training helper thread: ${m.message}`));
      else w.resolve(m);
    });
    const fail = (e: Error): void => {
      this.dead = e;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(e);
    };
    worker.on('error', (e) => fail(new Error(`a training helper thread crashed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`a training helper thread stopped (exit code ${code})`)));
  }
  /** Sends a message and waits for the one answer. */
  ask(m: ToShard): Promise<FromShard> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage(m);
    });
  }
  tell(m: ToShard): void {
    if (!this.dead) this.worker.postMessage(m);
  }
}

export interface PoolOptions {
  config: VaeConfig;
  frames: ShardFrames;
  ignoreMask: Uint8Array | null;
  autoencoder: boolean;
  k: number;
  labels: Int32Array | null;
  entropyWeight: number;
  fastKernels: boolean;
  /** Give up starting the helpers after this long (default 60 s: tsx compiles the sources on first use). */
  startTimeoutMs?: number;
}

export class ShardPool {
  private version = 0;
  private readonly weights: Float32Array;
  private readonly counter: Int32Array;
  private readonly layout: { name: string; offset: number; size: number }[];
  private closed = false;
  private constructor(
    private readonly helpers: Helper[],
    weightsBuffer: SharedArrayBuffer,
    private readonly gradsBuffer: SharedArrayBuffer,
    counterBuffer: SharedArrayBuffer,
    /** Floats in one gradient slot (every weight, flat in weightSpecs order). */
    readonly total: number,
    config: VaeConfig,
    /** The helpers' backend line (from the first). */
    readonly detail: string,
  ) {
    this.weights = new Float32Array(weightsBuffer);
    this.counter = new Int32Array(counterBuffer);
    let offset = 0;
    this.layout = weightSpecs(config).map((s) => {
      const size = s.shape.reduce((a, b) => a * b, 1);
      const e = { name: s.name, offset, size };
      offset += size;
      return e;
    });
  }

  /** Threads in all: the helpers and the training thread. */
  get workers(): number {
    return this.helpers.length + 1;
  }

  /** Starts `workers − 1` helpers; null and the reason when they cannot start (the run then uses one thread). */
  static async start(workers: number, o: PoolOptions): Promise<{ pool: ShardPool } | { pool: null; reason: string }> {
    const n = workers - 1;
    const specs = weightSpecs(o.config);
    const total = specs.reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
    const started: Worker[] = [];
    try {
      const framesBuffer = new SharedArrayBuffer(o.frames.data.length);
      new Uint8Array(framesBuffer).set(o.frames.data);
      const weightsBuffer = new SharedArrayBuffer(total * 4);
      const gradsBuffer = new SharedArrayBuffer(2 * workers * total * 4);
      const counterBuffer = new SharedArrayBuffer(4);
      const entry = shardEntry();
      const helpers: Helper[] = [];
      for (let i = 0; i < n; i++) {
        const w = new Worker(entry.file, { argv: entry.argv, name: `train-shard-${i + 1}` });
        started.push(w);
        helpers.push(new Helper(w));
      }
      const timeout = o.startTimeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      const answers = await Promise.race([
        Promise.all(
          helpers.map((h) =>
            h.ask({
              type: 'init',
              config: o.config,
              frames: { buffer: framesBuffer, count: o.frames.count, size: o.frames.size, channels: o.frames.channels },
              ignoreMask: o.ignoreMask,
              autoencoder: o.autoencoder,
              k: o.k,
              labels: o.labels,
              entropyWeight: o.entropyWeight,
              weights: weightsBuffer,
              grads: gradsBuffer,
              counter: counterBuffer,
              fastKernels: o.fastKernels,
            }),
          ),
        ),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the helper threads did not start within ${timeout / 1000} s`)), timeout);
          timer.unref?.();
        }),
      ]).finally(() => clearTimeout(timer));
      const first = answers[0];
      const detail = first && first.type === 'ready' ? first.detail : '';
      return { pool: new ShardPool(helpers, weightsBuffer, gradsBuffer, counterBuffer, total, o.config, detail) };
    } catch (e) {
      await Promise.all(started.map((w) => w.terminate().catch(() => 0)));
      return { pool: null, reason: (e as Error).message };
    }
  }

  /** Copies the training thread's weights into shared memory for the helpers' next chunk. */
  publishWeights(vars: Record<string, tf.Tensor>): void {
    for (const l of this.layout) this.weights.set(vars[l.name]!.dataSync() as Float32Array, l.offset);
    this.version++;
  }

  setPrior(gmm: DiagGmm | null): void {
    for (const h of this.helpers) h.tell({ type: 'prior', gmm });
  }

  /** Chunk i's gradient slot (flat, weightSpecs order; shared memory, valid until the next step). */
  slot(i: number): Float32Array {
    return new Float32Array(this.gradsBuffer, i * this.total * 4, this.total);
  }

  /** Σ q of every chunk, forward only: the helpers and `own` (this thread) claim chunks until none is left. */
  async usage(chunks: ShardRequest[], own: (req: ShardRequest) => Promise<Float64Array>): Promise<Float64Array[]> {
    const out: Float64Array[] = new Array(chunks.length);
    Atomics.store(this.counter, 0, 0);
    const pending = Promise.all(this.helpers.map((h) => h.ask({ type: 'usage', chunks, version: this.version })));
    pending.catch(() => undefined); // handled below, after this thread's chunks
    let failed: unknown = null;
    await claimChunks(this.counter, chunks.length, async (i) => {
      out[i] = await own(chunks[i]!);
    }).catch((e: unknown) => (failed = e));
    const answers = await pending;
    if (failed) throw failed;
    for (const m of answers) if (m.type === 'usage') for (const r of m.q) out[r.chunk] = r.q;
    return out;
  }

  /**
   * Every chunk's loss terms and codes, in chunk order, with its gradients in slot(i): the helpers and
   * `own` (this thread, which must write slot(i) itself) claim chunks until none is left.
   */
  async step(chunks: ShardRequest[], own: (req: ShardRequest, i: number) => Promise<ChunkResult>): Promise<ChunkResult[]> {
    const out: ChunkResult[] = new Array(chunks.length);
    Atomics.store(this.counter, 0, 0);
    const pending = Promise.all(this.helpers.map((h) => h.ask({ type: 'step', chunks, version: this.version })));
    pending.catch(() => undefined); // handled below, after this thread's chunks
    let failed: unknown = null;
    await claimChunks(this.counter, chunks.length, async (i) => {
      out[i] = await own(chunks[i]!, i);
    }).catch((e: unknown) => {
      // Stop the helpers claiming more, then wait for them before the error leaves.
      Atomics.store(this.counter, 0, chunks.length);
      failed = e;
    });
    const answers = await pending;
    if (failed) throw failed;
    for (const m of answers) if (m.type === 'done') for (const r of m.results) out[r.chunk] = r;
    return out;
  }

  /** Where weight `name` sits in a flat gradient. */
  slice(name: string): { offset: number; size: number } {
    const l = this.layout.find((x) => x.name === name)!;
    return { offset: l.offset, size: l.size };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.helpers.map((h) => h.worker.terminate().catch(() => 0)));
  }
}
