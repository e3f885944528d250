/** Canvas painters of the change timeline: the zoomable main view and the whole-video overview strip. */
import type { ChangeEvent } from '../../../shared/domain.js';
import { type FrameView, type MinMaxPyramid, frameToX } from './decimate.js';
import { EVENT_COLOUR, SELECTION_COLOUR, THRESHOLD_COLOUR } from '../palette.js';

/** A run of frames, both ends inclusive (like ChangeEvent). */
export interface FrameBand {
  startIdx: number;
  endIdx: number;
}

/** A labelled run of frames, drawn in its class colour. */
export interface LabelBand extends FrameBand {
  cls: string;
  colour: string;
}

/** The score range the vertical axis shows; `log` draws it on a symmetric log axis (sign(s)·ln(1 + |s|)). */
export interface ScoreScale {
  min: number;
  max: number;
  log?: boolean;
}

/** The symmetric log transform: linear near zero, logarithmic for large |s|, defined for negative scores. */
export const symlog = (s: number): number => Math.sign(s) * Math.log1p(Math.abs(s));
export const symexp = (t: number): number => Math.sign(t) * Math.expm1(Math.abs(t));

export interface TimelinePalette {
  background: string;
  curve: string;
  threshold: string;
  event: string;
  selection: string;
  playhead: string;
  window: string;
}

export interface TimelineScene {
  /** Canvas size in CSS pixels. */
  width: number;
  height: number;
  view: FrameView;
  pyramid: MinMaxPyramid;
  scale: ScoreScale;
  threshold: number;
  events: readonly ChangeEvent[];
  labels: readonly LabelBand[];
  selection: readonly FrameBand[];
  frame: number;
}

/** Pixels kept free above and below the curve (the top strip carries the label bands). */
const PAD_TOP = 8;
const PAD_BOTTOM = 3;
const LABEL_STRIP = 5;

/** The axis range: the whole series' extent and the threshold, with zero at or above the bottom and headroom on top. */
export function scoreScale(pyramid: MinMaxPyramid, threshold: number, log = false): ScoreScale {
  const { min, max } = pyramid.extent(0, pyramid.length);
  const t = Number.isFinite(threshold) ? threshold : NaN;
  const lo = Math.min(0, Number.isNaN(min) ? 0 : min, Number.isNaN(t) ? 0 : t);
  const hi = Math.max(Number.isNaN(max) ? 1 : max, Number.isNaN(t) ? lo : t);
  if (log) {
    const [a, b] = [symlog(lo), symlog(hi)];
    const range = b > a ? b - a : 1;
    return { min: lo, max: symexp(a + range * 1.08), log: true };
  }
  const range = hi > lo ? hi - lo : 1;
  return { min: lo, max: lo + range * 1.08 };
}

/**
 * Whether a series reads better on a log axis: when its peak is far above the threshold, a linear axis
 * flattens everything else (one burst at 600 leaves the threshold at 4 a pixel above the floor).
 */
export function prefersLogAxis(pyramid: MinMaxPyramid, threshold: number): boolean {
  const { max } = pyramid.extent(0, pyramid.length);
  return Number.isFinite(threshold) && threshold > 0 && max > 10 * threshold;
}

const axisValue = (v: number, scale: ScoreScale) => (scale.log ? symlog(v) : v);

export function scoreToY(score: number, scale: ScoreScale, height: number): number {
  const plot = Math.max(1, height - PAD_TOP - PAD_BOTTOM);
  const [lo, hi] = [axisValue(scale.min, scale), axisValue(scale.max, scale)];
  return PAD_TOP + (1 - (axisValue(score, scale) - lo) / (hi - lo)) * plot;
}

export function yToScore(y: number, scale: ScoreScale, height: number): number {
  const plot = Math.max(1, height - PAD_TOP - PAD_BOTTOM);
  const [lo, hi] = [axisValue(scale.min, scale), axisValue(scale.max, scale)];
  const t = lo + (1 - (y - PAD_TOP) / plot) * (hi - lo);
  const score = scale.log ? symexp(t) : t;
  return Math.min(scale.max, Math.max(scale.min, score));
}

