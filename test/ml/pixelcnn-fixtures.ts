/** Shared by the PixelCNN tests: seeded weights with non-zero biases, random and structured code grids. */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/core/ml/prng.js';
import { initPixelCnnWeights, type PixelCnnConfig, pixelCnnWeightShapes, type PixelCnnWeights } from '../../src/core/ml/pixelcnn/pixelcnn.js';

/** Glorot kernels (initPixelCnnWeights) plus the zero-initialized tensors (biases, output kernel) uniform in ±biasScale, so no output is trivially uniform. */
export function randomPixelCnnWeights(c: PixelCnnConfig, seed: number, biasScale = 0.3): PixelCnnWeights {
  const w = initPixelCnnWeights(c, seed);
  const r = mulberry32(seed * 7919 + 13);
  for (const s of pixelCnnWeightShapes(c)) {
    if (s.init !== 'zeros') continue;
    w[s.name]!.dispose();
    w[s.name] = tf.tensor(Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => (2 * r() - 1) * biasScale), s.shape);
  }
  return w;
}

export function randomCodes(c: PixelCnnConfig, count: number, seed: number): Int32Array {
  const r = mulberry32(seed);
  return Int32Array.from({ length: count * c.height * c.width }, () => Math.floor(r() * c.codes));
}

/**
 * Diagonal stripes: code (a + i + j) mod K at row i, column j, with a random offset a per grid; a few
 * positions (rate `noise`) replaced by a random code. After the first position the rest is (almost)
 * determined, so a prior that learns the structure falls far below log K nats per position.
 */
export function stripeCodes(c: PixelCnnConfig, count: number, seed: number, noise = 0.02): Int32Array {
  const r = mulberry32(seed);
  const out = new Int32Array(count * c.height * c.width);
  for (let n = 0; n < count; n++) {
    const a = Math.floor(r() * c.codes);
    for (let i = 0; i < c.height; i++)
      for (let j = 0; j < c.width; j++) out[(n * c.height + i) * c.width + j] = r() < noise ? Math.floor(r() * c.codes) : (a + i + j) % c.codes;
  }
  return out;
}
