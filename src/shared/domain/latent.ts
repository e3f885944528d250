/** The latent space shown to the analyst: projections of the codes, samples and traversals decoded from it. */

export const PROJECTION_METHODS = ['pca', 'umap'] as const;
export type ProjectionMethod = (typeof PROJECTION_METHODS)[number];

/** A 2-D projection of the posterior means μ of a video's scored frames, as columns in frame order. */
export interface LatentProjection {
  modelId: number;
  videoId: number;
  method: ProjectionMethod;
  index: number[];
  x: number[];
  y: number[];
  /** PCA: share of μ's variance along each axis; empty for UMAP. */
  explained: number[];
  /** Mixture-prior models: each frame's most likely class; null for models without one. */
  mixtureClass: number[] | null;
  /**
   * The GP-smoothed latent trajectory ('vae-gp' models, PCA only): each frame's μ as the Gaussian
   * process predicts it from its neighbours, in the same coordinates as the points; absent otherwise.
   */
  trajectory?: { x: number[]; y: number[] } | null;
}

/** Generation limits: each request decodes on the app's main process, so it stays small (about a second). */
export const MAX_GENERATED_SAMPLES = 64;
export const MAX_TRAVERSAL_STEPS = 9;
export const MAX_TRAVERSAL_RANGE = 6;

export interface SampleRequest {
  /** Pictures to draw (1..MAX_GENERATED_SAMPLES, default 16). */
  count?: number;
  /** Seed of the draws: the same seed gives the same pictures (default 1). */
  seed?: number;
}

/** Pictures a model decoded from latent codes drawn from its prior z ~ N(0, I): what it thinks normal footage looks like. */
export interface GeneratedSamples {
  modelId: number;
  seed: number;
  /** Picture side in pixels (the model's input size). */
  size: number;
  /** One PNG data URL (data:image/png;base64,...) per sample. */
  images: string[];
}

export interface TraversalRequest {
  /** Centre on this frame's latent code (both or neither of videoId and index). */
  videoId?: number;
  index?: number;
  /** The two latent dimensions swept: the first along the columns, the second down the rows. */
  dims: [number, number];
  /** Points per dimension, 2..MAX_TRAVERSAL_STEPS (default 7): the grid is steps × steps. */
  steps?: number;
  /** Each dimension is swept over centre ± range (0 < range ≤ MAX_TRAVERSAL_RANGE, default 3: prior standard deviations). */
  range?: number;
}

/** A 2-D latent traversal: one code with two dimensions swept, every point decoded. */
export interface LatentTraversalGrid {
  modelId: number;
  dims: [number, number];
  steps: number;
  size: number;
  /** Offset from the centre of each column (dims[0]) and each row (dims[1]). */
  colOffsets: number[];
  rowOffsets: number[];
  /** The centre code. */
  centre: number[];
  /** The frame it is centred on; null when centred on the prior's origin. */
  frame: { videoId: number; index: number } | null;
  /** steps × steps PNG data URLs, row-major (row r, column c at r·steps + c). */
  images: string[];
}
