import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../shared/domain.js';
import {
  type ColumnExtent, type FrameView, MinMaxPyramid, clampView, columnFrames, decimate, frameAtX, frameToX, nearestEvent,
  panView, revealFrame, xToFrame, zoomView,
} from './decimate.js';

/** Deterministic uniform [0, 1) numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bruteExtent(values: ArrayLike<number>, from: number, to: number): ColumnExtent {
  let min = Infinity;
  let max = -Infinity;
  for (let i = Math.max(0, from); i < Math.min(values.length, to); i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return min <= max ? { min, max } : { min: NaN, max: NaN };
}

function bruteColumns(values: ArrayLike<number>, view: FrameView, width: number): ColumnExtent[] {
  return Array.from({ length: width }, (_, c) => bruteExtent(values, ...columnFrames(view, width, c)));
}

function event(startIdx: number, endIdx: number, id = startIdx): ChangeEvent {
  return { id, modelId: 1, videoId: 1, startIdx, endIdx, peakIdx: startIdx, peakScore: 2, startSec: startIdx / 25, endSec: endIdx / 25, threshold: 1 };
}

describe('MinMaxPyramid', () => {
  const rand = random(7);
  const n = 10_007; // not a power of two: the last blocks of every level are partial
  const values = Array.from({ length: n }, () => rand() * 10 - 3);

  it.each([
    [{ start: 0, end: n }, 1600],
    [{ start: 0, end: n }, 997],
    [{ start: 0, end: n }, 1],
    [{ start: 3.7, end: 9_999.2 }, 640],
    [{ start: 1_023, end: 1_025 + 4_096 }, 333],
    [{ start: 5_001, end: 5_001 + 1_600 }, 1600],
    [{ start: 17, end: 17 + 31 }, 1600],
    [{ start: n - 50.5, end: n }, 123],
    [{ start: -40, end: 200 }, 100],
  ])('equals brute-force min/max per column for view %o at width %i', (view, width) => {
    expect(new MinMaxPyramid(values).columns(view, width)).toEqual(bruteColumns(values, view, width));
  });

  it('agrees on random ranges and widths, with Float32Array input', () => {
    const f32 = Float32Array.from(values);
    const pyramid = new MinMaxPyramid(f32);
    for (let trial = 0; trial < 200; trial++) {
      const a = Math.floor(rand() * n);
      const b = a + Math.floor(rand() * (n - a)) + 1;
      expect(pyramid.extent(a, b)).toEqual(bruteExtent(f32, a, b));
      const start = rand() * n * 0.9;
      const view = { start, end: start + 20 + rand() * (n - start) };
      const width = 1 + Math.floor(rand() * 400);
      expect(pyramid.columns(view, width)).toEqual(bruteColumns(f32, view, width));
    }
  });

  it('skips NaN, and gives NaN for columns with no number', () => {
    const withGaps = values.map((v, i) => (i % 7 === 0 || (i >= 2_000 && i < 3_000) ? NaN : v));
    const view = { start: 0, end: n };
    const cols = decimate(withGaps, view, 500);
    expect(cols).toEqual(bruteColumns(withGaps, view, 500));
    expect(cols.some((c) => Number.isNaN(c.min) && Number.isNaN(c.max))).toBe(true);
    expect(cols.every((c) => Number.isNaN(c.min) === Number.isNaN(c.max))).toBe(true);
    expect(new MinMaxPyramid([NaN, NaN, NaN]).extent(0, 3)).toEqual({ min: NaN, max: NaN });
    expect(new MinMaxPyramid([]).columns({ start: 0, end: 0 }, 10)).toHaveLength(10);
  });

  it('keeps infinite values apart from empty columns', () => {
    expect(new MinMaxPyramid([Infinity, Infinity, 1, -Infinity]).extent(0, 2)).toEqual({ min: Infinity, max: Infinity });
    expect(new MinMaxPyramid([Infinity, Infinity, 1, -Infinity]).extent(0, 4)).toEqual({ min: -Infinity, max: Infinity });
  });

  it('gives every frame of the view to exactly one column', () => {
    const view = { start: 12.25, end: 4_000.75 };
    let next = Math.ceil(view.start);
    for (let c = 0; c < 777; c++) {
      const [from, to] = columnFrames(view, 777, c);
      expect(from).toBe(next);
      expect(to).toBeGreaterThanOrEqual(from);
      next = to;
    }
    expect(next).toBe(Math.ceil(view.end));
  });
});

describe('frame/x mapping', () => {
  const view = { start: 100, end: 300 };

  it('maps frames to x and back', () => {
    expect(frameToX(100, view, 800)).toBe(0);
    expect(frameToX(300, view, 800)).toBe(800);
    expect(frameToX(150, view, 800)).toBe(200);
    expect(xToFrame(200, view, 800)).toBe(150);
    expect(xToFrame(frameToX(217.5, view, 800), view, 800)).toBeCloseTo(217.5);
  });

  it('picks the frame whose cell is under x, within the video', () => {
    expect(frameAtX(0, view, 800, 1000)).toBe(100);
    expect(frameAtX(3.9, view, 800, 1000)).toBe(100);
    expect(frameAtX(4, view, 800, 1000)).toBe(101);
    expect(frameAtX(-50, { start: 0, end: 10 }, 100, 10)).toBe(0);
    expect(frameAtX(100, { start: 0, end: 10 }, 100, 10)).toBe(9);
  });
});

describe('clampView', () => {
  it('keeps the view inside the video', () => {
    expect(clampView({ start: -30, end: 70 }, 1000)).toEqual({ start: 0, end: 100 });
    expect(clampView({ start: 950, end: 1050 }, 1000)).toEqual({ start: 900, end: 1000 });
    expect(clampView({ start: -10, end: 5000 }, 1000)).toEqual({ start: 0, end: 1000 });
  });

  it('is at least the minimum span, or the whole of a shorter video', () => {
    expect(clampView({ start: 500, end: 505 }, 1000)).toEqual({ start: 500, end: 520 });
    expect(clampView({ start: 995, end: 996 }, 1000)).toEqual({ start: 980, end: 1000 });
    expect(clampView({ start: 2, end: 3 }, 8)).toEqual({ start: 0, end: 8 });
    expect(clampView({ start: 0, end: 10 }, 0)).toEqual({ start: 0, end: 0 });
    expect(clampView({ start: NaN, end: NaN }, 50)).toEqual({ start: 0, end: 50 });
  });

  it('zooms around the focus frame and never past the ends or below the minimum span', () => {
    const zoomed = zoomView({ start: 0, end: 1000 }, 0.5, 400, 1000);
    expect(zoomed).toEqual({ start: 200, end: 700 });
    expect(xToFrame(0.4 * 800, { start: 0, end: 1000 }, 800)).toBeCloseTo(xToFrame(frameToX(400, zoomed, 800), zoomed, 800));
    expect(zoomView({ start: 0, end: 1000 }, 1e-6, 500, 1000)).toEqual({ start: 490, end: 510 });
    expect(zoomView({ start: 900, end: 1000 }, 4, 990, 1000)).toEqual({ start: 600, end: 1000 });
    expect(zoomView({ start: 0, end: 1000 }, 3, 500, 1000)).toEqual({ start: 0, end: 1000 });
  });

  it('pans without leaving the video and reveals a frame with the smallest shift', () => {
    expect(panView({ start: 100, end: 200 }, 50, 1000)).toEqual({ start: 150, end: 250 });
    expect(panView({ start: 100, end: 200 }, -500, 1000)).toEqual({ start: 0, end: 100 });
    expect(panView({ start: 100, end: 200 }, 5000, 1000)).toEqual({ start: 900, end: 1000 });
    const view = { start: 100, end: 200 };
    expect(revealFrame(view, 150, 1000)).toBe(view);
    expect(revealFrame(view, 250, 1000)).toEqual({ start: 151, end: 251 });
    expect(revealFrame(view, 40, 1000)).toEqual({ start: 40, end: 140 });
  });
});

describe('nearestEvent', () => {
  const events = [event(500, 520), event(100, 130), event(300, 310)];

  it('finds the next event starting after the frame, whatever the order', () => {
    expect(nearestEvent(events, 0, 'next')?.startIdx).toBe(100);
    expect(nearestEvent(events, 100, 'next')?.startIdx).toBe(300);
    expect(nearestEvent(events, 305, 'next')?.startIdx).toBe(500);
    expect(nearestEvent(events, 500, 'next')).toBeNull();
  });

  it('finds the previous event start, or the start of the event the frame is in', () => {
    expect(nearestEvent(events, 600, 'previous')?.startIdx).toBe(500);
    expect(nearestEvent(events, 305, 'previous')?.startIdx).toBe(300);
    expect(nearestEvent(events, 300, 'previous')?.startIdx).toBe(100);
    expect(nearestEvent(events, 100, 'previous')).toBeNull();
    expect(nearestEvent([], 10, 'next')).toBeNull();
  });
});
