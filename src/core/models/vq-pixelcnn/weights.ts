/**
 * A vq-pixelcnn model's stored weights: the VQ-VAE's blob (vq-vae/weights.ts) and its PixelCNN prior's
 * (ml/pixelcnn/pack.ts) in one: a little-endian u32 length of the VQ-VAE's bytes, those bytes,
 * padding to 4 bytes, then the prior's bytes.
 */
import { AppError } from '../../../shared/envelope.js';
import { packPixelCnnWeights, unpackPixelCnnWeights } from '../../ml/pixelcnn/pack.js';
import type { PixelCnnConfig } from '../../ml/pixelcnn/pixelcnn.js';
import type { TrainedVq } from '../../ml/pixelcnn/vq-pixelcnn.js';
import { packVqWeights, unpackVqWeights } from '../vq-vae/weights.js';

export function packVqPixelCnnWeights(vq: Omit<TrainedVq, 'ignoreMask'>, prior: { config: PixelCnnConfig; weights: Record<string, Float32Array> }): Uint8Array {
  const a = packVqWeights(vq.config, vq.weights, vq.codebook);
  const b = packPixelCnnWeights(prior.config, prior.weights);
  const at = 4 + a.length + ((4 - (a.length % 4)) % 4);
  const out = new Uint8Array(at + b.length);
  new DataView(out.buffer).setUint32(0, a.length, true);
  out.set(a, 4);
  out.set(b, at);
  return out;
}

export function unpackVqPixelCnnWeights(bytes: Uint8Array): { vq: Omit<TrainedVq, 'ignoreMask'>; prior: { config: PixelCnnConfig; weights: Record<string, Float32Array> } } {
  if (bytes.length < 4) throw new AppError('StoreError', 'not VQ-VAE + PixelCNN weights (too short)');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const at = 4 + len + ((4 - (len % 4)) % 4);
  if (at > bytes.length) throw new AppError('StoreError', 'not VQ-VAE + PixelCNN weights (truncated)');
  const vq = unpackVqWeights(bytes.subarray(4, 4 + len));
  try {
    return { vq, prior: unpackPixelCnnWeights(bytes.subarray(at)) };
  } catch (e) {
    throw new AppError('StoreError', `not VQ-VAE + PixelCNN weights: ${e instanceof Error ? e.message : String(e)}`);
  }
}
