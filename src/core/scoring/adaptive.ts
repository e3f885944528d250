/**
 * The adaptive per-video baseline: a day of footage differs from the training hour (light, crowd),
 * and a component whose level creeps with it would creep every score over the threshold. With the
 * baseline on, each component of a frame is taken relative to its own recent distribution on this
 * video, mapped onto the calibration frames' by three quantiles, each side of the median on its own:
 *
 *   x' = m_ref + (x − m_win) · min(1, (hi_ref − m_ref) / (hi_win − m_win))   for x ≥ m_win
 *   x' = m_ref + (x − m_win) · min(1, (m_ref − lo_ref) / (m_win − lo_win))   for x < m_win
 *
 * where m is the median and lo, hi the quantiles where the tail model's exponential tails start
 * (TAIL_MASS: 10% and 90%), over the past window of this video (win) and over the calibration frames
 * (ref); a gain is 1 where either spread is 0. A level that creeps, or a spread that widens, is
 * brought back to the calibration's before the component becomes a tail probability. The map is
 * monotone and continuous, so frames keep their order.
 *
 * Why each side on its own, and why the 10% and 90% quantiles (bench:drift, README "drift"): light
 * drift does not widen a component evenly. The reconstruction error of a scene whose light also
 * cycles stays near the calibration's at the cycle's dark end while its bright-end peaks grow, so
 * the upper spread grows faster than the lower. One gain from the interquartile range underrated the
 * upper spread, and each new peak, a little higher than any in the causal window, landed beyond the
 * calibration's short exponential tail: about a quarter of normal frames over the threshold. The
 * window's own 90% quantile sees its peaks, and the 10% and 90% quantiles ignore an event that fills
 * less than a tenth of the window. The gains never exceed 1: a window usually sees less of the
 * scene's variation than the calibration frames did, and widening its spread made ordinary
 * deviations look alarming.
 *
 * The window is causal (the past only, so a live feed can use it) and minutes long, so an event of
 * seconds barely moves its quantiles while a change over the hours is followed; until a quarter of a
 * window of history exists, no shift is applied. Quantiles are recomputed every `refreshFrames`
 * frames (rolling quantiles over every frame would be needless work for a level that moves slowly).
 * Frames over the threshold still enter the window: the quantiles ignore them while they are rare.
 */
import type { AdaptiveBaselineSetting } from '../../shared/domain.js';
import { getSetting, setSetting } from '../store/settings.js';
import type { Store } from '../store/store.js';
import { TAIL_MASS } from '../../shared/tails.js';
import { type Calibration, quantile } from './calibrate.js';

export interface AdaptiveOptions {
  /** Window length in seconds (default 300: five minutes). */
  windowSec?: number;
  /** Frames between quantile updates (default: a twentieth of the window, at least 1). */
  refreshFrames?: number;
}

export const DEFAULT_ADAPTIVE_WINDOW_SEC = 300;

/** A component's median and its lower and upper spread quantiles (TAIL_MASS and 1 − TAIL_MASS). */
export interface SpreadQuantiles {
  low: number;
  median: number;
  high: number;
}

/** The window's or the reference's quantiles of a sample (non-finite values ignored; null when none is left). */
export function spreadQuantiles(values: ArrayLike<number>): SpreadQuantiles | null {
  const v = Array.prototype.filter.call(values, (x: number) => Number.isFinite(x)) as number[];
  if (!v.length) return null;
  return { low: quantile(v, TAIL_MASS), median: quantile(v, 0.5), high: quantile(v, 1 - TAIL_MASS) };
}

/**
 * The gain of one side of the median: the reference's spread over the window's, at most 1 (a window
 * narrower than the reference is not widened); 1 where either spread is 0 (nothing to scale by).
 */
export function sideGain(refSpread: number, winSpread: number): number {
  return refSpread > 0 && winSpread > 0 ? Math.min(1, refSpread / winSpread) : 1;
}

export class AdaptiveBaseline<K extends string> {
  private readonly window: number;
  private readonly refresh: number;
  private readonly minHistory: number;
  private readonly history = new Map<K, Float64Array>();
  private readonly shift = new Map<K, { m: number; gainLow: number; gainHigh: number }>();
  private seen = 0;

  constructor(
    /** Each adapted component's median and spread quantiles on the calibration frames (adaptiveReference). */
    private readonly reference: Readonly<Record<K, SpreadQuantiles>>,
    fps: number,
    o: AdaptiveOptions = {},
  ) {
    this.window = Math.max(4, Math.round((o.windowSec ?? DEFAULT_ADAPTIVE_WINDOW_SEC) * Math.max(fps, 1e-3)));
    this.refresh = Math.max(1, o.refreshFrames ?? Math.round(this.window / 20));
    this.minHistory = Math.ceil(this.window / 4);
    for (const k of Object.keys(reference) as K[]) {
      this.history.set(k, new Float64Array(this.window));
      this.shift.set(k, { m: reference[k].median, gainLow: 1, gainHigh: 1 });
    }
  }

  /** The frame's components shifted by their drift so far; then the frame joins the history. */
  next<T extends object>(frame: T): T {
    const raw = frame as Partial<Record<K, unknown>>;
    const out = { ...frame } as Record<K, unknown>;
    for (const [k, { m, gainLow, gainHigh }] of this.shift) {
      const v = raw[k];
      if (typeof v === 'number' && Number.isFinite(v)) out[k] = this.reference[k].median + (v - m) * (v >= m ? gainHigh : gainLow);
    }
    const slot = this.seen % this.window;
    for (const [k, h] of this.history) {
      const v = raw[k];
      h[slot] = typeof v === 'number' && Number.isFinite(v) ? v : NaN;
    }
    this.seen++;
    if (this.seen >= this.minHistory && this.seen % this.refresh === 0) this.update();
    return out as T;
  }

  private update(): void {
    const n = Math.min(this.seen, this.window);
    for (const [k, h] of this.history) {
      const w = spreadQuantiles(h.subarray(0, n));
      if (!w) continue;
      const ref = this.reference[k];
      this.shift.set(k, { m: w.median, gainLow: sideGain(ref.median - ref.low, w.median - w.low), gainHigh: sideGain(ref.high - ref.median, w.high - w.median) });
    }
  }
}

export type AdaptiveSetting = AdaptiveBaselineSetting;

const settingKey = (videoId: number) => `adaptiveBaseline:${videoId}`;

/** A video's adaptive-baseline setting (off unless the analyst switched it on). */
export function getAdaptiveBaseline(store: Store, videoId: number): AdaptiveSetting {
  return getSetting<AdaptiveSetting>(store, settingKey(videoId)) ?? { on: false, windowSec: DEFAULT_ADAPTIVE_WINDOW_SEC };
}

export function setAdaptiveBaseline(store: Store, videoId: number, s: AdaptiveSetting): AdaptiveSetting {
  store.getVideo(videoId);
  setSetting(store, settingKey(videoId), s);
  return s;
}

/** The components a calibration combines, each with its median and spread quantiles on the calibration frames (what the baseline maps back to), read from the tail model's quantile table. */
export function adaptiveReference(c: Calibration): Record<string, SpreadQuantiles> {
  const out: Record<string, SpreadQuantiles> = {};
  const lo = Math.round(TAIL_MASS * 100);
  for (const [k, t] of Object.entries(c.tails ?? {})) if (t && k !== 'gp') out[k] = { low: t.q[lo]!, median: t.q[50]!, high: t.q[100 - lo]! };
  return out;
}
