/**
 * A model's view of one stored frame (its reconstruction and per-pixel squared error), as every kind's
 * driver gives it: the network families from their scoring graph's recon and err_map outputs (a
 * conditional VAE fed the frame with its predecessors), the gray baselines from their fitted picture.
 */
import { AppError } from '../../shared/envelope.js';
import type { Store } from '../store/store.js';

export interface FrameModelView {
  /** The reconstruction, uint8, `channels` per pixel (3: RGB; 1: gray for the gray baselines). */
  recon: Uint8Array;
  channels: 1 | 3;
  /** Squared error per pixel (averaged over channels), in 0..1 intensity units squared. */
  errMap: Float32Array;
  size: number;
  /**
   * What the heatmap shows instead of the error, where the kind has something better: per pixel
   * [size·size] in the kind's unit, full colour at `fullScale` (vq-pixelcnn: −log p of the code
   * covering each pixel, nats, full at log K).
   */
  heat?: { values: Float32Array; fullScale: number };
}

/** Something that shows a model's view of stored frames; kept open while the analyst looks at that model. */
export interface FrameViewer {
  view(store: Store, videoId: number, index: number): Promise<FrameModelView>;
  dispose(): Promise<void>;
}

/** 0..1 intensities as uint8. */
export const toViewBytes = (v: ArrayLike<number>): Uint8Array => Uint8Array.from(v as ArrayLike<number>, (x) => Math.round(Math.min(1, Math.max(0, x)) * 255));

export function checkViewSize(modelId: number, inputSize: number, frameSize: number): void {
  if (inputSize !== frameSize) throw new AppError('FrameSizeError', `Model ${modelId} takes ${inputSize}x${inputSize} frames; this video is stored at ${frameSize}x${frameSize}.`);
}
