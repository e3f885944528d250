/** Choices of the "what normal looks like" view turned into AppApi requests. */
import { MAX_GENERATED_SAMPLES, MAX_TRAVERSAL_STEPS, type TraversalRequest } from '../../../shared/domain.js';
import { describeKind } from '../../../shared/model-kinds.js';

export const SAMPLE_COUNTS = [16, 36, MAX_GENERATED_SAMPLES] as const;
export const TRAVERSAL_STEPS = [5, 7, MAX_TRAVERSAL_STEPS] as const;
/** Sweep half-widths, in prior standard deviations. */
export const TRAVERSAL_RANGES = [1, 2, 3] as const;

/** The first two latent dimensions (a 1-D latent space has no 2-D traversal: null). */
export const defaultDims = (latentDim: number): [number, number] | null => (latentDim >= 2 ? [0, 1] : null);

/** A seed the analyst has not just seen: the next one, wrapping inside the accepted range. */
export const nextSeed = (seed: number): number => (seed + 1) % 2 ** 31;

export interface TraversalChoice {
  dims: [number, number];
  steps: number;
  range: number;
  /** The frame to centre on, when one is selected. */
  frame: { videoId: number; index: number } | null;
}

export function traversalRequest(c: TraversalChoice): TraversalRequest {
  return { dims: c.dims, steps: c.steps, range: c.range, ...(c.frame ? { videoId: c.frame.videoId, index: c.frame.index } : {}) };
}

/** Where a grid is centred, in words. */
export function centreText(frame: { videoId: number; index: number } | null, kind: string, videoName: (id: number) => string): string {
  if (frame) return `centred on frame ${frame.index} of ${videoName(frame.videoId)}`;
  return describeKind(kind).traversalFromPrior ? 'centred on the prior’s origin (select a frame in the review panel to centre on it)' : 'centred on a frame of the training video';
}
