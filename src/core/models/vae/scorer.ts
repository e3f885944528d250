/** The VAE family's scorer for the scoring pass: the shared network scorer with the model's latent size, earlier frames and (gmvae) mixture prior. */
import { loadMixture } from '../../ml/vae/mixture-prior.js';
import type { VaeFamilyModel } from '../records.js';
import { NetworkScorer } from '../network-scorer.js';

export function openVaeScorer(model: VaeFamilyModel, onnx: Uint8Array, o: { threads?: number } = {}): Promise<NetworkScorer> {
  const { config } = model;
  // A mixture-prior VAE's learned prior (stored in its config): the mixture component, −log p(μ).
  return NetworkScorer.open(onnx, { latentDim: config.latentDim, earlier: config.conditionFrames ?? 0, gmm: config.mixture ? loadMixture(config.mixture) : null, ...o });
}
