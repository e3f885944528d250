import { afterEach, describe, expect, it, vi } from 'vitest';
import { MinMaxPyramid } from './decimate.js';
import { type TimelinePalette, type TimelineScene, drawOverview, drawOverviewBase, drawTimeline, indicesToBands, prefersLogAxis, prepareCanvas, scoreScale, scoreToY, symexp, symlog, yToScore } from './drawTimeline.js';

/** A 2D context that records every method call (jsdom has none). */
function recordingContext() {
  const calls: { name: string; args: unknown[] }[] = [];
  const ctx = new Proxy({} as Record<string, unknown>, {
    get: (target, prop: string) => (prop in target ? target[prop] : (...args: unknown[]) => void calls.push({ name: prop, args })),
    set: (target, prop: string, value) => ((target[prop] = value), true),
  });
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls, count: (name: string) => calls.filter((c) => c.name === name).length };
}

const palette: TimelinePalette = { background: '#000', curve: '#00f', threshold: '#ff0', event: '#f00', selection: '#0f0', playhead: '#fff', window: '#888' };

function scene(values: number[], overrides: Partial<TimelineScene> = {}): TimelineScene {
  const pyramid = new MinMaxPyramid(values);
  return {
    width: 200, height: 100, view: { start: 0, end: values.length }, pyramid, scale: scoreScale(pyramid, 1), threshold: 1,
    events: [], labels: [], selection: [], frame: 0, ...overrides,
  };
}

afterEach(() => vi.unstubAllGlobals());

describe('drawTimeline', () => {
  /** The curve's column rectangles (1 px wide) of a recording. */
  const columns = (rec: ReturnType<typeof recordingContext>) => rec.calls.filter((c) => c.name === 'fillRect' && c.args[2] === 1).map((c) => c.args as number[]);

  it('draws one min/max band per column when frames are narrower than pixels', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 50));
    const rec = recordingContext();
    drawTimeline(rec.ctx, scene(values), palette);
    // One rectangle per column (200), from the column's max down to its min, at least 1 px tall.
    const cols = columns(rec);
    expect(cols.map((r) => r[0])).toEqual(Array.from({ length: 200 }, (_, c) => c));
    for (const [, , , h] of cols) expect(h).toBeGreaterThanOrEqual(1);
    // A column where sin crosses 0 spans more than one where it peaks.
    expect(Math.max(...cols.map((r) => r[3]!))).toBeGreaterThan(Math.min(...cols.map((r) => r[3]!)));
    // Only the threshold and playhead are lines.
    expect(rec.count('lineTo')).toBe(2);
  });

  it('leaves gaps where columns hold no number', () => {
    const values = Array.from({ length: 400 }, (_, i) => (i >= 100 && i < 200 ? NaN : 1));
    const rec = recordingContext();
    drawTimeline(rec.ctx, scene(values), palette);
    const xs = columns(rec).map((r) => r[0]!);
    expect(xs).toHaveLength(150);
    expect(xs.some((x) => x >= 50 && x < 100)).toBe(false);
  });

  it('draws a line through each visible frame when zoomed in past one frame per pixel', () => {
    const values = Array.from({ length: 1000 }, () => 0.5);
    const rec = recordingContext();
    drawTimeline(rec.ctx, scene(values, { view: { start: 500, end: 520 } }), palette);
    const curve = rec.calls.filter((c) => c.name === 'lineTo' || c.name === 'moveTo');
    expect(curve.length).toBeGreaterThanOrEqual(20);
    expect(curve.length).toBeLessThanOrEqual(26);
  });

  it('draws event, label and selection bands and the overview window', () => {
    const values = Array.from({ length: 1000 }, () => 0.5);
    const rec = recordingContext();
    const s = scene(values, {
      events: [{ id: 1, modelId: 1, videoId: 1, startIdx: 100, endIdx: 149, peakIdx: 120, peakScore: 2, startSec: 4, endSec: 6, threshold: 1 }],
      labels: [{ startIdx: 300, endIdx: 399, cls: 'person', colour: '#abc' }],
      selection: [{ startIdx: 600, endIdx: 699 }],
    });
    drawTimeline(rec.ctx, s, palette);
    const rects = rec.calls.filter((c) => c.name === 'fillRect').map((c) => c.args);
    expect(rects).toContainEqual([20, 0, 10, 100]); // event frames 100..149 of 1000 across 200 px
    expect(rects).toContainEqual([60, 0, 20, 5]); // label strip
    expect(rects).toContainEqual([120, 0, 20, 100]); // selection
    const over = recordingContext();
    drawOverview(over.ctx, s, palette, { start: 250, end: 500 });
    expect(over.count('strokeRect')).toBe(1);
  });

  it('draws the overview from a cached base: a blit, the window and the playhead, no curve', () => {
    const s = scene(Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 50)), { frame: 5_000 });
    const base = recordingContext();
    drawOverviewBase(base.ctx, s, palette);
    // The base has the curve (one rectangle per column) but no playhead line.
    expect(columns(base)).toHaveLength(200);
    expect(base.count('lineTo')).toBe(0);
    const full = recordingContext();
    drawOverview(full.ctx, s, palette, { start: 250, end: 500 });
    expect(full.count('stroke')).toBe(base.count('stroke') + 1); // + the playhead (the window outline is a strokeRect)
    const image = {} as CanvasImageSource;
    const quick = recordingContext();
    drawOverview(quick.ctx, s, palette, { start: 250, end: 500 }, image);
    expect(quick.calls.filter((c) => c.name === 'drawImage').map((c) => c.args)).toEqual([[image, 0, 0, 200, 100]]);
    expect(columns(quick)).toHaveLength(0);
    expect(quick.count('strokeRect')).toBe(1);
    expect(quick.count('stroke')).toBe(1); // the playhead
  });
});

