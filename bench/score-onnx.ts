/**
 * Scoring throughput of the exported VAE in onnxruntime-node.
 *
 *   npx tsx bench/score-onnx.ts [--seconds 2] [--filters 32,64,64,128] [--size 64] [--latent 16]
 *                               [--opt all|extended|basic|disabled] [--spin 0|1] [--full]
 *
 * For each thread count (1, 2) and batch size (32, 64, 128) it measures
 *   (a) bare ONNX Runtime session.run on a prebuilt input tensor, score outputs only;
 *   (b) OnnxVaeScorer.run on raw uint8 frame bytes (scores only, or all outputs with --full);
 * and prints frames/s for each and the ratio (b)/(a). Weights are random (Glorot, non-zero biases).
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { exportVaeToOnnx, ONNX_INPUT, ONNX_SCORE_OUTPUTS } from '../src/core/ml/onnx/export-vae.js';
import { OnnxVaeScorer, type GraphOptimizationLevel } from '../src/core/ml/onnx/runtime.js';
import { randomFrames, randomWeights } from '../test/ml/onnx-reference.js';
import { DEFAULT_VAE_CONFIG, type VaeConfig } from '../src/core/ml/vae/spec.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    filters: { type: 'string' },
    size: { type: 'string' },
    latent: { type: 'string' },
    opt: { type: 'string', default: 'all' },
    spin: { type: 'string' },
    full: { type: 'boolean', default: false },
    batches: { type: 'string', default: '32,64,128' },
    threads: { type: 'string', default: '1,2' },
  },
});

const TARGET_FPS = 1000;
const seconds = Number(args.seconds);
const opt = args.opt as GraphOptimizationLevel;
const spin = args.spin === undefined ? undefined : args.spin === '1';
const config: VaeConfig = {
  ...DEFAULT_VAE_CONFIG,
  ...(args.filters ? { filters: args.filters.split(',').map(Number) } : {}),
  ...(args.size ? { inputSize: Number(args.size) } : {}),
  ...(args.latent ? { latentDim: Number(args.latent) } : {}),
};
const batches = args.batches.split(',').map(Number);
const threadCounts = args.threads.split(',').map(Number);

interface Rate {
  /** Frames per wall-clock second. */
  fps: number;
  /** Frames per CPU-second of this process (all its threads): robust to other load on the machine. */
  perCpuSecond: number;
}

/** Runs fn repeatedly for about `seconds` (after a warm-up) and returns frames per second. */
async function measure(batch: number, fn: () => Promise<unknown>): Promise<Rate> {
  for (let i = 0; i < 3; i++) await fn();
  let iters = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < seconds * 1000 || iters < 5) {
    await fn();
    iters++;
    t = performance.now();
  }
  const cpu = process.cpuUsage(c0);
  const frames = iters * batch;
  return { fps: frames / ((t - t0) / 1000), perCpuSecond: frames / ((cpu.user + cpu.system) / 1e6) };
}

const fmt = (r: Rate): string => `${r.fps.toFixed(0).padStart(6)} (${r.perCpuSecond.toFixed(0).padStart(5)}/cpu-s)`;

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const weights = randomWeights(config, 1);
  const t0 = performance.now();
  const model = exportVaeToOnnx(config, weights);
  const exportMs = performance.now() - t0;
  tf.dispose(Object.values(weights));

  const macs = estimateMacs(config);
  console.log(`ONNX Runtime ${ort.env.versions.node}, Node ${process.version}, ${cpus().length} CPU(s): ${cpus()[0]?.model ?? '?'}`);
  console.log(
    `model: ${config.inputSize}x${config.inputSize}x${config.channels}, filters [${config.filters.join(', ')}], latent ${config.latentDim}, ${config.likelihood}; ` +
      `${(model.byteLength / 1e6).toFixed(2)} MB, exported in ${exportMs.toFixed(0)} ms; ~${(macs / 1e6).toFixed(1)} M multiply-adds per frame`,
  );
  console.log(`graph optimization '${opt}', spinning ${spin === undefined ? 'default' : spin ? 'on' : 'off'}, (b) fetches ${args.full ? 'all outputs' : 'scores only'}, ~${seconds} s per cell\n`);
  const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`load average before: ${load()} (${cpus().length} cores; frames/s is wall-clock, /cpu-s is per CPU-second of this process)`);
  console.log('threads  batch   (a) ORT session.run          (b) OnnxVaeScorer.run        (b)/(a)');

  let best = 0;
  for (const threads of threadCounts) {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      graphOptimizationLevel: opt,
      executionMode: 'sequential',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    };
    if (spin !== undefined) sessionOptions.extra = { session: { intra_op: { allow_spinning: spin ? '1' : '0' } } };
    const session = await ort.InferenceSession.create(model, sessionOptions);
    const scorer = await OnnxVaeScorer.create(model, { threads, graphOptimizationLevel: opt, ...(spin === undefined ? {} : { allowSpinning: spin }) });
    for (const batch of batches) {
      const frames = randomFrames(config, batch, batch);
      const S = config.inputSize;
      const tensor = new ort.Tensor('uint8', frames, [batch, S, S, config.channels]);
      const a = await measure(batch, () => session.run({ [ONNX_INPUT]: tensor }, ONNX_SCORE_OUTPUTS));
      const b = await measure(batch, () => scorer.run(frames, batch, { full: args.full }));
      best = Math.max(best, b.fps);
      console.log(`${String(threads).padStart(7)}  ${String(batch).padStart(5)}   ${fmt(a)} frames/s   ${fmt(b)} frames/s   ${(b.fps / a.fps).toFixed(3).padStart(7)}`);
    }
    await session.release();
    await scorer.dispose();
  }
  console.log(`load average after: ${load()}`);
  console.log(`\nbest (b): ${best.toFixed(0)} frames/s; target ${TARGET_FPS} frames/s at 64x64: ${best >= TARGET_FPS ? 'met' : 'NOT met'}`);
  if (loadavg()[0]! > cpus().length * 0.75) console.log('warning: the machine was busy with other work; wall-clock numbers understate what an idle machine does');
}

/** Multiply-adds of one frame through encoder, heads and decoder (convs dominate). */
function estimateMacs(c: VaeConfig): number {
  let macs = 0;
  let size = c.inputSize;
  let cin = c.channels;
  for (const f of c.filters) {
    size /= 2;
    macs += size * size * f * cin * 16;
    cin = f;
  }
  const flat = size * size * cin;
  macs += 3 * flat * c.latentDim;
  const widths = [...c.filters].reverse();
  for (let i = 0; i < widths.length; i++) {
    const out = i + 1 < widths.length ? widths[i + 1]! : c.channels;
    macs += size * size * widths[i]! * out * 16;
    size *= 2;
  }
  return macs;
}

await main();
