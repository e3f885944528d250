/**
 * The change timeline's drawing math, free of the DOM.
 *
 * Coordinates: frame i occupies the cell [i, i + 1) of the timeline axis, so a video of n frames spans
 * [0, n). A view is the visible part of that axis; x runs from 0 to the canvas width in CSS pixels.
 */
import type { ChangeEvent } from '../../../shared/domain.js';

/** The visible part of the timeline, in frame units: [start, end). */
export interface FrameView {
  start: number;
  end: number;
}

/** The lowest and highest score within a pixel column; both NaN when it holds no number. */
export interface ColumnExtent {
  min: number;
  max: number;
}

/** Spans narrower than this many frames are not offered when zooming in. */
export const MIN_VIEW_SPAN = 20;

/**
 * A min/max pyramid over a score series: level k holds the min and max of every aligned block of 2^k
 * frames (level 0 is the series itself). Built once in O(n); any range's extent then costs O(log n), so
 * decimating a view into w pixel columns costs O(w · log n) whatever the zoom. NaN values are skipped.
 */
export class MinMaxPyramid {
  readonly length: number;
  private readonly values: ArrayLike<number>;
  /** mins[k - 1] and maxs[k - 1] hold level k (blocks of 2^k frames). An all-NaN block holds +∞ / −∞. */
  private readonly mins: (Float32Array | Float64Array)[] = [];
  private readonly maxs: (Float32Array | Float64Array)[] = [];

  constructor(values: ArrayLike<number>) {
    this.values = values;
    this.length = values.length;
    // Float32 input is stored as Float32 without loss; anything else keeps full precision.
    const Store = values instanceof Float32Array ? Float32Array : Float64Array;
    let lowerMin: ArrayLike<number> = values;
    let lowerMax: ArrayLike<number> = values;
    for (let size = Math.ceil(this.length / 2); lowerMin.length > 1; size = Math.ceil(size / 2)) {
      const mins = new Store(size);
      const maxs = new Store(size);
      const lowerLength = lowerMin.length;
      for (let i = 0; i < size; i++) {
        const a = 2 * i;
        let lo = Infinity;
        let hi = -Infinity;
        const aMin = lowerMin[a]!;
        const aMax = lowerMax[a]!;
        if (aMin < lo) lo = aMin;
        if (aMax > hi) hi = aMax;
        if (a + 1 < lowerLength) {
          const bMin = lowerMin[a + 1]!;
          const bMax = lowerMax[a + 1]!;
          if (bMin < lo) lo = bMin;
          if (bMax > hi) hi = bMax;
        }
        mins[i] = lo;
        maxs[i] = hi;
      }
      this.mins.push(mins);
      this.maxs.push(maxs);
      lowerMin = mins;
      lowerMax = maxs;
    }
  }

  /** Min and max over the frames [from, to) (clamped to the series); NaN when none is a number. */
  extent(from: number, to: number): ColumnExtent {
    let a = Math.max(0, Math.floor(from));
    const b = Math.min(this.length, Math.floor(to));
    let lo = Infinity;
    let hi = -Infinity;
    while (a < b) {
      // The largest block that starts at a (aligned: a is a multiple of its size) and ends within b.
      const aligned = a === 0 ? 31 : 31 - Math.clz32(a & -a);
      const fits = 31 - Math.clz32(b - a);
      const level = Math.min(aligned, fits, this.mins.length);
      if (level === 0) {
        const v = this.values[a]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        a += 1;
      } else {
        const i = a >> level;
        const bMin = this.mins[level - 1]![i]!;
        const bMax = this.maxs[level - 1]![i]!;
        if (bMin < lo) lo = bMin;
        if (bMax > hi) hi = bMax;
        a += 1 << level;
      }
    }
    return lo <= hi ? { min: lo, max: hi } : { min: NaN, max: NaN };
  }

  /** The extent of every pixel column of a view `width` pixels wide (see {@link columnFrames}). */
  columns(view: FrameView, width: number): ColumnExtent[] {
    const count = Math.max(0, Math.floor(width));
    const out: ColumnExtent[] = new Array<ColumnExtent>(count);
    let from = columnBoundary(view, count, 0);
    for (let c = 0; c < count; c++) {
      const to = columnBoundary(view, count, c + 1);
      out[c] = this.extent(from, to);
      from = to;
    }
    return out;
  }
}

