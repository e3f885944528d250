/**
 * Ignore masks (domain.ts IgnoreMask) as pixels: the one rasterization every process uses, so the
 * overlay the analyst sees, the training loss and the scoring graph agree pixel for pixel.
 */
import type { IgnoreMask, MaskRect } from './domain.js';

/**
 * The mask at `size`×`size`: 1 where a pixel is ignored, 0 where it counts. Pixel (row i, column j)
 * is ignored when its centre ((j + ½)/size, (i + ½)/size) lies inside a rectangle (left and top
 * edges inclusive, right and bottom exclusive), so adjacent rectangles tile without gaps or overlap.
 */
export function rasterizeIgnoreMask(mask: IgnoreMask | null | undefined, size: number): Uint8Array {
  const out = new Uint8Array(size * size);
  for (const r of mask?.rects ?? []) {
    const j0 = Math.max(0, Math.ceil(r.x * size - 0.5));
    const j1 = Math.min(size, Math.ceil((r.x + r.width) * size - 0.5));
    const i0 = Math.max(0, Math.ceil(r.y * size - 0.5));
    const i1 = Math.min(size, Math.ceil((r.y + r.height) * size - 0.5));
    for (let i = i0; i < i1; i++) out.fill(1, i * size + j0, i * size + Math.max(j0, j1));
  }
  return out;
}

/** Share of pixels a mask ignores at `size` (0 for none). */
export function ignoredFraction(mask: IgnoreMask | null | undefined, size: number): number {
  const m = rasterizeIgnoreMask(mask, size);
  let n = 0;
  for (const v of m) n += v;
  return n / m.length;
}

/** Whether two masks name the same rectangles in the same order (used to tell whether a model is out of date). */
export function sameIgnoreMask(a: IgnoreMask | null | undefined, b: IgnoreMask | null | undefined): boolean {
  const ra = a?.rects ?? [];
  const rb = b?.rects ?? [];
  return ra.length === rb.length && ra.every((r, i) => sameRect(r, rb[i]!));
}

const sameRect = (a: MaskRect, b: MaskRect): boolean => a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