/** Reads the theme's colours (CSS variables) where the canvas sits, with the dark theme's values as fallbacks. */
export function readPalette(el: Element): TimelinePalette {
  const style = getComputedStyle(el);
  const css = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    background: css('--bg', '#0f1216'),
    curve: css('--accent', '#4ea1ff'),
    threshold: THRESHOLD_COLOUR,
    event: EVENT_COLOUR,
    selection: SELECTION_COLOUR,
    playhead: css('--text', '#e6eaf0'),
    window: css('--text-muted', '#9aa5b4'),
  };
}

/** Sizes the backing store for the screen's pixel ratio; null where there is no 2D context (jsdom): skip drawing. */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  let ctx: CanvasRenderingContext2D | null = null;
  try {
    ctx = canvas.getContext('2d');
  } catch {
    return null;
  }
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}

function fillBand(ctx: CanvasRenderingContext2D, s: TimelineScene, band: FrameBand, y: number, h: number) {
  const x0 = Math.max(0, frameToX(band.startIdx, s.view, s.width));
  const x1 = Math.min(s.width, frameToX(band.endIdx + 1, s.view, s.width));
  if (x1 > x0 - 1) ctx.fillRect(x0, y, Math.max(1, x1 - x0), h);
}

/**
 * Fills bands sorted by start (events, selection runs) that do not overlap: only those in view (found
 * by binary search), and runs that meet in pixel space as one rectangle, so 10,000 events zoomed out
 * cost a few hundred rectangles, not 10,000.
 */
function fillSortedBands(ctx: CanvasRenderingContext2D, s: TimelineScene, bands: readonly FrameBand[], y: number, h: number) {
  let lo = 0;
  let hi = bands.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bands[mid]!.startIdx < s.view.start) lo = mid + 1;
    else hi = mid;
  }
  let runX0 = NaN;
  let runX1 = NaN;
  for (let k = Math.max(0, lo - 1); k < bands.length; k++) {
    const band = bands[k]!;
    if (band.startIdx > s.view.end) break;
    const x0 = Math.max(0, frameToX(band.startIdx, s.view, s.width));
    const x1 = Math.min(s.width, frameToX(band.endIdx + 1, s.view, s.width));
    if (x1 <= x0 - 1) continue;
    const right = Math.max(x0 + 1, x1);
    if (x0 <= runX1 + 0.5) runX1 = Math.max(runX1, right);
    else {
      if (runX1 > runX0) ctx.fillRect(runX0, y, runX1 - runX0, h);
      runX0 = x0;
      runX1 = right;
    }
  }
  if (runX1 > runX0) ctx.fillRect(runX0, y, runX1 - runX0, h);
}

/** The score as a min/max band per pixel column; a line through each frame once frames are wider than a pixel. */
function drawCurve(ctx: CanvasRenderingContext2D, s: TimelineScene, colour: string) {
  const y = (v: number) => scoreToY(v, s.scale, s.height);
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 1;
  ctx.beginPath();
  if (s.view.end - s.view.start >= s.width) {
    // One 1-px-wide rectangle per column from its max to its min (at least 1 px tall): a jagged score
    // (10,000 events) as a filled and stroked polygon cost 18 ms a redraw to rasterise; rectangles, a few.
    const cols = s.pyramid.columns(s.view, s.width);
    for (let c = 0; c < cols.length; c++) {
      const col = cols[c]!;
      if (Number.isNaN(col.max)) continue;
      const top = y(col.max);
      ctx.fillRect(c, top, 1, Math.max(1, y(col.min) - top));
    }
    return;
  }
  let pen = false;
  const values = s.pyramid;
  const last = Math.min(values.length - 1, Math.ceil(s.view.end));
  for (let i = Math.max(0, Math.floor(s.view.start) - 1); i <= last; i++) {
    const v = values.extent(i, i + 1).max;
    if (Number.isNaN(v)) { pen = false; continue; }
    const x = frameToX(i + 0.5, s.view, s.width);
    if (pen) ctx.lineTo(x, y(v));
    else ctx.moveTo(x, y(v));
    pen = true;
  }
  ctx.stroke();
}

