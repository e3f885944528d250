/** The latent scatter's pointer gestures (drag to pan, click to seek, shift-drag or the lasso tool to select) as pure steps. */
import { type ScatterView, type ScreenPoint, panBy } from './scatterView.js';

export type ScatterGesture =
  | { kind: 'pan'; x0: number; y0: number; view0: ScatterView; moved: boolean }
  | { kind: 'lasso'; points: ScreenPoint[] };

/** How far (CSS pixels) a press must move before it pans instead of clicking. */
export const CLICK_SLOP = 3;
/** Lasso vertices closer than this (CSS pixels) to the previous one are dropped. */
const LASSO_STEP = 2;

export function startGesture(x: number, y: number, lasso: boolean, view: ScatterView): ScatterGesture {
  return lasso ? { kind: 'lasso', points: [{ x, y }] } : { kind: 'pan', x0: x, y0: y, view0: view, moved: false };
}

/** The new view while panning, or the lasso's new outline; null when nothing changes. */
export function moveGesture(g: ScatterGesture, x: number, y: number): { view: ScatterView } | { lasso: ScreenPoint[] } | null {
  if (g.kind === 'lasso') {
    const last = g.points[g.points.length - 1]!;
    if (Math.hypot(x - last.x, y - last.y) < LASSO_STEP) return null;
    g.points = [...g.points, { x, y }];
    return { lasso: g.points };
  }
  if (!g.moved && Math.hypot(x - g.x0, y - g.y0) <= CLICK_SLOP) return null;
  g.moved = true;
  return { view: panBy(g.view0, x - g.x0, y - g.y0) };
}

/**
 * What the press amounted to when it ends: a click at a point, a closed lasso, or nothing (a pan). A
 * lasso that never left the spot where it started (fewer than three vertices) is a click.
 */
export function endGesture(g: ScatterGesture, x: number, y: number): { click: ScreenPoint } | { lasso: ScreenPoint[] } | null {
  if (g.kind === 'lasso') {
    const last = g.points[g.points.length - 1]!;
    const points = Math.hypot(x - last.x, y - last.y) < LASSO_STEP ? g.points : [...g.points, { x, y }];
    return points.length >= 3 ? { lasso: points } : { click: { x, y } };
  }
  return g.moved ? null : { click: { x, y } };
}
