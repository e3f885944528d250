/**
 * The adaptive per-video baseline: a day of footage differs from the training hour (light, crowd),
 * and a component whose level creeps with it would creep every score over the threshold. With the
 * baseline on, each component of a frame is taken relative to its own recent level on this video:
 *
 *   x' = x − (median of x over the past window − the component's median on the calibration frames)
 *
 * The window is causal (the past only, so a live feed can use it) and minutes long, so an event of
 * seconds barely moves its median while a change over the hours is followed; until a quarter of a
 * window of history exists, no shift is applied. Medians are recomputed every `refreshFrames`
 * frames (a rolling median over every frame would be needless work for a level that moves slowly).
 * Frames over the threshold still enter the window: a median ignores them while they are rare.
 */
import type { AdaptiveBaselineSetting } from '../../shared/domain.js';
import { getSetting, setSetting } from '../store/labels.js';
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
  private readonly shift = new Map<K, number>();
  private seen = 0;

  constructor(
    /** Each adapted component's median on the calibration frames. */
    private readonly reference: Readonly<Record<K, number>>,
    fps: number,
    o: AdaptiveOptions = {},
  ) {
    this.window = Math.max(4, Math.round((o.windowSec ?? DEFAULT_ADAPTIVE_WINDOW_SEC) * Math.max(fps, 1e-3)));
    this.refresh = Math.max(1, o.refreshFrames ?? Math.round(this.window / 20));
    this.minHistory = Math.ceil(this.window / 4);
    for (const k of Object.keys(reference) as K[]) {
      this.history.set(k, new Float64Array(this.window));
      this.shift.set(k, 0);
    }
  }

  /** The frame's components shifted by their drift so far; then the frame joins the history. */
  next<T extends object>(frame: T): T {
    const raw = frame as Partial<Record<K, unknown>>;
    const out = { ...frame } as Record<K, unknown>;
    for (const [k, shift] of this.shift) {
      const v = raw[k];
      if (typeof v === 'number' && Number.isFinite(v)) out[k] = v - shift;
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
      if (v.length) this.shift.set(k, quantile(v, 0.5) - this.reference[k]);
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

/** The components a calibration combines, each with its median on the calibration frames (the level the baseline shifts back to). */
export function adaptiveReference(c: Calibration): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, t] of Object.entries(c.tails ?? {})) if (t && k !== 'gp') out[k] = t.q[50]!;
  return out;
}
