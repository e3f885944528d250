/**
 * A data-parallel training helper thread (parallel.ts starts it): its own TensorFlow.js wasm backend
 * and a copy of the weights as variables. Per step it reads the weights the training thread published
 * in shared memory (when their version changed), computes the loss and gradients of its shard of the
 * batch with shard-step.ts (the code the training thread runs on its own shard), writes the gradients
 * to its slot of the shared gradient buffer and answers with the loss terms and codes.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/index.js';
import { observedWeights } from './losses.js';
import { priorTensors } from './mixture-prior.js';
import { shardGrads, shardUsage, type ShardContext } from './shard-step.js';
import { weightSpecs } from './spec.js';
import { claimChunks, type ChunkResult, type FromShard, type ShardInit, type ToShard } from './parallel.js';

if (!parentPort) throw new Error('shard-worker.ts must run as a worker thread');
const port = parentPort;
const post = (m: FromShard): void => port.postMessage(m);

let ctx: ShardContext | null = null;
let vars: Record<string, tf.Variable> = {};
let varList: tf.Variable[] = [];
let layout: { name: string; shape: number[]; offset: number; size: number }[] = [];
let weightsView: Float32Array | null = null;
let grads: SharedArrayBuffer | null = null;
let counter: Int32Array | null = null;
let total = 0;
let version = -1;

async function init(m: ShardInit): Promise<void> {
  const info = await selectBackend('wasm', { fastKernels: m.fastKernels });
  const frames = { data: new Uint8Array(m.frames.buffer), count: m.frames.count, size: m.frames.size, channels: m.frames.channels };
  ctx = {
    config: m.config,
    frames,
    autoencoder: m.autoencoder,
    observed: m.ignoreMask ? observedWeights(m.ignoreMask, m.config.inputSize) : undefined,
    prior: null,
    k: m.k,
    labels: m.labels,
    entropyWeight: m.entropyWeight,
  };
  let offset = 0;
  layout = weightSpecs(m.config).map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const e = { name: s.name, shape: s.shape, offset, size };
    offset += size;
    return e;
  });
  weightsView = new Float32Array(m.weights);
  grads = m.grads;
  counter = new Int32Array(m.counter);
  total = offset;
  vars = {};
  for (const l of layout) vars[l.name] = tf.variable(tf.zeros(l.shape), true, `shard-${l.name}`);
  varList = layout.map((l) => vars[l.name]!);
  post({ type: 'ready', detail: info.detail });
}

function syncWeights(v: number): void {
  if (v === version) return;
  for (const l of layout) {
    const t = tf.tensor(weightsView!.slice(l.offset, l.offset + l.size), l.shape, 'float32');
    vars[l.name]!.assign(t);
    t.dispose();
  }
  version = v;
}

port.on('message', (m: ToShard) => void handle(m));

async function handle(m: ToShard): Promise<void> {
  try {
    if (m.type === 'init') {
      init(m).catch((e: unknown) => post({ type: 'error', message: (e as Error).message ?? String(e) }));
      return;
    }
    if (!ctx) throw new Error('the shard was not initialised');
    if (m.type === 'prior') {
      if (ctx.prior) tf.dispose([ctx.prior.logPi, ctx.prior.means, ctx.prior.vars]);
      ctx.prior = m.gmm ? priorTensors(m.gmm) : null;
    } else if (m.type === 'usage') {
      syncWeights(m.version);
      const q: { chunk: number; q: Float64Array }[] = [];
      await claimChunks(counter!, m.chunks.length, async (i) => {
        q.push({ chunk: i, q: await shardUsage(ctx!, vars, m.chunks[i]!) });
      });
      post({ type: 'usage', q });
    } else if (m.type === 'step') {
      syncWeights(m.version);
      const results: ChunkResult[] = [];
      await claimChunks(counter!, m.chunks.length, async (i) => {
        const r = await shardGrads(ctx!, vars, varList, m.chunks[i]!);
        const slot = new Float32Array(grads!, i * total * 4, total);
        for (const l of layout) {
          const g = r.grads[vars[l.name]!.name];
          if (g) slot.set(g.dataSync() as Float32Array, l.offset);
          else slot.fill(0, l.offset, l.offset + l.size);
        }
        tf.dispose(Object.values(r.grads));
        results.push({ chunk: i, loss: r.loss, recon: r.recon, kl: r.kl, z: r.z });
      });
      post({ type: 'done', results });
    }
  } catch (e) {
    post({ type: 'error', message: (e as Error).message ?? String(e) });
  }
}
