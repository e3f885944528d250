/** Progress with rate and ETA, throttled at the source: at most ~10 reports a second, or on a ≥1% step. */
import type { JobProgress } from '../../shared/domain.js';

export const PROGRESS_INTERVAL_MS = 100;

export class ProgressMeter {
  private t0 = performance.now();
  private lastAt = -Infinity;
  private lastFraction = -1;
  private current: JobProgress = { done: 0, total: null, fraction: null, rate: 0, etaSec: null, stage: 'starting' };

  constructor(private readonly emit?: (p: JobProgress) => void, private readonly now: () => number = () => performance.now()) {
    this.t0 = this.now();
  }

  get snapshot(): JobProgress {
    return this.current;
  }

  /** A new phase: counters restart so rate and ETA describe this phase. */
  stage(stage: string, total: number | null = null): void {
    this.t0 = this.now();
    this.current = { done: 0, total, fraction: total ? 0 : null, rate: 0, etaSec: null, stage };
    this.send(true);
  }

  update(done: number, total: number | null = this.current.total): void {
    const elapsed = (this.now() - this.t0) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const fraction = total ? Math.min(1, done / total) : null;
    const etaSec = total && rate > 0 ? Math.max(0, (total - done) / rate) : null;
    this.current = { ...this.current, done, total, fraction, rate, etaSec };
    this.send(false);
  }

  finish(done: number): void {
    this.update(done, done);
    this.send(true);
  }

  private send(force: boolean): void {
    if (!this.emit) return;
    const t = this.now();
    const f = this.current.fraction ?? 0;
    if (!force && t - this.lastAt < PROGRESS_INTERVAL_MS && f - this.lastFraction < 0.01) return;
    this.lastAt = t;
    this.lastFraction = f;
    this.emit(this.current);
  }
}

/** Consumer-side throttle: hold back updates that arrive faster than `intervalMs`, always deliver the last. */
export function throttle<T>(fn: (v: T) => void, intervalMs = PROGRESS_INTERVAL_MS): { push: (v: T) => void; flush: () => void } {
  let last = -Infinity;
  let pending: { v: T } | null = null;
  let timer: NodeJS.Timeout | null = null;
  const fire = () => {
    timer = null;
    if (!pending) return;
    const { v } = pending;
    pending = null;
    last = performance.now();
    fn(v);
  };
  return {
    push(v) {
      pending = { v };
      const wait = intervalMs - (performance.now() - last);
      if (wait <= 0) fire();
      else if (!timer) timer = setTimeout(fire, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      fire();
    },
  };
}
