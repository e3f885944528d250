/**
 * Small numeric helpers shared by the model-family building blocks (plain Float64Array math, no
 * tfjs): a seeded PRNG, standard-normal and Gumbel draws, and stable log-sum-exp / softmax.
 *
 *   logSumExp(a) = m + log Σ_i exp(a_i − m),  m = max_i a_i        (exact, never overflows)
 *   softmax(a)_i = exp(a_i − logSumExp(a))
 *   Gumbel(0, 1):  g = −log(−log u),  u ~ U(0, 1)
 *   N(0, 1):       Box–Muller, √(−2 log u₁) · cos(2π u₂)
 */

import { mulberry32 as prng } from '../prng.js';

export const LOG_2PI = Math.log(2 * Math.PI);

/** A source of uniform floats in [0, 1). */
export type Rng = () => number;

/** mulberry32 (src/core/ml/prng.ts), the engine's one seeded PRNG. */
export const mulberry32: (seed: number) => Rng = prng;

/** A uniform draw in the open interval (0, 1): never exactly 0, so its logarithm is finite. */
export function openUniform(rng: Rng): number {
  let u = rng();
  while (u <= 0) u = rng();
  return u;
}

/** One standard-normal draw (Box–Muller; the second value of the pair is discarded for simplicity). */
export function standardNormal(rng: Rng): number {
  const u1 = openUniform(rng);
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** `n` standard-normal draws. */
export function standardNormals(n: number, rng: Rng): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = standardNormal(rng);
  return out;
}

/** One standard Gumbel draw, g = −log(−log u). */
export function gumbel(rng: Rng): number {
  return -Math.log(-Math.log(openUniform(rng)));
}

/** log Σ_i exp(a_i) over a[offset .. offset+length), computed stably. −Infinity for an empty range or all −Infinity. */
export function logSumExp(a: ArrayLike<number>, offset = 0, length = a.length - offset): number {
  let m = -Infinity;
  for (let i = 0; i < length; i++) m = Math.max(m, a[offset + i]!);
  if (m === -Infinity) return -Infinity;
  if (m === Infinity) return Infinity;
  let s = 0;
  for (let i = 0; i < length; i++) s += Math.exp(a[offset + i]! - m);
  return m + Math.log(s);
}

/** softmax(a / temperature), stably; returns a new Float64Array that sums to 1. */
export function softmax(a: ArrayLike<number>, temperature = 1): Float64Array {
  if (!(temperature > 0)) throw new RangeError(`softmax: temperature must be > 0, got ${temperature}`);
  const out = new Float64Array(a.length);
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, a[i]! / temperature);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.exp(a[i]! / temperature - m);
    out[i] = e;
    s += e;
  }
  for (let i = 0; i < a.length; i++) out[i] = out[i]! / s;
  return out;
}

/** Index of the largest value (the first one on ties). */
export function argmax(a: ArrayLike<number>, offset = 0, length = a.length - offset): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (a[offset + i]! > a[offset + best]!) best = i;
  return best;
}

export function checkFinite(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) throw new RangeError(`${what}: value ${i} is ${a[i]}`);
}
