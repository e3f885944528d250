/**
 * Seeded randomness of a training run and the held-out split. All randomness is a pure function of
 * (seed, epoch, step): the validation split (below), the order of each epoch (a seeded shuffle per
 * epoch), the reparameterization noise of each step and of each validation batch, and a mixture
 * prior's Gumbel noise. The salts keep those streams apart.
 */
import { mulberry32 } from '../prng.js';

/** 32-bit mix of a few integers (murmur3 finaliser over a running hash). */
export function hash32(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = Math.imul(h ^ (x | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A seeded Fisher-Yates shuffle (a new array). */
export function shuffled(items: number[], seed: number): number[] {
  const out = [...items];
  const r = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Written into checkpoints: how the random streams derive from the seed. */
export const RNG_SCHEME = 'mulberry32-split/mulberry32-epoch/tf-randomNormal(hash32(seed,epoch,step))';
export const SALT_SPLIT = 0x5b117;
export const SALT_ORDER = 0x0bde5;
export const SALT_VAL = 0x7a1;
export const SALT_GUMBEL = 0x6b3;

/** Held-out blocks of a split: this many, spread evenly over the footage. */
export const HELD_OUT_BLOCKS = 5;

/**
 * The held-out split: contiguous blocks in time, not interleaved frames. floor(count·fraction) frames
 * are held out as HELD_OUT_BLOCKS blocks, one in each fifth of the footage (where in its fifth comes
 * from the seed). Neighbouring frames of footage are near copies, so frames interleaved with the
 * training frames say little about how the model does on footage it has not seen; a block of
 * seconds it never trained on is much closer to tomorrow's footage from the same camera, which is
 * what the early stopping and, above all, the calibration of scores and threshold need
 * (DETECTION.md, "Calibration that holds on new footage"). Fewer than 10 frames per block: a seeded
 * shuffle as before.
 */
export function splitIndices(count: number, fraction: number, seed: number): { train: number[]; val: number[] } {
  const all = Array.from({ length: count }, (_, i) => i);
  const valCount = Math.floor(count * fraction);
  if (valCount === 0) return { train: all, val: [] };
  const blocks = HELD_OUT_BLOCKS;
  const blockLen = Math.floor(valCount / blocks);
  if (blockLen < 10) {
    const order = shuffled(all, hash32(seed, SALT_SPLIT));
    return { val: order.slice(0, valCount).sort((a, b) => a - b), train: order.slice(valCount).sort((a, b) => a - b) };
  }
  const isVal = new Uint8Array(count);
  const r = mulberry32(hash32(seed, SALT_SPLIT));
  for (let b = 0; b < blocks; b++) {
    const lo = Math.floor((b * count) / blocks);
    const hi = Math.floor(((b + 1) * count) / blocks);
    const len = b < blocks - 1 ? blockLen : valCount - blockLen * (blocks - 1);
    const start = lo + Math.floor(r() * Math.max(1, hi - lo - len + 1));
    for (let i = start; i < Math.min(hi, start + len); i++) isVal[i] = 1;
  }
  return { val: all.filter((i) => isVal[i]), train: all.filter((i) => !isVal[i]) };
}

/** The order of one epoch's training frames. */
export const epochOrder = (train: number[], seed: number, epoch: number): number[] => shuffled(train, hash32(seed, SALT_ORDER, epoch));
