/**
 * Training throughput of the DEFAULT VAE config (spec.ts, 64×64×3) per tfjs backend, measured in
 * one run: a warm-up step, then a fixed number of timed training steps (forward, backward, Adam)
 * through trainVae on synthetic moving-square frames.
 *
 *   npx tsx bench/train.ts    # env: BENCH_STEPS (8), BENCH_BATCH (8), BENCH_CPU_STEPS (1), BENCH_CPU_BATCH (2)
 *
 * Backends: cpu (pure JS), wasm stock, wasm with LatentWatch's fast conv kernels (when
 * src/core/ml/backend exists), and tfjs-node when its native binding is installed. Prints frames/s
 * per backend and the wasm fast/stock ratio (or why stock cannot train).
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_VAE_CONFIG } from '../src/core/ml/vae/spec.js';
import { movingSquares } from '../src/core/ml/vae/synthetic.js';
import { trainVae } from '../src/core/ml/vae/train.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STEPS = Number(process.env.BENCH_STEPS ?? 8);
const BATCH = Number(process.env.BENCH_BATCH ?? 8);
/** The cpu backend's Conv2DBackpropFilter is a scalar loop (seconds per frame): fewer steps there. */
const CPU_STEPS = Number(process.env.BENCH_CPU_STEPS ?? 1);
const CPU_BATCH = Number(process.env.BENCH_CPU_BATCH ?? 2);

interface Attempt {
  name: string;
  ok: boolean;
  reason?: string;
}
interface BackendModule {
  selectBackend?: (prefer?: string, opts?: { fastKernels?: boolean }) => Promise<{ name: string; detail?: string }>;
  availableBackends?: () => Promise<Attempt[]>;
  setFastWasmKernels?: (enabled: boolean) => void;
}

async function loadBackendModule(): Promise<{ mod: BackendModule; from: string } | null> {
  for (const rel of ['src/core/ml/backend/index.ts']) {
    const p = join(root, rel);
    if (!existsSync(p)) continue;
    try {
      return { mod: (await import(pathToFileURL(p).href)) as BackendModule, from: rel };
    } catch (e) {
      console.log(`(could not load ${rel}: ${(e as Error).message})`);
    }
  }
  return null;
}

interface Result {
  label: string;
  fps?: number;
  note?: string;
}

async function measure(label: string, steps: number, batch: number, warmup = true): Promise<Result> {
  const config = DEFAULT_VAE_CONFIG;
  const opts = { config, epochs: 1, batchSize: batch, learningRate: 1e-3, validationFraction: 0, seed: 1 };
  try {
    if (warmup) {
      // First use of a backend initialises it and its kernels; keep that out of the timing.
      const warm = await trainVae(movingSquares(batch, config.inputSize, config.channels), opts);
      tf.dispose(Object.values(warm.weights));
    }
    const frames = movingSquares(batch * steps, config.inputSize, config.channels, 3);
    const t0 = performance.now();
    const r = await trainVae(frames, opts);
    const wall = (performance.now() - t0) / 1000;
    tf.dispose(Object.values(r.weights));
    return { label, fps: r.framesPerSec, note: `${steps} step(s) × batch ${batch}, ${wall.toFixed(1)} s wall` };
  } catch (e) {
    return { label, note: `cannot train: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** Without src/core/ml/backend: cpu, wasm (stock) and tfjs-node when its binding file exists. */
async function fallbackBackends(results: Result[]): Promise<void> {
  const binding = join(root, 'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node');
  if (existsSync(binding)) {
    try {
      await import('@tensorflow/tfjs-node');
      await tf.setBackend('tensorflow');
      results.push(await measure('tfjs-node', STEPS, BATCH));
    } catch (e) {
      results.push({ label: 'tfjs-node', note: `unavailable: ${(e as Error).message.split('\n')[0]}` });
    }
  } else results.push({ label: 'tfjs-node', note: 'unavailable: native binding not installed' });
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend(wasm) returned false');
    results.push(await measure('wasm stock', STEPS, BATCH));
  } catch (e) {
    results.push({ label: 'wasm', note: `unavailable: ${(e as Error).message}` });
  }
  results.push({ label: 'wasm fast', note: 'not measured: src/core/ml/backend (setFastWasmKernels) is not there' });
}

async function withBackendModule(mod: Required<BackendModule>, results: Result[]): Promise<void> {
  const attempts = await mod.availableBackends();
  for (const a of attempts) {
    if (a.name === 'cpu') continue; // measured last, with fewer steps
    if (!a.ok) {
      results.push({ label: a.name, note: `unavailable: ${(a.reason ?? '').slice(0, 110)}` });
      continue;
    }
    if (a.name !== 'wasm') {
      const info = await mod.selectBackend(a.name);
      results.push(await measure(`${a.name} (${info.detail ?? info.name})`, STEPS, BATCH));
      continue;
    }
    await mod.selectBackend('wasm', { fastKernels: false });
    mod.setFastWasmKernels(false);
    const stock = await measure('wasm stock', STEPS, BATCH);
    results.push(stock);
    const info = await mod.selectBackend('wasm', { fastKernels: true });
    mod.setFastWasmKernels(true);
    const fast = await measure('wasm fast', STEPS, BATCH);
    results.push(fast);
    console.log(`wasm: ${info.detail ?? ''}`);
    if (stock.fps && fast.fps) results.push({ label: 'wasm fast / stock', note: `${(fast.fps / stock.fps).toFixed(2)}× faster` });
    else if (fast.fps) results.push({ label: 'wasm fast / stock', note: 'stock wasm cannot train at all (a gradient kernel is missing); fast can' });
  }
}

async function main(): Promise<void> {
  const c = DEFAULT_VAE_CONFIG;
  console.log(
    `VAE training throughput, DEFAULT config ${c.inputSize}×${c.inputSize}×${c.channels}, filters [${c.filters.join(', ')}], ` +
      `latent ${c.latentDim}, ${c.likelihood}; node ${process.version}, ${os.cpus().length} cores`,
  );
  const results: Result[] = [];
  const loaded = await loadBackendModule();
  const m = loaded?.mod;
  if (m?.availableBackends && m.selectBackend && m.setFastWasmKernels) {
    console.log(`using ${loaded!.from}`);
    await withBackendModule(m as Required<BackendModule>, results);
    const chosen = await m.selectBackend();
    console.log(`selectBackend() picks: ${chosen.name}${chosen.detail ? ` (${chosen.detail})` : ''}`);
  } else {
    await fallbackBackends(results);
  }
  await tf.setBackend('cpu');
  // No warm-up on cpu: one of its steps takes tens of seconds and there is nothing to compile.
  results.push(await measure('cpu (pure JS)', CPU_STEPS, CPU_BATCH, false));

  console.log('');
  const w = Math.max(...results.map((r) => r.label.length));
  for (const r of results)
    console.log(`${r.label.padEnd(w)}  ${r.fps !== undefined ? `${r.fps.toFixed(2).padStart(8)} frames/s` : ''.padStart(17)}  ${r.note ?? ''}`);
}

await main();