describe('canvas set-up and the score axis', () => {
  it('sizes the backing store by devicePixelRatio and skips drawing without a 2D context', () => {
    vi.stubGlobal('devicePixelRatio', 2);
    const canvas = document.createElement('canvas');
    vi.spyOn(canvas, 'getContext').mockReturnValue(null);
    expect(prepareCanvas(canvas, 300, 50)).toBeNull();
    expect([canvas.width, canvas.height]).toEqual([600, 100]);
  });

  it('maps scores to y and back, with the threshold always on the axis', () => {
    const pyramid = new MinMaxPyramid([0.2, 0.9, 0.4]);
    const scale = scoreScale(pyramid, 3);
    expect(scale.min).toBe(0);
    expect(scale.max).toBeGreaterThan(3);
    expect(yToScore(scoreToY(1.7, scale, 100), scale, 100)).toBeCloseTo(1.7);
    expect(scoreToY(2, scale, 100)).toBeLessThan(scoreToY(1, scale, 100));
    expect(yToScore(-1000, scale, 100)).toBe(scale.max);
    expect(scoreScale(new MinMaxPyramid([]), NaN)).toEqual({ min: 0, max: 1.08 });
  });
});

describe('log axis and selections', () => {
  it('symlog maps both ways, keeps order and zero, and a log scale inverts exactly', () => {
    for (const v of [-50, -1, 0, 0.5, 3, 600]) expect(symexp(symlog(v))).toBeCloseTo(v, 9);
    expect(symlog(0)).toBe(0);
    const pyr = new MinMaxPyramid(Float32Array.from([0, 1, 2, 600]));
    const log = scoreScale(pyr, 4, true);
    expect(log.log).toBe(true);
    for (const v of [0, 2, 4, 100, 600]) expect(yToScore(scoreToY(v, log, 100), log, 100)).toBeCloseTo(v, 6);
    // On a linear axis the threshold at 4 sits within a pixel of 0; on the log axis it is well apart.
    const lin = scoreScale(pyr, 4);
    expect(scoreToY(0, lin, 100) - scoreToY(4, lin, 100)).toBeLessThan(1);
    expect(scoreToY(0, log, 100) - scoreToY(4, log, 100)).toBeGreaterThan(15);
    expect(prefersLogAxis(pyr, 4)).toBe(true);
    expect(prefersLogAxis(pyr, 100)).toBe(false);
  });

  it('turns sorted frame indices into runs', () => {
    expect(indicesToBands([1, 2, 3, 7, 9, 10])).toEqual([
      { startIdx: 1, endIdx: 3 },
      { startIdx: 7, endIdx: 7 },
      { startIdx: 9, endIdx: 10 },
    ]);
    expect(indicesToBands([])).toEqual([]);
  });
});
