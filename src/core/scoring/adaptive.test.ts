import { describe, expect, it } from 'vitest';
import { AdaptiveBaseline } from './adaptive.js';

describe('adaptive baseline', () => {
  it('follows slow drift of a component so it does not creep, and keeps a short event', () => {
    const fps = 10;
    const b = new AdaptiveBaseline({ recon: { median: 1, iqr: 0 } }, fps, { windowSec: 60 });
    const out: number[] = [];
    for (let t = 0; t < 6000; t++) {
      const drift = 1 + t / 1000; // +0.6 per minute: after 10 minutes the raw level is 7x the reference
      const event = t >= 5000 && t < 5030 ? 5 : 0;
      out.push(b.next({ recon: drift + event, other: 3 }).recon);
    }
    // Late normal frames sit near the reference level, not near the drifted one (5.9 there): a causal
    // median lags a ramp by half its window, 300 frames x 0.001 = 0.3, plus one refresh (0.03).
    const late = out.slice(4900, 5000);
    for (const v of late) expect(Math.abs(v - 1)).toBeLessThan(0.4);
    // A 3-second event stands out by its own size.
    expect(Math.min(...out.slice(5000, 5030))).toBeGreaterThan(5.5);
    // Nothing shifts before a quarter of a window of history.
    expect(out[100]).toBeCloseTo(1.1, 6);
  });

  it('leaves components it does not adapt alone', () => {
    const b = new AdaptiveBaseline({ recon: { median: 0, iqr: 0 } }, 10, { windowSec: 10 });
    let last = { recon: 0, motion: 0 };
    for (let t = 0; t < 500; t++) last = b.next({ recon: 2, motion: 7 });
    expect(last.motion).toBe(7);
    expect(last.recon).toBeCloseTo(0, 6);
  });
});
