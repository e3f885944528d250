/**
 * Helpers for the backend tests: deterministic data, running one computation on a named backend
 * (reading every result back before the backend is switched again), and tolerant comparison.
 */
import * as tf from '@tensorflow/tfjs';

/** Deterministic values in [-1, 1) (LCG), identical on every backend. */
export function seeded(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Switches tfjs to `backend`, runs `f` (which builds tensors from plain arrays), reads every
 * returned tensor back to a Float32Array and disposes them, so nothing outlives the switch.
 */
export async function runOn(backend: string, f: () => tf.Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`cannot switch to ${backend}`);
  const before = tf.memory().numTensors;
  const outs = tf.tidy(f);
  const data = outs.map((t) => t.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  tf.dispose(outs);
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`${leaked} tensors leaked on ${backend}`);
  return data;
}

export interface Diff {
  maxAbs: number;
  maxRef: number;
  worst: number;
  index: number;
}

/** Largest |a-b| relative to atol + rtol*|b|, with atol scaled by the reference's largest value. */
export function compare(a: Float32Array, b: Float32Array, rtol = 1e-4, atolScale = 1e-4): Diff {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let maxRef = 0;
  for (const v of b) maxRef = Math.max(maxRef, Math.abs(v));
  const atol = atolScale * Math.max(1, maxRef);
  let maxAbs = 0;
  let worst = 0;
  let index = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!Number.isFinite(a[i]!)) return { maxAbs: Infinity, maxRef, worst: Infinity, index: i };
    maxAbs = Math.max(maxAbs, d);
    const r = d / (atol + rtol * Math.abs(b[i]!));
    if (r > worst) {
      worst = r;
      index = i;
    }
  }
  return { maxAbs, maxRef, worst, index };
}
