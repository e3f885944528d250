/**
 * Convolution kernels of the VAE (spec.ts: 4x4 stride-2 'same' conv2d / conv2dTranspose, NHWC) on
 * wasm with the stock tfjs-backend-wasm kernels, wasm with LatentWatch's fast kernels, and cpu —
 * all measured in this one run.
 *
 *   npx tsx bench/kernels.ts            # env: BENCH_BATCH (32), BENCH_REPS (5), BENCH_CPU (1; 0 skips cpu)
 *
 * Table 1: one training step (forward + gradients w.r.t. input and filter) of the first encoder
 *   conv layer and the last decoder conv2dTranspose layer (the 64x64 ones), ms per step. Stock wasm
 *   cannot do the filter gradient at all (no Conv2DBackpropFilter kernel), so stock vs fast is also
 *   compared on forward + input gradient, which stock can do.
 * Table 2: each conv kernel on every VAE conv shape on wasm, stock vs fast, ms per call.
 *
 * Times are medians of BENCH_REPS after one warm-up call (cpu: a single call, it is that slow).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { availableBackends, selectBackend, setFastWasmKernels, wasmConvKernelStatus } from '../src/core/ml/backend/index.js';
import { DEFAULT_VAE_CONFIG } from '../src/core/ml/vae/spec.js';

const BATCH = Number(process.env.BENCH_BATCH ?? 32);
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 5));
const WITH_CPU = process.env.BENCH_CPU !== '0';

type S4 = [number, number, number, number];

function seeded(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Median wall time of run(setup()). `setup` (not timed) makes fresh copies of the inputs: tfjs-wasm
 * caches XNNPACK operators (with their packed weights) per tensor id, and a training step never
 * sees the same tensors twice, so reusing inputs across repetitions would flatter every kernel.
 */
async function time<T>(setup: () => T, run: (inputs: T) => void, reps: number, warmup = true): Promise<number> {
  const once = async (): Promise<number> => {
    const inputs = setup();
    const t0 = performance.now();
    run(inputs);
    const ms = performance.now() - t0;
    tf.dispose(inputs as tf.TensorContainer);
    return ms;
  };
  if (warmup) await once();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) ts.push(await once());
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

/** A copy with its own storage (tf.clone shares the data id, which would hit the caches). */
const fresh = <R extends tf.Rank>(t: tf.Tensor<R>): tf.Tensor<R> => tf.add(t, 0) as tf.Tensor<R>;

/** Runs f in a tidy scope, forces every output to be computed (dataSync), then frees everything. */
function force<T>(f: (inputs: T) => tf.Tensor[], inputs: T): void {
  const outs = tf.tidy(() => f(inputs));
  for (const t of outs) t.dataSync();
  tf.dispose(outs);
}

interface Layer {
  name: string;
  kind: 'conv' | 'convT';
  x: S4;
  w: S4;
  out: S4;
}

/** The VAE's conv layers (DEFAULT_VAE_CONFIG: 64x64x3 and its filters). */
function vaeLayers(b: number): Layer[] {
  const filters = DEFAULT_VAE_CONFIG.filters;
  const layers: Layer[] = [];
  let side = 64;
  let cin = 3;
  filters.forEach((f, i) => {
    layers.push({ name: `enc.conv${i}`, kind: 'conv', x: [b, side, side, cin], w: [4, 4, cin, f], out: [b, side / 2, side / 2, f] });
    side /= 2;
    cin = f;
  });
  const widths = [...filters].reverse();
  widths.forEach((dIn, i) => {
    const dOut = i + 1 < widths.length ? widths[i + 1]! : 3;
    layers.push({ name: `dec.deconv${i}`, kind: 'convT', x: [b, side, side, dIn], w: [4, 4, dOut, dIn], out: [b, side * 2, side * 2, dOut] });
    side *= 2;
  });
  return layers;
}

interface Tensors {
  x: tf.Tensor4D;
  w: tf.Tensor4D;
  r: tf.Tensor4D;
}

const freshAll = (t: Tensors): (() => Tensors) => () => ({ x: fresh(t.x), w: fresh(t.w), r: fresh(t.r) });

function makeTensors(l: Layer): Tensors {
  return {
    x: tf.tensor4d(seeded(l.x, 1), l.x),
    w: tf.tensor4d(seeded(l.w, 2), l.w).mul(0.1) as tf.Tensor4D,
    r: tf.tensor4d(seeded(l.out, 3), l.out),
  };
}

function forward(l: Layer, x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  return l.kind === 'conv' ? tf.conv2d(x, w, 2, 'same') : tf.conv2dTranspose(x, w, l.out, 2, 'same');
}

/** Forward, then gradients of sum(y * r) w.r.t. the input (and the filter when `withFilter`). */
function step(l: Layer, withFilter: boolean): (t: Tensors) => tf.Tensor[] {
  return (t) => {
    const loss = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(forward(l, x as tf.Tensor4D, w as tf.Tensor4D), t.r));
    if (withFilter) return tf.grads(loss)([t.x, t.w]);
    return [tf.grad((x: tf.Tensor) => loss(x, t.w))(t.x)];
  };
}

