/** The change timeline's pointer gestures (drag the threshold, drag to pan, click to seek, wheel to zoom) as pure steps. */
import { type FrameView, frameAtX, panView, xToFrame, zoomView } from './decimate.js';
import { type FrameBand, type ScoreScale, scoreToY, yToScore } from './drawTimeline.js';

/** What the gesture needs to know about the main view, in CSS pixels and frames. */
export interface TimelineGeometry {
  view: FrameView;
  width: number;
  height: number;
  frameCount: number;
  scale: ScoreScale;
  threshold: number;
}

export type TimelineDrag =
  /** The scale is kept as it was at the start so the axis does not move under the pointer. */
  | { kind: 'threshold'; scale: ScoreScale }
  | { kind: 'pan'; x0: number; view0: FrameView; moved: boolean }
  /** Shift+drag brushes a span of frames (to label it). */
  | { kind: 'brush'; f0: number };

/** How near the threshold line (pixels) a press grabs it. */
const GRAB = 5;
/** How far (pixels) a press must move before it pans instead of seeking. */
const SLOP = 3;

export function isOnThreshold(y: number, g: TimelineGeometry): boolean {
  return Number.isFinite(g.threshold) && Math.abs(y - scoreToY(g.threshold, g.scale, g.height)) <= GRAB;
}

export function startDrag(x: number, y: number, g: TimelineGeometry, brush = false): TimelineDrag {
  if (brush) return { kind: 'brush', f0: frameAtX(x, g.view, g.width, g.frameCount) };
  return isOnThreshold(y, g) ? { kind: 'threshold', scale: g.scale } : { kind: 'pan', x0: x, view0: g.view, moved: false };
}

/** The span a brush covers with the pointer at x (both ends inclusive, in either direction). */
export function brushBand(drag: { f0: number }, x: number, g: TimelineGeometry): FrameBand {
  const f = frameAtX(x, g.view, g.width, g.frameCount);
  return { startIdx: Math.min(drag.f0, f), endIdx: Math.max(drag.f0, f) };
}

/** The new threshold or view as the pointer moves; null while a press has not yet moved far enough to pan. */
export function dragTo(drag: TimelineDrag, x: number, y: number, g: TimelineGeometry): { threshold: number } | { view: FrameView } | { brush: FrameBand } | null {
  if (drag.kind === 'threshold') return { threshold: yToScore(y, drag.scale, g.height) };
  if (drag.kind === 'brush') return { brush: brushBand(drag, x, g) };
  if (!drag.moved && Math.abs(x - drag.x0) <= SLOP) return null;
  drag.moved = true;
  const span = drag.view0.end - drag.view0.start;
  return { view: panView(drag.view0, (-(x - drag.x0) / g.width) * span, g.frameCount) };
}

/** The frame to seek to when the press ends: the one under it, if the press was a click. */
export function endDrag(drag: TimelineDrag, x: number, g: TimelineGeometry): number | null {
  return drag.kind === 'pan' && !drag.moved ? frameAtX(x, g.view, g.width, g.frameCount) : null;
}

/** The view after a wheel turn at x: vertical zooms around the pointer, horizontal pans. */
export function wheelView(e: { deltaX: number; deltaY: number; deltaMode: number }, x: number, g: TimelineGeometry): FrameView {
  const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? g.width : 1;
  const dx = e.deltaX * unit;
  const dy = e.deltaY * unit;
  const span = g.view.end - g.view.start;
  if (Math.abs(dx) > Math.abs(dy)) return panView(g.view, (dx / g.width) * span, g.frameCount);
  return zoomView(g.view, Math.exp(dy * 0.002), xToFrame(x, g.view, g.width), g.frameCount);
}
