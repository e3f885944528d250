/**
 * The WebGPU training path (the `webgpu` package's Dawn under @tensorflow/tfjs-backend-webgpu), run
 * here on whatever adapter Dawn finds (on a machine without a GPU: Mesa's llvmpipe through Dawn's
 * OpenGL ES backend), against the CPU path: the same shard gradients (shard-step.ts, the code
 * trainVae runs every step) and the same short training run. Skipped, with one line saying why, where
 * there is no adapter.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './index.js';
import { arraysToWeights, readWeightArrays, type NamedArray } from '../vae/checkpoint.js';
import { shardGrads, type ShardContext, type ShardRequest } from '../vae/shard-step.js';
import { initWeights, weightSpecs, type VaeConfig } from '../vae/spec.js';
import { movingSquares } from '../vae/synthetic.js';
import { trainVae, type TrainOptions } from '../vae/train.js';

const config: VaeConfig = { inputSize: 16, channels: 3, filters: [4, 8], latentDim: 4, likelihood: 'gaussian-learned', fixedLogVar: 0 };
const frames = movingSquares(16, 16, 3);

let device = '';
let skipReason = '';
try {
  device = (await selectBackend('webgpu')).device;
} catch (e) {
  skipReason = (e as Error).message.split('\n')[0]!;
}
await tf.setBackend('cpu');
if (skipReason) console.log(`webgpu training tests skipped: ${skipReason}`);

/** Gradients of one whole-batch step on `backend`, read back as plain arrays. */
async function gradsOn(backend: 'webgpu' | 'cpu', weights: NamedArray[]): Promise<{ loss: number; grads: Record<string, Float32Array> }> {
  if (backend === 'webgpu') await selectBackend('webgpu');
  else await tf.setBackend('cpu');
  const w = arraysToWeights(weights);
  const vars: Record<string, tf.Variable> = {};
  for (const s of weightSpecs(config)) vars[s.name] = tf.variable(w[s.name]!, true);
  tf.dispose(Object.values(w));
  const ctx: ShardContext = { config, frames, autoencoder: false, observed: undefined, prior: null, k: 0, labels: null, entropyWeight: 0 };
  const req: ShardRequest = { idx: [0, 3, 5, 7, 9, 11, 13, 15], rowOffset: 0, batchN: 8, beta: 1, epsSeed: 1234, gumbel: null, qOther: null };
  const r = await shardGrads(ctx, vars, Object.values(vars), req);
  const grads: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(vars)) grads[name] = Float32Array.from((await r.grads[v.name]!.data()) as Float32Array);
  tf.dispose([...Object.values(r.grads), ...Object.values(vars)]);
  return { loss: r.loss, grads };
}

describe.skipIf(!!skipReason)('WebGPU training (Dawn)', () => {
  it(`gives the CPU path's gradients and loss curve (${device || 'no adapter'})`, async () => {
    await tf.setBackend('cpu');
    const init = initWeights(config, 3);
    const weights = await readWeightArrays(init, config);
    tf.dispose(Object.values(init));
    const cpu = await gradsOn('cpu', weights);
    const gpu = await gradsOn('webgpu', weights);
    expect(Math.abs(gpu.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThan(1e-4);
    let worst = 0;
    for (const [name, g] of Object.entries(cpu.grads)) {
      const h = gpu.grads[name]!;
      let scale = 1e-6;
      let diff = 0;
      for (let i = 0; i < g.length; i++) {
        scale = Math.max(scale, Math.abs(g[i]!));
        diff = Math.max(diff, Math.abs(g[i]! - h[i]!));
      }
      worst = Math.max(worst, diff / scale);
    }
    console.log(`webgpu vs cpu: loss ${gpu.loss.toFixed(4)} vs ${cpu.loss.toFixed(4)}, worst gradient difference ${worst.toExponential(2)} of the weight's largest gradient`);
    expect(worst).toBeLessThan(1e-3);

    // A short run through trainVae (validation, checkpoint-free): the loss curves agree.
    const opts: TrainOptions = { config, epochs: 2, batchSize: 8, learningRate: 1e-3, validationFraction: 0.25, seed: 5 };
    await tf.setBackend('cpu');
    const a = await trainVae(frames, opts);
    await selectBackend('webgpu');
    const b = await trainVae(frames, opts);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(b.history[i]!.loss - a.history[i]!.loss) / Math.abs(a.history[i]!.loss)).toBeLessThan(1e-3);
      expect(Math.abs(b.history[i]!.valLoss! - a.history[i]!.valLoss!) / Math.abs(a.history[i]!.valLoss!)).toBeLessThan(1e-3);
    }
    tf.dispose(Object.values(b.weights));
    await tf.setBackend('cpu');
    tf.dispose(Object.values(a.weights));
  });
});
