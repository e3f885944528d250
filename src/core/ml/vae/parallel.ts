/**
 * Data-parallel training across cores (trainVae's `workers`): the training thread plus workers − 1
 * helper threads (shard-worker.ts), each with its own TensorFlow.js wasm backend. Every step the batch
 * is cut into `workers` contiguous shards of rows; each thread computes the loss and gradients of its
 * shard (shard-step.ts, the same code in every thread), the helpers write theirs into a
 * SharedArrayBuffer, the training thread adds them to its own and makes the one Adam step (its
 * optimizer state is the only one), then publishes the new weights in a second SharedArrayBuffer that
 * the helpers read before their next shard. Control messages go by postMessage; the frames are shared
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
  slot: number;
  fastKernels: boolean;
}

export type ToShard =
  | ShardInit
  | { type: 'prior'; gmm: DiagGmm | null }
  | { type: 'usage'; req: ShardRequest; version: number }
  | { type: 'step'; req: ShardRequest; version: number };

export type FromShard =
  | { type: 'ready'; detail: string }
  | { type: 'error'; message: string }
  | { type: 'usage'; q: Float64Array }
  | { type: 'done'; loss: number; recon: number; kl: number; z: Float32Array | null };

export interface HelperResult {
  loss: number;
  recon: number;
  kl: number;
  z: Float32Array | null;
  /** This helper's gradients, flat in weightSpecs order (a view of shared memory, valid until the next step). */
  grads: Float32Array;
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
  private readonly layout: { name: string; offset: number; size: number }[];
  private closed = false;
  private constructor(
    private readonly helpers: Helper[],
    weightsBuffer: SharedArrayBuffer,
    private readonly gradsBuffer: SharedArrayBuffer,
    private readonly total: number,
    config: VaeConfig,
    /** The helpers' backend line (from the first). */
    readonly detail: string,
  ) {
    this.weights = new Float32Array(weightsBuffer);
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
      const gradsBuffer = new SharedArrayBuffer(n * total * 4);
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
          helpers.map((h, slot) =>
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
              slot,
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
      return { pool: new ShardPool(helpers, weightsBuffer, gradsBuffer, total, o.config, detail) };
    } catch (e) {
      await Promise.all(started.map((w) => w.terminate().catch(() => 0)));
      return { pool: null, reason: (e as Error).message };
    }
  }

  /** Copies the training thread's weights into shared memory for the helpers' next shard. */
  publishWeights(vars: Record<string, tf.Tensor>): void {
    for (const l of this.layout) this.weights.set(vars[l.name]!.dataSync() as Float32Array, l.offset);
    this.version++;
  }

  setPrior(gmm: DiagGmm | null): void {
    for (const h of this.helpers) h.tell({ type: 'prior', gmm });
  }

  /** Σ q of each helper's shard (requests for helpers 1..), forward only. */
  async usage(reqs: ShardRequest[]): Promise<Float64Array[]> {
    const out = await Promise.all(reqs.map((req, i) => this.helpers[i]!.ask({ type: 'usage', req, version: this.version })));
    return out.map((m) => (m.type === 'usage' ? m.q : new Float64Array(0)));
  }

  /** Starts the helpers' shards (reqs[i] for helper i); await the result after computing the own shard. */
  step(reqs: ShardRequest[]): Promise<HelperResult[]> {
    return Promise.all(
      reqs.map(async (req, i) => {
        const m = await this.helpers[i]!.ask({ type: 'step', req, version: this.version });
        if (m.type !== 'done') throw new Error(`unexpected answer '${m.type}' from a training helper thread`);
        return { loss: m.loss, recon: m.recon, kl: m.kl, z: m.z, grads: new Float32Array(this.gradsBuffer, i * this.total * 4, this.total) };
      }),
    );
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
