/**
 * The adaptive per-video baseline: a day of footage differs from the training hour (light, crowd),
 * and a component whose level creeps with it would creep every score over the threshold. With the
 * baseline on, each component of a frame is taken relative to its own recent level on this video:
 *
 *   x' = m_ref + (x − m_win) · s_ref / s_win
 *
 * where m and s are the median and interquartile range, over the past window of this video (win)
 * and over the calibration frames (ref): a level that creeps, or a spread that widens, is brought
 * back to the calibration's before the component becomes a tail probability.
 *
 * The window is causal (the past only, so a live feed can use it) and minutes long, so an event of
 * seconds barely moves its median while a change over the hours is followed; until a quarter of a
 * window of history exists, no shift is applied. Medians are recomputed every `refreshFrames`
 * frames (a rolling median over every frame would be needless work for a level that moves slowly).
 * Frames over the threshold still enter the window: a median ignores them while they are rare.
 */
import type { AdaptiveBaselineSetting } from '../../shared/domain.js';
import { getSetting, setSetting } from '../store/settings.js';
import type { Store } from '../store/store.js';
import { type Calibration, quantile } from './calibrate.js';

export interface AdaptiveOptions {
  /** Window length in seconds (default 300: five minutes). */
  windowSec?: number;
  /** Frames between median updates (default: a twentieth of the window, at least 1). */
  refreshFrames?: number;
}

export const DEFAULT_ADAPTIVE_WINDOW_SEC = 300;

export class AdaptiveBaseline<K extends string> {
  private readonly window: number;
  private readonly refresh: number;
  private readonly minHistory: number;
  private readonly history = new Map<K, Float64Array>();
  private readonly shift = new Map<K, { m: number; gain: number }>();
  private seen = 0;

  constructor(
    /** Each adapted component's median and interquartile range on the calibration frames. */
    private readonly reference: Readonly<Record<K, { median: number; iqr: number }>>,
    fps: number,
    o: AdaptiveOptions = {},
  ) {
    this.window = Math.max(4, Math.round((o.windowSec ?? DEFAULT_ADAPTIVE_WINDOW_SEC) * Math.max(fps, 1e-3)));
    this.refresh = Math.max(1, o.refreshFrames ?? Math.round(this.window / 20));
    this.minHistory = Math.ceil(this.window / 4);
    for (const k of Object.keys(reference) as K[]) {
      this.history.set(k, new Float64Array(this.window));
      this.shift.set(k, { m: reference[k].median, gain: 1 });
    }
  }

  /** The frame's components shifted by their drift so far; then the frame joins the history. */
  next<T extends object>(frame: T): T {
    const raw = frame as Partial<Record<K, unknown>>;
    const out = { ...frame } as Record<K, unknown>;
    for (const [k, { m, gain }] of this.shift) {
      const v = raw[k];
      if (typeof v === 'number' && Number.isFinite(v)) out[k] = this.reference[k].median + (v - m) * gain;
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
      const v = Array.from(h.subarray(0, n)).filter(Number.isFinite);
      if (!v.length) continue;
      const ref = this.reference[k];
      const iqr = quantile(v, 0.75) - quantile(v, 0.25);
      // The gain only narrows a spread that widened, or widens one that shrank by at most 2x: a quiet
      // stretch of footage must not make ordinary variation look alarming.
      const gain = iqr > 0 && ref.iqr > 0 ? Math.min(2, ref.iqr / iqr) : 1;
      this.shift.set(k, { m: quantile(v, 0.5), gain });
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

/** The components a calibration combines, each with its median and interquartile range on the calibration frames (what the baseline maps back to). */
export function adaptiveReference(c: Calibration): Record<string, { median: number; iqr: number }> {
  const out: Record<string, { median: number; iqr: number }> = {};
  for (const [k, t] of Object.entries(c.tails ?? {})) if (t && k !== 'gp') out[k] = { median: t.q[50]!, iqr: t.q[75]! - t.q[25]! };
  return out;
}
