/**
 * The VQ-VAE's driver: the network of ml/vq (weights and codebook in one blob, weights.ts), trained by
 * train.ts, exported by ml/onnx/export-vq.ts (the VAE scorer's outputs plus each frame's codes),
 * scored by the shared network scorer with its code dimension as the "latent" (the quantized grid
 * averaged over positions) and the rarity of its codes as a component.
 */
import { rasterizeIgnoreMask } from '../../../shared/ignore-mask.js';
import { describeKind } from '../../../shared/model-kinds.js';
import { exportVqToOnnx } from '../../ml/onnx/export-vq.js';
import { vqGrid } from '../../ml/vq/vq-vae.js';
import { VQ_COMBINATION } from '../../scoring/calibrate.js';
import type { ModelKindDriver } from '../driver.js';
import { NetworkScorer, openNetworkViewer } from '../network-scorer.js';
import type { VqModel } from '../records.js';
import { NETWORK_COMPONENTS } from '../vae/driver.js';
import { trainVqModel } from './train.js';
import { unpackVqWeights } from './weights.js';

/** A VQ-VAE's scoring graph from its stored weights, codebook and ignore mask. */
export function exportStoredVq(model: VqModel, bytes: Uint8Array): Uint8Array {
  const { config, weights, codebook } = unpackVqWeights(bytes);
  const mask = model.config.ignoreMask;
  return exportVqToOnnx(config, weights, codebook, mask ? rasterizeIgnoreMask(mask, mask.size) : undefined);
}

const info = describeKind('vq-vae');

export const VQ_VAE_DRIVER: ModelKindDriver<VqModel> = {
  kind: 'vq-vae',
  info,
  scoreComponents: [...NETWORK_COMPONENTS, 'rarity'],
  combination: VQ_COMBINATION,
  canFineTune: info.fineTune === null,
  canGenerate: { priorSamples: info.priorSamples === null, traversal: info.traversal === null },
  trainOptions: [],
  traversalFromPrior: info.traversalFromPrior === true,
  importanceWeighted: false,
  train: trainVqModel,
  exportOnnx: exportStoredVq,
  openScorer: (model, onnx, o) => NetworkScorer.open(onnx, { latentDim: vqGrid(model.config).dim, earlier: 0, gmm: null, ...o }),
  openFrameViewer: (model, blobs) => openNetworkViewer(model.id, model.kind, blobs.onnx, 0),
};