const fmt = (ms: number | undefined): string => (ms === undefined ? 'n/a' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(1)}x`);

function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  console.log(`bench/kernels.ts  batch ${BATCH}, median of ${REPS}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, Node ${process.version}`);
  const avail = await availableBackends();
  console.log(`backends: ${avail.map((a) => (a.ok ? a.name : `${a.name} (no: ${a.reason})`)).join('; ')}`);
  const info = await selectBackend('wasm');
  console.log(`wasm: ${info.detail}`);
  console.log(`load average at start: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')} (other processes skew timings)\n`);

  const all = vaeLayers(BATCH);
  const picked = [all.find((l) => l.name === 'enc.conv0')!, all.find((l) => l.name === 'dec.deconv3')!];

  // ---------------------------------------------------------------- Table 1: training steps
  const rows1 = [['layer (batch ' + BATCH + ')', 'stock fwd+dx', 'fast fwd+dx', 'speed-up', 'stock full', 'fast full', 'cpu full', 'fast vs cpu']];
  for (const l of picked) {
    await tf.setBackend('wasm');
    const t = makeTensors(l);
    setFastWasmKernels(false);
    const stockDx = await time(freshAll(t), (i) => force(step(l, false), i), REPS);
    let stockFull: string;
    try {
      force(step(l, true), t);
      stockFull = fmt(await time(freshAll(t), (i) => force(step(l, true), i), REPS));
    } catch (e) {
      stockFull = /Conv2DBackpropFilter/.test((e as Error).message) ? 'no kernel' : `error: ${(e as Error).message.slice(0, 40)}`;
    }
    setFastWasmKernels(true);
    const fastDx = await time(freshAll(t), (i) => force(step(l, false), i), REPS);
    const fastFull = await time(freshAll(t), (i) => force(step(l, true), i), REPS);
    tf.dispose([t.x, t.w, t.r]);

    let cpuFull: number | undefined;
    if (WITH_CPU) {
      await selectBackend('cpu');
      const tc = makeTensors(l);
      cpuFull = await time(() => tc, (i) => force(step(l, true), i), 1, false);
      await tf.setBackend('wasm');
    }
    const label = `${l.name} ${l.kind === 'conv' ? 'conv2d' : 'conv2dTranspose'} [${l.x.join(',')}] -> [${l.out.join(',')}]`;
    rows1.push([label, fmt(stockDx), fmt(fastDx), ratio(stockDx, fastDx), stockFull, fmt(fastFull), fmt(cpuFull), ratio(cpuFull, fastFull)]);
  }
  console.log('One training step of a layer: forward + gradient(s), ms per step');
  table(rows1);
  console.log('  fwd+dx = forward and input gradient only (all stock wasm can do); full = also the filter gradient.');
  console.log('  stock full: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, so training a conv net on stock wasm fails.\n');

  // ---------------------------------------------------------------- Table 2: kernels
  // enc.conv<i> and dec.deconv<3-i> use the same three kernels on the same shapes (a transposed
  // conv's forward is Conv2DBackpropInput, its input gradient Conv2D), so the four encoder
  // shapes cover all eight layers.
  await tf.setBackend('wasm');
  const rows2 = [['kernel', 'conv shape x * filter (layers)', 'stock', 'fast', 'speed-up']];
  for (const l of all.filter((a) => a.kind === 'conv')) {
    const i = Number(l.name.slice(-1));
    const t = makeTensors(l);
    const y = forward(l, t.x, t.w);
    type KIn = { x: tf.Tensor4D; w: tf.Tensor4D; y: tf.Tensor4D };
    const inputs = (): KIn => ({ x: fresh(t.x), w: fresh(t.w), y: fresh(y) });
    const conv = (i: KIn) => [tf.conv2d(i.x, i.w, 2, 'same')];
    const bpInput = (i: KIn) => [tf.conv2dTranspose(i.y, i.w, l.x, 2, 'same')];
    const bpFilter = (i: KIn) => [tf.engine().runKernel('Conv2DBackpropFilter', { x: i.x, dy: i.y }, { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: l.w }) as tf.Tensor];
    const shape = `[${l.x.join(',')}] * [${l.w.join(',')}] (enc.conv${i}, dec.deconv${3 - i})`;

    setFastWasmKernels(false);
    const convStock = await time(inputs, (k) => force(conv, k), REPS);
    const bpiStock = await time(inputs, (k) => force(bpInput, k), Math.min(REPS, 3));
    setFastWasmKernels(true, { conv2d: true });
    const convFast = await time(inputs, (k) => force(conv, k), REPS);
    setFastWasmKernels(true);
    const bpiFast = await time(inputs, (k) => force(bpInput, k), REPS);
    const bpfFast = await time(inputs, (k) => force(bpFilter, k), REPS);
    rows2.push(['Conv2D', shape, fmt(convStock), fmt(convFast), ratio(convStock, convFast)]);
    rows2.push(['Conv2DBackpropInput', shape, fmt(bpiStock), fmt(bpiFast), ratio(bpiStock, bpiFast)]);
    rows2.push(['Conv2DBackpropFilter', shape, 'no kernel', fmt(bpfFast), 'n/a']);
    tf.dispose([t.x, t.w, t.r, y]);
  }
  console.log('Each wasm conv kernel, ms per call. Fast Conv2D = im2col + XNNPACK matmul: NOT registered by default');
  console.log('(stock Conv2D is XNNPACK already); it is shown to justify that choice.');
  table(rows2);
  console.log(`\nkernels registered after the run: ${JSON.stringify(wasmConvKernelStatus())}`);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s, load average at end: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
