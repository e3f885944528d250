/** Tick marks of the change timeline: a time axis whose step adapts to the zoom, and a score axis. */
import { type FrameView, frameToX } from './decimate.js';
import { type ScoreScale, scoreToY, symexp, symlog } from './drawTimeline.js';

/** Steps a time axis may use, in seconds: from a tenth of a second to six hours. */
const TIME_STEPS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600];

export interface Tick {
  /** Position along the axis in CSS pixels (x for time, y for score). */
  at: number;
  label: string;
}

/** "1:05" or "0:03.5" (tenths only when the step is under a second), "1:02:03" past an hour. */
function timeLabel(sec: number, step: number): string {
  const neg = sec < 0 ? '-' : '';
  const s = Math.abs(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const whole = Math.floor(s % 60);
  const tenths = step < 1 ? `.${Math.round((s * 10) % 10) % 10}` : '';
  const ss = String(whole).padStart(2, '0');
  return h > 0 ? `${neg}${h}:${String(m).padStart(2, '0')}:${ss}${tenths}` : `${neg}${m}:${ss}${tenths}`;
}

/**
 * Time ticks over the visible frames, at least `minPx` apart. Frame f sits at `t0 + f × secPerFrame`
 * (stored frames are evenly sampled); ticks fall on whole multiples of the step.
 */
export function timeTicks(view: FrameView, width: number, t0: number, secPerFrame: number, minPx = 80): Tick[] {
  const span = (view.end - view.start) * secPerFrame;
  if (!(span > 0) || !(width > 0) || !(secPerFrame > 0)) return [];
  const wanted = (span * minPx) / width;
  const step = TIME_STEPS.find((s) => s >= wanted) ?? Math.ceil(wanted / 21600) * 21600;
  const from = t0 + view.start * secPerFrame;
  const to = t0 + view.end * secPerFrame;
  const ticks: Tick[] = [];
  for (let k = Math.ceil(from / step - 1e-9); k * step <= to + 1e-9 && ticks.length < 200; k++) {
    const sec = k * step;
    ticks.push({ at: frameToX((sec - t0) / secPerFrame, view, width), label: timeLabel(sec, step) });
  }
  return ticks;
}

const niceStep = (raw: number): number => {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
};

const scoreLabel = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(0) : Number(v.toPrecision(2)).toString());

/** About `count` score ticks over the scale (nice numbers; on the log axis, nice numbers of the log). */
export function scoreTicks(scale: ScoreScale, height: number, count = 4): Tick[] {
  const lo = scale.log ? symlog(scale.min) : scale.min;
  const hi = scale.log ? symlog(scale.max) : scale.max;
  if (!(hi > lo) || !(height > 0)) return [];
  const step = niceStep((hi - lo) / count);
  const ticks: Tick[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + 1e-9 && ticks.length < 20; k++) {
    const t = k * step;
    const v = scale.log ? symexp(t) : t;
    ticks.push({ at: scoreToY(v, scale, height), label: scoreLabel(v) });
  }
  return ticks;
}
