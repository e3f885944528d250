/** Pointer geometry of the ignore-mask painter: drags on the frame become normalized rectangles. */
import type { MaskRect } from '../../../shared/domain.js';

/** A point in normalized 0..1 frame coordinates. */
export interface MaskPoint {
  x: number;
  y: number;
}

/** Smallest side a painted rectangle may have (a click without a drag paints nothing). */
export const MIN_RECT_SIDE = 0.01;

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** A pointer position over an element showing the whole frame, as a normalized point (clamped to the frame). */
export function pointIn(box: Pick<DOMRect, 'left' | 'top' | 'width' | 'height'>, clientX: number, clientY: number): MaskPoint {
  return {
    x: box.width > 0 ? clamp01((clientX - box.left) / box.width) : 0,
    y: box.height > 0 ? clamp01((clientY - box.top) / box.height) : 0,
  };
}

/** The rectangle spanned by a drag from `a` to `b` (either direction); null when it is too small to mean anything. */
export function rectFromDrag(a: MaskPoint, b: MaskPoint): MaskRect | null {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  const width = Math.abs(a.x - b.x);
  const height = Math.abs(a.y - b.y);
  if (width < MIN_RECT_SIDE || height < MIN_RECT_SIDE) return null;
  // Rounded to 1e-4 of the frame: short, stable numbers in the library; still finer than any stored frame's pixel.
  const round = (v: number): number => Math.round(v * 1e4) / 1e4;
  const rx = round(x);
  const ry = round(y);
  return { x: rx, y: ry, width: Math.min(round(width), 1 - rx), height: Math.min(round(height), 1 - ry) };
}