/** Min/max decimation of `values` over `view` into `width` columns (builds a pyramid: keep one for redraws). */
export function decimate(values: ArrayLike<number>, view: FrameView, width: number): ColumnExtent[] {
  return new MinMaxPyramid(values).columns(view, width);
}

/** The first frame whose cell starts at or after column boundary `c` (0..width). */
function columnBoundary(view: FrameView, width: number, c: number): number {
  return Math.ceil(view.start + (c * (view.end - view.start)) / width);
}

/**
 * The frames [from, to) that pixel column `c` draws: those whose cell starts inside the column. The
 * columns of a view partition its frames; a column narrower than a frame may hold none.
 */
export function columnFrames(view: FrameView, width: number, c: number): [number, number] {
  return [columnBoundary(view, width, c), columnBoundary(view, width, c + 1)];
}

/** The x (CSS pixels) of a position on the frame axis. */
export function frameToX(frame: number, view: FrameView, width: number): number {
  const span = view.end - view.start;
  return span > 0 ? ((frame - view.start) / span) * width : 0;
}

/** The position on the frame axis under x (CSS pixels). */
export function xToFrame(x: number, view: FrameView, width: number): number {
  return width > 0 ? view.start + (x / width) * (view.end - view.start) : view.start;
}

/** The frame whose cell lies under x, within [0, frameCount − 1]. */
export function frameAtX(x: number, view: FrameView, width: number, frameCount: number): number {
  return clampFrame(Math.floor(xToFrame(x, view, width)), frameCount);
}

export function clampFrame(frame: number, frameCount: number): number {
  return Math.min(Math.max(0, frameCount - 1), Math.max(0, Math.round(frame)));
}

/**
 * A view that fits the video: at least `minSpan` frames wide (or the whole video if shorter), never
 * wider than it, and never past either end (it is shifted back inside, keeping its span).
 */
export function clampView(view: FrameView, frameCount: number, minSpan = MIN_VIEW_SPAN): FrameView {
  const total = Math.max(0, frameCount);
  const wanted = Number.isFinite(view.end - view.start) ? view.end - view.start : total;
  const span = Math.min(total, Math.max(Math.min(minSpan, total), wanted));
  const start = Math.min(total - span, Math.max(0, Number.isFinite(view.start) ? view.start : 0));
  return { start, end: start + span };
}

/**
 * Zoom by `factor` (< 1 zooms in) keeping the frame-axis position `focus` under the same pixel, then
 * clamp to the video.
 */
export function zoomView(view: FrameView, factor: number, focus: number, frameCount: number, minSpan = MIN_VIEW_SPAN): FrameView {
  const span = view.end - view.start;
  if (!(span > 0) || !(factor > 0)) return clampView(view, frameCount, minSpan);
  const newSpan = Math.min(frameCount, Math.max(Math.min(minSpan, frameCount), span * factor));
  const start = focus - (focus - view.start) * (newSpan / span);
  return clampView({ start, end: start + newSpan }, frameCount, minSpan);
}

/** Shift the view by `deltaFrames` (positive pans towards the end), stopping at either end. */
export function panView(view: FrameView, deltaFrames: number, frameCount: number, minSpan = MIN_VIEW_SPAN): FrameView {
  return clampView({ start: view.start + deltaFrames, end: view.end + deltaFrames }, frameCount, minSpan);
}

/** The smallest shift of the view that brings a frame's whole cell into it (the view itself if it is already visible). */
export function revealFrame(view: FrameView, frame: number, frameCount: number, minSpan = MIN_VIEW_SPAN): FrameView {
  if (frame < view.start) return panView(view, frame - view.start, frameCount, minSpan);
  if (frame + 1 > view.end) return panView(view, frame + 1 - view.end, frameCount, minSpan);
  return view;
}

/**
 * The event to jump to from `frame` ([ and ] keys): the next one starting after it, or the previous one
 * starting before it (from inside an event, its own start). Events may come in any order; null if none.
 */
export function nearestEvent<E extends Pick<ChangeEvent, 'startIdx'>>(events: readonly E[], frame: number, direction: 'next' | 'previous'): E | null {
  let best: E | null = null;
  for (const event of events) {
    if (direction === 'next') {
      if (event.startIdx > frame && (best === null || event.startIdx < best.startIdx)) best = event;
    } else if (event.startIdx < frame && (best === null || event.startIdx > best.startIdx)) best = event;
  }
  return best;
}
