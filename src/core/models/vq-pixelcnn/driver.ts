/**
 * The driver of kind 'vq-pixelcnn' (issue 16): a VQ-VAE (models/vq-vae) with a gated PixelCNN prior
 * over its code grid (ml/pixelcnn). Trained by train.ts; its scoring graph is the VQ scorer with the
 * prior appended, scored by the shared network scorer (the VQ-VAE's components plus codeNll =
 * −log p(codes)); the frame view's heatmap is each code's −log p given the codes before it, upsampled
 * to the frame; prior samples are code grids drawn from the prior and decoded by the VQ decoder.
 */
import { rasterizeIgnoreMask } from '../../../shared/ignore-mask.js';
import { describeKind } from '../../../shared/model-kinds.js';
import { exportVqToOnnx } from '../../ml/onnx/export-vq.js';
import { appendPixelCnnToOnnx } from '../../ml/pixelcnn/export-pixelcnn.js';
import { generateFrames, upsampleNllMap } from '../../ml/pixelcnn/vq-pixelcnn.js';
import { vqGrid } from '../../ml/vq/vq-vae.js';
import { VQ_PIXELCNN_COMBINATION } from '../../scoring/calibrate.js';
import type { ModelKindDriver } from '../driver.js';
import { type NetworkHeat, NetworkScorer, openNetworkViewer } from '../network-scorer.js';
import type { VqPixelCnnModel } from '../records.js';
import { NETWORK_COMPONENTS } from '../vae/driver.js';
import { trainVqPixelCnnModel } from './train.js';
import { unpackVqPixelCnnWeights } from './weights.js';

/** The scoring graph from the stored weights and ignore mask: the VQ-VAE's scorer with the prior appended. */
export function exportStoredVqPixelCnn(model: VqPixelCnnModel, bytes: Uint8Array): Uint8Array {
  const { vq, prior } = unpackVqPixelCnnWeights(bytes);
  const mask = model.config.ignoreMask;
  return appendPixelCnnToOnnx(exportVqToOnnx(vq.config, vq.weights, vq.codebook, mask ? rasterizeIgnoreMask(mask, mask.size) : undefined), prior.config, prior.weights);
}

/** The heatmap: −log p of the code covering each pixel (nats), full colour at log K (as unlikely as a uniform guess). */
function codeNllHeat(model: VqPixelCnnModel): NetworkHeat {
  const { side } = vqGrid(model.config);
  return (out, size) => (out.codeNllMap ? { values: upsampleNllMap(out.codeNllMap, 1, side, size), fullScale: Math.log(model.config.codebookSize) } : undefined);
}

const info = describeKind('vq-pixelcnn');

export const VQ_PIXELCNN_DRIVER: ModelKindDriver<VqPixelCnnModel> = {
  kind: 'vq-pixelcnn',
  info,
  scoreComponents: [...NETWORK_COMPONENTS, 'rarity', 'codeNll'],
  combination: VQ_PIXELCNN_COMBINATION,
  canFineTune: info.fineTune === null,
  canGenerate: { priorSamples: info.priorSamples === null, traversal: info.traversal === null },
  trainOptions: [],
  traversalFromPrior: info.traversalFromPrior === true,
  importanceWeighted: false,
  train: trainVqPixelCnnModel,
  exportOnnx: exportStoredVqPixelCnn,
  openScorer: (model, onnx, o) => NetworkScorer.open(onnx, { latentDim: vqGrid(model.config).dim, earlier: 0, gmm: null, ...o }),
  openFrameViewer: (model, blobs) => openNetworkViewer(model.id, model.kind, blobs.onnx, 0, codeNllHeat(model)),
  samplePrior: (_model, weights, o) => {
    const { vq, prior } = unpackVqPixelCnnWeights(weights);
    const g = generateFrames(vq, prior, o);
    return { pixels: g.frames, size: vq.config.inputSize, channels: vq.config.channels };
  },
};
