import { describe, expect, it } from 'vitest';
import { drawLossChart, formatAxisValue, type LossPalette, lossScales, plotArea, valueToPx, xToPx } from './drawLossChart.js';
import type { ChartPoint } from './lossCurve.js';

/** A 2D context that records every call, and the stroke colour each path was stroked with (jsdom has none). */
function recordingContext() {
  const calls: { name: string; args: unknown[]; strokeStyle: unknown }[] = [];
  const state: Record<string, unknown> = {};
  const ctx = new Proxy(state, {
    get: (target, prop: string) => (prop in target ? target[prop] : (...args: unknown[]) => void calls.push({ name: prop, args, strokeStyle: target.strokeStyle })),
    set: (target, prop: string, value) => ((target[prop] = value), true),
  });
  /** moveTo/lineTo calls made while `colour` was the stroke colour. */
  const path = (colour: string) => calls.filter((c) => (c.name === 'moveTo' || c.name === 'lineTo') && c.strokeStyle === colour);
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls, path, count: (name: string) => calls.filter((c) => c.name === name).length };
}

const palette: LossPalette = { background: '#000', grid: '#111', text: '#222', loss: '#a00', recon: '#0a0', kl: '#00a', valLoss: '#aaa' };
const W = 300;
const H = 150;

const pts = (n: number, f: (i: number) => Partial<ChartPoint> = () => ({})): ChartPoint[] =>
  Array.from({ length: n }, (_, i) => ({ x: i + 1, loss: 1000 - 10 * i, recon: 950 - 10 * i, kl: 5 + i, valLoss: null, ...f(i) }));

describe('lossScales', () => {
  it('puts loss, recon and validation loss on the left axis and KL on the right', () => {
    const s = lossScales(pts(10, (i) => ({ valLoss: i === 9 ? 2000 : null })))!;
    expect(s.x).toEqual({ min: 1, max: 10 });
    expect(s.left.min).toBeLessThan(860);
    expect(s.left.max).toBeGreaterThan(2000);
    expect(s.right.min).toBeLessThan(5);
    expect(s.right.max).toBeGreaterThan(14);
    expect(s.right.max).toBeLessThan(100);
  });

  it('is null with no finite loss, and gives a flat or single point some room', () => {
    expect(lossScales([])).toBeNull();
    expect(lossScales([{ x: 1, loss: NaN, recon: NaN, kl: 1, valLoss: null }])).toBeNull();
    const one = lossScales([{ x: 3, loss: 50, recon: 50, kl: 0, valLoss: null }])!;
    expect(one.x.max).toBeGreaterThan(one.x.min);
    expect(one.left.max).toBeGreaterThan(one.left.min);
    expect(one.right.max).toBeGreaterThan(one.right.min);
  });
});

describe('drawLossChart', () => {
  it('draws each series through every point, the first at the left edge and the highest loss at the top', () => {
    const rec = recordingContext();
    const points = pts(20);
    drawLossChart(rec.ctx, { width: W, height: H, points, xLabel: 'steps' }, palette);
    const loss = rec.path(palette.loss);
    expect(loss).toHaveLength(20);
    expect(loss[0]!.name).toBe('moveTo');
    const area = plotArea(W, H);
    const [x0, y0] = loss[0]!.args as number[];
    expect(x0).toBeCloseTo(area.x0, 6);
    const s = lossScales(points)!;
    expect(y0).toBeCloseTo(valueToPx(1000, s.left, W, H), 6);
    expect(y0).toBeLessThan(valueToPx(950, s.left, W, H));
    const [xLast] = loss[19]!.args as number[];
    expect(xLast).toBeCloseTo(xToPx(20, s, W, H), 6);
    expect(xLast).toBeCloseTo(area.x1, 6);
    expect(rec.path(palette.recon)).toHaveLength(20);
    // KL rises on its own axis: its last point is near the top even though it is far below the loss.
    const kl = rec.path(palette.kl);
    expect(kl).toHaveLength(20);
    expect((kl[19]!.args as number[])[1]).toBeLessThan((kl[0]!.args as number[])[1]!);
    expect((kl[19]!.args as number[])[1]).toBeLessThan(area.y0 + 0.1 * (area.y1 - area.y0));
    // The loss goes on top, drawn last.
    expect(rec.calls.filter((c) => c.name === 'lineTo').at(-1)!.strokeStyle).toBe(palette.loss);
    // No validation loss yet: no path in its colour.
    expect(rec.path(palette.valLoss)).toHaveLength(0);
  });

  it('breaks a line where values are missing and marks lone points', () => {
    const rec = recordingContext();
    // Validation loss known from point 5 on, and one lone value at point 2.
    const points = pts(10, (i) => ({ valLoss: i >= 5 ? 900 : i === 2 ? 950 : null }));
    drawLossChart(rec.ctx, { width: W, height: H, points, xLabel: 'steps' }, palette);
    const val = rec.path(palette.valLoss);
    expect(val.filter((c) => c.name === 'moveTo')).toHaveLength(2);
    expect(val.filter((c) => c.name === 'lineTo')).toHaveLength(4);
    const dots = rec.calls.filter((c) => c.name === 'fillRect' && c.args[2] === 3);
    expect(dots).toHaveLength(1);
  });

  it('labels both axes and the x axis', () => {
    const rec = recordingContext();
    drawLossChart(rec.ctx, { width: W, height: H, points: pts(5), xLabel: 'epochs' }, palette);
    const texts = rec.calls.filter((c) => c.name === 'fillText').map((c) => c.args[0]);
    expect(texts).toContain('epochs');
    expect(texts).toContain('1');
    expect(texts).toContain('5');
    expect(texts.length).toBe(2 * 5 + 3);
  });

  it('paints only the background while there is nothing to draw', () => {
    const rec = recordingContext();
    drawLossChart(rec.ctx, { width: W, height: H, points: [], xLabel: 'steps' }, palette);
    expect(rec.calls.map((c) => c.name)).toEqual(['fillRect']);
  });
});

describe('formatAxisValue', () => {
  it('keeps three significant digits', () => {
    expect(formatAxisValue(1234.5)).toBe('1,230');
    expect(formatAxisValue(45.678)).toBe('45.7');
    expect(formatAxisValue(0.0012345)).toBe('0.00123');
    expect(formatAxisValue(0)).toBe('0');
    expect(formatAxisValue(-12.34)).toBe('-12.3');
  });
});
