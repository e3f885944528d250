/**
 * One zoom and pan shared by the frame view's tiles (source, reconstruction, heatmap), so the same
 * spot stays under the cursor in all three. Coordinates are fractions of a tile: the picture is drawn
 * scaled by `scale` (1..MAX_ZOOM) and moved by (x, y), and always covers its tile.
 */
export interface FrameZoom {
  scale: number;
  x: number;
  y: number;
}

export const NO_ZOOM: FrameZoom = { scale: 1, x: 0, y: 0 };
export const MAX_ZOOM = 8;

const clampOffset = (v: number, scale: number) => Math.min(0, Math.max(1 - scale, v));

/** Zoom by `factor` keeping the point (u, v) of the tile (0..1) where it is. */
export function zoomAt(z: FrameZoom, factor: number, u: number, v: number): FrameZoom {
  const scale = Math.min(MAX_ZOOM, Math.max(1, z.scale * factor));
  const px = (u - z.x) / z.scale;
  const py = (v - z.y) / z.scale;
  return { scale, x: clampOffset(u - px * scale, scale), y: clampOffset(v - py * scale, scale) };
}

/** Move by (du, dv) fractions of the tile. */
export function panBy(z: FrameZoom, du: number, dv: number): FrameZoom {
  return { scale: z.scale, x: clampOffset(z.x + du, z.scale), y: clampOffset(z.y + dv, z.scale) };
}

/** The CSS transform of a picture under this zoom (transform-origin 0 0). */
export const zoomTransform = (z: FrameZoom): string => `translate(${(z.x * 100).toFixed(3)}%, ${(z.y * 100).toFixed(3)}%) scale(${z.scale.toFixed(4)})`;
