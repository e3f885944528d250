/** The event review queue's logic (issue 11): rows, filters, progress and stepping, as pure functions. */
import type { ChangeEvent, ComponentScale, ScoreSeries } from '../../../shared/domain.js';
import { tailP } from '../../../shared/tails.js';

export interface QueueItem {
  event: ChangeEvent;
  /** The analyst marked it reviewed (stored by peak frame). */
  reviewed: boolean;
  /** The class of the label over its peak (else any labelled frame of it); null: unlabelled. */
  label: string | null;
  /** The component whose calibrated z was largest at the peak; null when the series has no calibration. */
  driver: ComponentScale['name'] | null;
  durationSec: number;
}

export interface QueueFilter {
  unreviewedOnly: boolean;
  /** '' any, UNLABELLED only unlabelled events, else that class. */
  cls: string;
  /** Only events whose peak score is at least this (null: all). */
  minScore: number | null;
}

export const UNLABELLED = '(unlabelled)';
export const NO_FILTER: QueueFilter = { unreviewedOnly: false, cls: '', minScore: null };

/** Readable names of the components, for the queue and the timeline's hover readout. */
export const COMPONENT_TITLES: Record<ComponentScale['name'], string> = {
  recon: 'reconstruction',
  patch: 'patch',
  kl: 'KL',
  temporal: 'temporal',
  stillness: 'stillness',
  sharpness: 'sharpness',
  motion: 'motion',
  codeNll: 'code likelihood',
};

/** Which calibrated component is largest at frame `i` (the one that made the combined score). */
export function drivingComponent(series: ScoreSeries, i: number): ComponentScale['name'] | null {
  let best: ComponentScale['name'] | null = null;
  let bestZ = -Infinity;
  for (const c of series.components ?? []) {
    const v = series[c.name]?.[i];
    if (v === undefined || !Number.isFinite(v)) continue;
    const z = (v - c.median) / c.scale;
    // Tail-calibrated models: the component with the smallest tail probability, as the combined score does.
    const s = c.tail ? -Math.log10(tailP(v, c.tail, c.side)) : c.side === 'both' ? Math.abs(z) : z;
    if (s > bestZ) [best, bestZ] = [c.name, s];
  }
  return best;
}

function eventLabel(frameClasses: readonly string[], e: ChangeEvent): string | null {
  const atPeak = frameClasses[e.peakIdx];
  if (atPeak) return atPeak;
  for (let i = e.startIdx; i <= e.endIdx; i++) if (frameClasses[i]) return frameClasses[i]!;
  return null;
}

/** One row per event, in time order. */
export function buildQueue(events: readonly ChangeEvent[], series: ScoreSeries | null, reviewedPeaks: ReadonlySet<number>, frameClasses: readonly string[]): QueueItem[] {
  const fps = series?.sampledFps || 1;
  return events.map((event) => ({
    event,
    reviewed: reviewedPeaks.has(event.peakIdx),
    label: eventLabel(frameClasses, event),
    driver: series ? drivingComponent(series, event.peakIdx) : null,
    durationSec: (event.endIdx - event.startIdx + 1) / fps,
  }));
}

export function filterQueue(items: readonly QueueItem[], f: QueueFilter): QueueItem[] {
  return items.filter(
    (it) =>
      (!f.unreviewedOnly || !it.reviewed) &&
      (f.cls === '' || (f.cls === UNLABELLED ? it.label === null : it.label === f.cls)) &&
      (f.minScore === null || it.event.peakScore >= f.minScore),
  );
}

/** "3 of 12 reviewed" over every event at the threshold (filters do not change the count). */
export function reviewProgress(items: readonly QueueItem[]): { reviewed: number; total: number } {
  let reviewed = 0;
  for (const it of items) if (it.reviewed) reviewed++;
  return { reviewed, total: items.length };
}

/** Position in `items` of the event with this peak frame, else -1. */
export function indexOfPeak(items: readonly QueueItem[], peakIdx: number | null): number {
  if (peakIdx === null) return -1;
  // Items are in time order: binary search on the peak frame.
  let lo = 0, hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = items[mid]!.event.peakIdx;
    if (p === peakIdx) return mid;
    if (p < peakIdx) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The row J (+1) or K (−1) moves to from the current one. With no current row, J starts at the first
 * event after `frame` (else the first), K at the last event before it (else the last). Clamped at the ends.
 */
export function stepQueue(items: readonly QueueItem[], current: number, dir: 1 | -1, frame = 0): number {
  if (!items.length) return -1;
  if (current >= 0 && current < items.length) return Math.min(items.length - 1, Math.max(0, current + dir));
  if (dir === 1) {
    const k = items.findIndex((it) => it.event.endIdx >= frame);
    return k < 0 ? items.length - 1 : k;
  }
  for (let k = items.length - 1; k >= 0; k--) if (items[k]!.event.startIdx <= frame) return k;
  return 0;
}

/** Rows a virtual list draws: those in the viewport plus a few either side. */
export function visibleRange(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 4): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first, last };
}
