/**
 * What each model kind is, in the analyst's words, and what it can show: prior samples, latent
 * traversals, a per-frame reconstruction and heatmap. Keyed by kind name as a string so a kind added
 * to MODEL_KINDS later (or read from an older/newer library) still gets a description: `describeKind`
 * falls back to a generic one instead of failing.
 */
import { MODEL_KINDS, type ModelKind } from './domain.js';

export interface ModelKindInfo {
  /** Short name for menus and headings. */
  title: string;
  /** One line: what it learns and what it is good at. */
  description: string;
  /** Pictures decoded from z ~ N(0, I): null when it can, else why not. */
  priorSamples: string | null;
  /** A frame's latent code swept along two dimensions and decoded: null when it can, else why not. */
  traversal: string | null;
  /** A per-frame reconstruction and error heatmap: null when it has one, else why not. */
  reconstruction: string | null;
  /** What its reconstruction of a frame is, for the frame view's caption. */
  reconstructionLabel: string;
  /** What its heatmap shows, where it is not the reconstruction error (the frame view's caption). */
  heatmapLabel?: string;
  /** A latent traversal without a chosen frame is centred on the prior's origin (else on a frame of the training video). */
  traversalFromPrior?: true;
  /** Whether a new version can be fine-tuned from one of this kind: null when it can, else why not. */
  fineTune: string | null;
  /** A classical baseline: fitted in one pass, so the network settings (epochs, β, ...) do not apply. */
  baseline: boolean;
}

const ONLY_VAE = 'only VAE and mixture-prior VAE models can be fine-tuned for now';
const NO_LATENT = 'it has no continuous latent space to decode from';

const KNOWN: Record<ModelKind, ModelKindInfo> = {
  vae: {
    title: 'VAE',
    description: 'Convolutional variational autoencoder: the default, strongest all-round detector.',
    priorSamples: null,
    traversal: null,
    reconstruction: null,
    reconstructionLabel: 'Reconstruction',
    fineTune: null,
    traversalFromPrior: true,
    baseline: false,
  },
  ae: {
    title: 'Autoencoder',
    description: 'The same network without the KL term: sharp reconstructions, no probabilistic latent space.',
    priorSamples: 'a plain autoencoder has no prior: random latent codes decode to nothing it has learned',
    traversal: null,
    reconstruction: null,
    reconstructionLabel: 'Reconstruction',
    fineTune: ONLY_VAE,
    baseline: false,
  },
  'vae-gp': {
    title: 'VAE + GP trajectory',
    description: 'VAE with a Gaussian-process model of the latent trajectory over time: best at frozen or looped footage.',
    priorSamples: null,
    traversal: null,
    reconstruction: null,
    reconstructionLabel: 'Reconstruction',
    fineTune: ONLY_VAE,
    traversalFromPrior: true,
    baseline: false,
  },
  gmvae: {
    title: 'Mixture-prior VAE',
    description: 'VAE whose prior is a mixture of K Gaussians: frames fall into learned classes (colour the scatter by them); rarity under the mixture is a score.',
    priorSamples: null,
    traversal: null,
    reconstruction: null,
    reconstructionLabel: 'Reconstruction',
    fineTune: null,
    baseline: false,
  },
  cvae: {
    title: 'Conditional VAE',
    description: 'Predicts each frame from the one before it: its error is a prediction error, sensitive to sudden motion.',
    priorSamples: 'it decodes only given a previous frame: pick a frame and use the traversal instead',
    traversal: null,
    reconstruction: null,
    reconstructionLabel: 'Prediction from the previous frame',
    fineTune: ONLY_VAE,
    baseline: false,
  },
  'vq-vae': {
    title: 'VQ-VAE',
    description: 'Vector-quantized autoencoder with a codebook: also scores how rare a frame’s codes are.',
    priorSamples: `its latent codes are discrete codebook entries and it has no learned prior over them`,
    traversal: `its latent codes are discrete codebook entries, not a space to sweep`,
    reconstruction: null,
    reconstructionLabel: 'Reconstruction (quantized)',
    fineTune: ONLY_VAE,
    baseline: false,
  },
  'vq-pixelcnn': {
    title: 'VQ-VAE + PixelCNN prior',
    description: 'VQ-VAE with a learned prior over its grid of codes: scores how unlikely a frame’s codes are together, and its heatmap shows where.',
    priorSamples: null,
    traversal: `its latent codes are discrete codebook entries, not a space to sweep`,
    reconstruction: null,
    reconstructionLabel: 'Reconstruction (quantized)',
    heatmapLabel: 'Unlikely codes (−log p of each code under the prior)',
    fineTune: ONLY_VAE,
    baseline: false,
  },
  pca: {
    title: 'PCA-16',
    description: 'Classical baseline: error after projecting the gray frame onto 16 principal components. Fast, no training.',
    priorSamples: `a PCA baseline is not a generative model: ${NO_LATENT}`,
    traversal: `a PCA baseline is not a generative model: ${NO_LATENT}`,
    reconstruction: null,
    reconstructionLabel: 'PCA projection (gray)',
    fineTune: 'a baseline is fitted in one pass, not trained: train a new one instead',
    baseline: true,
  },
  bgdiff: {
    title: 'Background difference',
    description: 'Classical baseline: difference of the gray frame from the per-pixel median background. Instant.',
    priorSamples: `a background-difference baseline has one fixed background picture: ${NO_LATENT}`,
    traversal: `a background-difference baseline has one fixed background picture: ${NO_LATENT}`,
    reconstruction: null,
    reconstructionLabel: 'Median background (gray)',
    fineTune: 'a baseline is fitted in one pass, not trained: train a new one instead',
    baseline: true,
  },
};

/** Description of any kind name; unknown kinds get a generic entry (and generation is not offered). */
/** The kind a new model is when none is chosen. */
export const DEFAULT_KIND: ModelKind = MODEL_KINDS[0];

export function describeKind(kind: string): ModelKindInfo {
  if (Object.hasOwn(KNOWN, kind)) return KNOWN[kind as ModelKind];
  const why = `this version of LatentWatch does not know how to generate from a ${kind} model`;
  return { title: kind, description: `Model kind “${kind}”.`, priorSamples: why, traversal: why, reconstruction: null, reconstructionLabel: 'Reconstruction', fineTune: ONLY_VAE, baseline: false };
}

/** Every trainable kind with its description, in MODEL_KINDS order (the default first). */
export const modelKindChoices = (): Array<{ kind: ModelKind } & ModelKindInfo> => MODEL_KINDS.map((kind) => ({ kind, ...describeKind(kind) }));
