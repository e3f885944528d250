/**
 * Training throughput of the DEFAULT model (DEFAULT_VAE_CONFIG at TRAIN_DEFAULTS.batchSize, whatever
 * they say today) through trainVae: the wasm backend with LatentWatch's kernels on 1 thread and on
 * every core (data-parallel, src/core/ml/vae/parallel.ts), each for at least BENCH_SECONDS (30) of
 * training, after BENCH_WARMUP seconds (3) that are not counted (thread start-up, first kernel calls).
 * GPU backends (tfjs-node-gpu, WebGPU) are measured the same way when selectBackend finds them.
 *
 *   npm run bench:train    # env: BENCH_SECONDS (30), BENCH_WARMUP (3), BENCH_WORKERS (all cores), BENCH_ROUNDS (2)
 *
 * The two configurations alternate for BENCH_ROUNDS rounds (1, all, 1, all, ...) so that a change in
 * the machine's load hits both alike; each one's frames/s is its frames over its seconds, all rounds.
 *
 * frames/s = frames through full training steps (forward, backward, gradient exchange, Adam) per
 * wall-clock second, no validation. The machine's load average is printed before and after each
 * configuration, with the CPU time the process got (process.cpuUsage): on a shared machine other
 * processes take cores from the measurement (and with sched_autogroup a process's share does not grow
 * with its thread count), so frames per CPU-second tells the parallel efficiency apart from the load.
 * Ends with two lines: the all-cores frames/s and the speedup over one thread.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { availableBackends, selectBackend, type BackendName } from '../src/core/ml/backend/index.js';
import { defaultTrainWorkers } from '../src/core/ml/vae/parallel.js';
import { DEFAULT_VAE_CONFIG, inputChannels } from '../src/core/ml/vae/spec.js';
import { movingSquares } from '../src/core/ml/vae/synthetic.js';
import { AbortError, trainVae } from '../src/core/ml/vae/train.js';
import { TRAIN_DEFAULTS } from '../src/shared/train-defaults.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const ALL = Number(process.env.BENCH_WORKERS ?? defaultTrainWorkers());
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const config = DEFAULT_VAE_CONFIG;
const batch = TRAIN_DEFAULTS.batchSize;
const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');

interface Measured {
  fps: number;
  frames: number;
  seconds: number;
  workers: number;
  note: string | null;
  /** CPU seconds this process used over the counted seconds (all its threads). */
  cpu: number;
}

/** Trains until WARMUP + SECONDS of steps have passed, then cancels; frames/s over the last SECONDS. */
async function measure(workers: number): Promise<Measured> {
  // 64 batches per epoch: an epoch boundary (a reshuffle) now and then, as in a real run.
  const frames = movingSquares(batch * 64, config.inputSize, inputChannels(config), 3);
  const ac = new AbortController();
  let t0 = 0;
  let warm: { t: number; frames: number; cpu: number } | null = null;
  let last = { t: 0, frames: 0, cpu: 0 };
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let used = workers;
  let note: string | null = null;
  try {
    t0 = performance.now();
    const r = await trainVae(frames, { config, epochs: 1_000_000, batchSize: batch, learningRate: TRAIN_DEFAULTS.learningRate, validationFraction: 0, seed: 1, workers }, {
      signal: ac.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        const now = performance.now();
        const done = (p.epoch * p.stepsPerEpoch + p.step) * batch;
        used = p.workers;
        if (!warm && (now - t0) / 1000 >= WARMUP) warm = { t: now, frames: done, cpu: cpuNow() };
        last = { t: now, frames: done, cpu: cpuNow() };
        if (warm && (now - warm.t) / 1000 >= SECONDS) ac.abort();
      },
    });
    note = r.parallel.note;
    tf.dispose(Object.values(r.weights));
  } catch (e) {
    if (!(e instanceof AbortError)) throw e;
  }
  const w = warm as { t: number; frames: number; cpu: number } | null;
  if (!w) throw new Error('the run ended before its warm-up did');
  const seconds = (last.t - w.t) / 1000;
  const counted = last.frames - w.frames;
  return { fps: counted / seconds, frames: counted, seconds, workers: used, note, cpu: last.cpu - w.cpu };
}

function line(label: string, m: Measured, before: string): void {
  console.log(
    `${label.padEnd(40)} ${m.fps.toFixed(1).padStart(7)} frames/s  (${m.frames} frames in ${m.seconds.toFixed(1)} s on ${m.workers} thread(s), ` +
      `${(m.cpu / m.seconds).toFixed(2)} cores busy, ${(m.frames / m.cpu).toFixed(1)} frames per CPU-second; load ${before} -> ${load()})${m.note ? ` [${m.note}]` : ''}`,
  );
}

async function main(): Promise<void> {
  console.log(
    `VAE training throughput, DEFAULT config ${config.inputSize}x${config.inputSize}x${inputChannels(config)}, filters [${config.filters.join(', ')}], ` +
      `latent ${config.latentDim}, ${config.likelihood}, batch ${batch}; node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ` +
      `${SECONDS} s per configuration after ${WARMUP} s warm-up`,
  );
  console.log(`load average (1/5/15 min) at start: ${load()}`);

  // GPU backends first, where there are any (never on this machine: no GPU, no libtensorflow).
  for (const a of await availableBackends()) {
    if (a.name === 'wasm' || a.name === 'cpu' || a.name === 'tfjs-node') continue;
    if (!a.ok) {
      console.log(`${a.name}: not measured (${(a.reason ?? '').slice(0, 220)})`);
      continue;
    }
    const info = await selectBackend(a.name as BackendName);
    const before = load();
    line(`${a.name}`, await measure(1), before);
    console.log(`  ${info.detail}`);
  }

  const info = await selectBackend('wasm');
  console.log(`wasm: ${info.detail}`);
  const sum = (ms: Measured[]): Measured => {
    const frames = ms.reduce((a, m) => a + m.frames, 0);
    const seconds = ms.reduce((a, m) => a + m.seconds, 0);
    return { fps: frames / seconds, frames, seconds, workers: ms[0]!.workers, note: ms.find((m) => m.note)?.note ?? null, cpu: ms.reduce((a, m) => a + m.cpu, 0) };
  };
  const ones: Measured[] = [];
  const alls: Measured[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    let before = load();
    ones.push(await measure(1));
    line(`round ${round}: wasm, 1 thread`, ones.at(-1)!, before);
    before = load();
    alls.push(await measure(ALL));
    line(`round ${round}: wasm, all cores (${ALL} threads)`, alls.at(-1)!, before);
  }
  const one = sum(ones);
  const all = sum(alls);
  console.log('');
  console.log(`wasm, 1 thread, ${ROUNDS} round(s): ${one.fps.toFixed(1)} frames/s on ${(one.cpu / one.seconds).toFixed(2)} cores; all cores (${all.workers} threads): ${all.fps.toFixed(1)} frames/s on ${(all.cpu / all.seconds).toFixed(2)} cores; load at the end ${load()}`);
  console.log(
    `parallel efficiency (frames per CPU-second, all cores / 1 thread): ${(all.frames / all.cpu / (one.frames / one.cpu)).toFixed(2)}` +
      ' (what the speedup would be per core had every thread a core of its own; on a loaded machine the process gets fewer cores than it has threads)',
  );
  console.log(`train frames/s (default model, all cores): ${all.fps.toFixed(1)}`);
  console.log(`speedup all cores vs one: ${(all.fps / one.fps).toFixed(2)}`);
}

await main();
