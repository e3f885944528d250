/** Ignore masks: regions of a video left out of training and of the scores. */

/**
 * A rectangle of a frame in normalized coordinates: x and width across, y and height down, all in
 * 0..1 of the stored frame (which is the source picture, after any crop, scaled to a square; so the
 * same numbers name the same region of the source picture at any size).
 */
export interface MaskRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A video's ignore mask (issue 5, item 6): regions the analyst painted (a timestamp overlay, a tree,
 * a busy road) that are left out of the training loss and of the scores; the reconstruction still
 * fills them in. Stored as rectangles in normalized coordinates and rasterized at the model's frame
 * size when a model is trained (a pixel is ignored when its centre lies in a rectangle). An empty
 * list means no mask. A model bakes in the mask it was trained with: a changed mask takes effect
 * when the video is trained on again.
 */
export interface IgnoreMask {
  rects: MaskRect[];
}

/** Most rectangles one mask may hold. */
export const MAX_MASK_RECTS = 64;
