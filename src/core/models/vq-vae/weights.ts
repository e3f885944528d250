/** A VQ-VAE's stored weights: its config, network weights and codebook in one blob. */
import { AppError } from '../../../shared/envelope.js';
import { type VqConfig, vqGrid, vqWeightSpecs } from '../../ml/vq/vq-vae.js';
import { type BlobTensor, packWeightBlob, unpackWeightBlob } from '../../ml/weight-blob.js';

/** Weights and codebook as bytes: a JSON header (config, names, shapes) then the float32 values. */
export function packVqWeights(config: VqConfig, weights: Record<string, Float32Array>, codebook: Float32Array): Uint8Array {
  const specs = vqWeightSpecs(config);
  const tensors = [...specs.map((s) => ({ name: s.name, shape: s.shape })), { name: 'vq.codebook', shape: [config.codebookSize, vqGrid(config).dim] }];
  return packWeightBlob({ format: 'latentwatch-vq-weights/1', config, tensors }, [...specs.map((s) => weights[s.name]!), codebook]);
}

export function unpackVqWeights(bytes: Uint8Array): { config: VqConfig; weights: Record<string, Float32Array>; codebook: Float32Array } {
  const { head, weights } = unpackWeightBlob<{ format: string; config: VqConfig; tensors: BlobTensor[] }>(bytes);
  if (head.format !== 'latentwatch-vq-weights/1') throw new AppError('StoreError', `not VQ-VAE weights (${head.format})`);
  const codebook = weights['vq.codebook']!;
  delete weights['vq.codebook'];
  return { config: head.config, weights, codebook };
}
