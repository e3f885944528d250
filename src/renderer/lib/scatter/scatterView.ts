/**
 * The latent scatter's geometry, free of the DOM: the view (which part of the projection plane is on
 * screen), zoom and pan, hit testing and lasso selection.
 *
 * Coordinates: data (x, y) are the projection's; screen (sx, sy) are CSS pixels from the canvas's top
 * left, y downwards. A view maps data to screen with one scale for both axes (distances in the
 * projection keep their meaning): sx = w/2 + (x − cx)·scale, sy = h/2 − (y − cy)·scale.
 */

export interface ScatterView {
  /** The data point at the centre of the canvas. */
  cx: number;
  cy: number;
  /** CSS pixels per data unit. */
  scale: number;
}

export interface DataBounds {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

export interface ScreenPoint {
  x: number;
  y: number;
}

/** How far the view may zoom out and in, relative to the view that fits every point. */
export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 5000;

/** The extent of the finite points; null when there is none. */
export function dataBounds(x: ArrayLike<number>, y: ArrayLike<number>): DataBounds | null {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const px = x[i]!, py = y[i]!;
    if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
    if (px < minX) minX = px;
    if (px > maxX) maxX = px;
    if (py < minY) minY = py;
    if (py > maxY) maxY = py;
  }
  return minX <= maxX ? { minX, maxX, minY, maxY } : null;
}

/** The view that shows every point with a margin of `pad` (a share of the canvas) on each side. */
export function fitView(b: DataBounds | null, width: number, height: number, pad = 0.06): ScatterView {
  if (!b) return { cx: 0, cy: 0, scale: 1 };
  const spanX = b.maxX - b.minX;
  const spanY = b.maxY - b.minY;
  const usableW = Math.max(1, width * (1 - 2 * pad));
  const usableH = Math.max(1, height * (1 - 2 * pad));
  const fits = [spanX > 0 ? usableW / spanX : Infinity, spanY > 0 ? usableH / spanY : Infinity];
  const scale = Math.min(...fits);
  return { cx: (b.minX + b.maxX) / 2, cy: (b.minY + b.maxY) / 2, scale: Number.isFinite(scale) ? scale : 1 };
}

export function toScreen(v: ScatterView, width: number, height: number, x: number, y: number): ScreenPoint {
  return { x: width / 2 + (x - v.cx) * v.scale, y: height / 2 - (y - v.cy) * v.scale };
}

export function toData(v: ScatterView, width: number, height: number, sx: number, sy: number): { x: number; y: number } {
  return { x: v.cx + (sx - width / 2) / v.scale, y: v.cy - (sy - height / 2) / v.scale };
}

/**
 * Zoom by `factor` (> 1 zooms in) keeping the data point under (sx, sy) where it is, within
 * [MIN_ZOOM, MAX_ZOOM] × `fitScale`.
 */
export function zoomAt(v: ScatterView, width: number, height: number, sx: number, sy: number, factor: number, fitScale: number): ScatterView {
  if (!(factor > 0)) return v;
  const scale = Math.min(fitScale * MAX_ZOOM, Math.max(fitScale * MIN_ZOOM, v.scale * factor));
  const anchor = toData(v, width, height, sx, sy);
  // The anchor stays at (sx, sy): cx = anchor.x − (sx − w/2)/scale, and likewise for y.
  return { cx: anchor.x - (sx - width / 2) / scale, cy: anchor.y + (sy - height / 2) / scale, scale };
}

/** Move the picture by (dx, dy) CSS pixels (the content follows the pointer). */
export function panBy(v: ScatterView, dx: number, dy: number): ScatterView {
  return { cx: v.cx - dx / v.scale, cy: v.cy + dy / v.scale, scale: v.scale };
}

/** The zoom factor of one wheel event: a notch (100 px) zooms by about 1.2×; down zooms out. */
export function wheelFactor(e: { deltaY: number; deltaMode: number }, pageHeight = 800): number {
  const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? pageHeight : 1;
  const dy = Math.max(-600, Math.min(600, e.deltaY * unit));
  return Math.exp(-dy * 0.0018);
}

/**
 * The point nearest (sx, sy) within `radius` CSS pixels, or −1. Among equally near points the one drawn
 * last wins (it is the one on top); `order` is the drawing order, or null for index order.
 */
export function nearestPoint(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  v: ScatterView,
  width: number,
  height: number,
  sx: number,
  sy: number,
  radius: number,
  order: ArrayLike<number> | null = null,
): number {
  const at = toData(v, width, height, sx, sy);
  const r = radius / v.scale;
  let best = -1;
  let bestD = r * r;
  const n = order ? order.length : Math.min(x.length, y.length);
  for (let k = 0; k < n; k++) {
    const i = order ? order[k]! : k;
    const dx = x[i]! - at.x;
    if (dx > r || dx < -r) continue;
    const dy = y[i]! - at.y;
    const d = dx * dx + dy * dy;
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Whether (px, py) lies inside the polygon (even–odd rule; a closed ring, the last vertex joins the first). */
export function pointInPolygon(px: number, py: number, polygon: readonly ScreenPoint[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i]!, b = polygon[j]!;
    if (a.y > py !== b.y > py && px < ((b.x - a.x) * (py - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** Indices of the points whose screen position lies inside the lasso polygon (screen coordinates), ascending. */
export function pointsInLasso(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  v: ScatterView,
  width: number,
  height: number,
  lasso: readonly ScreenPoint[],
): number[] {
  if (lasso.length < 3) return [];
  // Test in data space: the polygon is mapped once instead of every point.
  const poly = lasso.map((p) => toData(v, width, height, p.x, p.y));
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const p of poly) {
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const out: number[] = [];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const px = x[i]!, py = y[i]!;
    if (px < minX || px > maxX || py < minY || py > maxY) continue;
    if (pointInPolygon(px, py, poly)) out.push(i);
  }
  return out;
}

/** The frames of the given points (ascending, each once): selections are kept as frame indices. */
export function framesOfPoints(points: readonly number[], index: readonly number[]): number[] {
  const frames = points.map((i) => index[i]!).filter((f) => f !== undefined);
  frames.sort((a, b) => a - b);
  return frames.filter((f, k) => k === 0 || f !== frames[k - 1]);
}

/** The point showing `frame` (index is ascending, as a projection's is), or −1. */
export function pointOfFrame(frame: number, index: readonly number[]): number {
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (index[mid]! < frame) lo = mid + 1;
    else hi = mid;
  }
  return index[lo] === frame ? lo : -1;
}
