/** What sets one kind of the VAE family apart from the others: its objective, its input, its prior and its default rule. */
import type { ModelKind } from '../../../shared/domain.js';
import type { CombinationRule } from '../../scoring/calibrate.js';

export interface VaeVariant {
  kind: ModelKind;
  /** Its name in menus and default model names (shared/model-kinds.ts). */
  title: string;
  /** 'autoencoder': trained without the KL term (kind ae); default the VAE's ELBO. */
  objective?: 'autoencoder';
  /** Predicts each frame from the k frames before it (kind cvae): the training option conditionFrames applies. */
  conditional: boolean;
  /** A learned mixture-of-Gaussians prior with the analyst's classes (kind gmvae): mixtureComponents applies. */
  mixturePrior: boolean;
  /** Default combination rule of its score components. */
  combination: CombinationRule;
}