/** Paints the main view: bands (labels, events, selection), the score curve, the threshold and the playhead. */
export function drawTimeline(ctx: CanvasRenderingContext2D, s: TimelineScene, p: TimelinePalette): void {
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, s.width, s.height);
  for (const label of s.labels) {
    ctx.fillStyle = label.colour;
    ctx.globalAlpha = 0.12;
    fillBand(ctx, s, label, 0, s.height);
    ctx.globalAlpha = 0.9;
    fillBand(ctx, s, label, 0, LABEL_STRIP);
  }
  ctx.fillStyle = p.event;
  ctx.globalAlpha = 0.2;
  fillSortedBands(ctx, s, s.events, 0, s.height);
  if (s.selection.length) {
    ctx.fillStyle = p.selection;
    ctx.globalAlpha = 0.22;
    fillSortedBands(ctx, s, s.selection, 0, s.height);
  }
  ctx.globalAlpha = 1;
  drawCurve(ctx, s, p.curve);

  if (Number.isFinite(s.threshold)) {
    const ty = Math.round(scoreToY(s.threshold, s.scale, s.height)) + 0.5;
    ctx.strokeStyle = p.threshold;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(0, ty);
    ctx.lineTo(s.width, ty);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = p.threshold;
    ctx.fillRect(s.width - 10, ty - 3, 10, 6);
  }

  drawPlayhead(ctx, s, p);
}

function drawPlayhead(ctx: CanvasRenderingContext2D, s: TimelineScene, p: TimelinePalette) {
  if (!Number.isFinite(s.frame)) return;
  const px = frameToX(s.frame + 0.5, s.view, s.width);
  ctx.strokeStyle = p.playhead;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(px, 0);
  ctx.lineTo(px, s.height);
  ctx.stroke();
}

/** The overview strip's still part (the whole video's curve and events, no window or playhead), for caching. */
export function drawOverviewBase(ctx: CanvasRenderingContext2D, s: TimelineScene, p: TimelinePalette): void {
  drawTimeline(ctx, { ...s, labels: [], selection: [], threshold: NaN, frame: NaN }, p);
}

/**
 * Paints the overview strip: the whole video, its events, the visible window and the playhead. With
 * `base` (a canvas holding drawOverviewBase's picture at this size) only the window and playhead are
 * drawn on a copy of it: zooming and panning then cost a blit, not a decimation of the whole video.
 */
export function drawOverview(ctx: CanvasRenderingContext2D, s: TimelineScene, p: TimelinePalette, visible: FrameView, base?: CanvasImageSource): void {
  if (base) ctx.drawImage(base, 0, 0, s.width, s.height);
  else drawOverviewBase(ctx, s, p);
  drawPlayhead(ctx, s, p);
  const x0 = frameToX(visible.start, s.view, s.width);
  const x1 = frameToX(visible.end, s.view, s.width);
  ctx.fillStyle = p.window;
  ctx.globalAlpha = 0.18;
  ctx.fillRect(x0, 0, Math.max(2, x1 - x0), s.height);
  ctx.globalAlpha = 1;
  ctx.strokeStyle = p.window;
  ctx.lineWidth = 1;
  ctx.strokeRect(x0 + 0.5, 0.5, Math.max(2, x1 - x0) - 1, s.height - 1);
}

/** Sorted frame indices as runs of consecutive frames (a lasso selection drawn as bands). */
export function indicesToBands(indices: readonly number[]): FrameBand[] {
  const bands: FrameBand[] = [];
  for (const i of indices) {
    const last = bands[bands.length - 1];
    if (last && i === last.endIdx + 1) last.endIdx = i;
    else if (!last || i > last.endIdx) bands.push({ startIdx: i, endIdx: i });
  }
  return bands;
}
