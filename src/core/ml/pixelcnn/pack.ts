/**
 * The prior's weights as bytes, laid out as the VQ-VAE's (engine/vq-model.ts packVqWeights): a
 * little-endian u32 header length, a JSON header (format, config, tensor names and shapes), padding to
 * 4 bytes, then the float32 values in header order. A vq-pixelcnn model stores this beside the
 * VQ-VAE's bytes (sampling for the generation view runs in tfjs from these weights).
 */
import { type BlobTensor, packWeightBlob, unpackWeightBlob } from '../weight-blob.js';
import { type PixelCnnConfig, pixelCnnWeightShapes } from './pixelcnn.js';

export const PIXELCNN_WEIGHTS_FORMAT = 'latentwatch-pixelcnn-weights/1';

export function packPixelCnnWeights(config: PixelCnnConfig, weights: Record<string, Float32Array>): Uint8Array {
  const specs = pixelCnnWeightShapes(config);
  for (const s of specs) if (weights[s.name]?.length !== s.shape.reduce((a, b) => a * b, 1)) throw new RangeError(`PixelCNN weight ${s.name} missing or of the wrong size`);
  return packWeightBlob({ format: PIXELCNN_WEIGHTS_FORMAT, config, tensors: specs.map((s) => ({ name: s.name, shape: s.shape })) }, specs.map((s) => weights[s.name]!));
}

export function unpackPixelCnnWeights(bytes: Uint8Array): { config: PixelCnnConfig; weights: Record<string, Float32Array> } {
  const { head, weights } = unpackWeightBlob<{ format: string; config: PixelCnnConfig; tensors: BlobTensor[] }>(bytes);
  if (head.format !== PIXELCNN_WEIGHTS_FORMAT) throw new RangeError(`not PixelCNN weights (${head.format})`);
  return { config: head.config, weights };
}
