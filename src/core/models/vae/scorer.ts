/** The VAE family's scorer for the scoring pass: the shared network scorer with the model's latent size, earlier frames and (gmvae) mixture prior. */
import { loadMixture, type StoredMixture } from '../../ml/vae/mixture-prior.js';
import type { VaeConfig } from '../../ml/vae/spec.js';
import type { ModelRecord } from '../../store/models.js';
import { NetworkScorer } from '../network-scorer.js';

export function openVaeScorer(model: ModelRecord, onnx: Uint8Array, o: { threads?: number } = {}): Promise<NetworkScorer> {
  const config = model.config as VaeConfig & { mixture?: StoredMixture };
  // A mixture-prior VAE's learned prior (stored in its config): the mixture component, −log p(μ).
  return NetworkScorer.open(onnx, { latentDim: config.latentDim, earlier: config.conditionFrames ?? 0, gmm: config.mixture ? loadMixture(config.mixture) : null, ...o });
}
