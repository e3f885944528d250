/**
 * Event spans from a combined score: an event starts where the score reaches the threshold, continues
 * while it stays above a lower one (hysteresis, so one incident is not split by a dip), spans closer
 * than `mergeGap` frames are merged, and spans shorter than `minFrames` are dropped.
 */
export interface EventSpan {
  start: number;
  /** Inclusive. */
  end: number;
  peak: number;
  peakScore: number;
}

export interface EventOptions {
  threshold: number;
  /** Continue an event while the score stays at or above this (≤ threshold). */
  lowThreshold?: number;
  minFrames?: number;
  mergeGap?: number;
}

export function detectEvents(score: ArrayLike<number>, o: EventOptions): EventSpan[] {
  const low = Math.min(o.lowThreshold ?? o.threshold, o.threshold);
  const minFrames = Math.max(1, o.minFrames ?? 1);
  const gap = Math.max(0, o.mergeGap ?? 0);
  const spans: EventSpan[] = [];
  let cur: EventSpan | null = null;
  for (let t = 0; t < score.length; t++) {
    const s = score[t]!;
    if (cur) {
      if (s >= low) {
        cur.end = t;
        if (s > cur.peakScore) Object.assign(cur, { peak: t, peakScore: s });
        continue;
      }
      spans.push(cur);
      cur = null;
    }
    if (s >= o.threshold) cur = { start: t, end: t, peak: t, peakScore: s };
  }
  if (cur) spans.push(cur);
  const merged: EventSpan[] = [];
  for (const sp of spans) {
    const last = merged[merged.length - 1];
    if (last && sp.start - last.end - 1 <= gap) {
      last.end = sp.end;
      if (sp.peakScore > last.peakScore) Object.assign(last, { peak: sp.peak, peakScore: sp.peakScore });
    } else merged.push({ ...sp });
  }
  return merged.filter((sp) => sp.end - sp.start + 1 >= minFrames);
}

/** The event rules for a calibrated model: a minimum length of 0.3 s and merging of spans under 1 s apart. */
export function eventOptionsFor(threshold: number, lowThreshold: number, sampledFps: number): Required<EventOptions> {
  const fps = sampledFps > 0 && Number.isFinite(sampledFps) ? sampledFps : 1;
  return { threshold, lowThreshold: Math.min(lowThreshold, threshold), minFrames: Math.max(2, Math.round(0.3 * fps)), mergeGap: Math.round(fps) };
}

/**
 * The same rules with the threshold moved (the analyst dragging the line): the hysteresis keeps the
 * calibrated gap between the threshold and the lower one, so events recomputed at the calibrated
 * threshold are exactly the stored ones.
 */
export function eventOptionsAt(series: { threshold: number; lowThreshold: number; sampledFps: number }, threshold: number): Required<EventOptions> {
  const gap = Number.isFinite(series.lowThreshold) && Number.isFinite(series.threshold) ? Math.max(0, series.threshold - series.lowThreshold) : 0;
  return eventOptionsFor(threshold, threshold - gap, series.sampledFps);
}
