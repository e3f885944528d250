import { describe, expect, it } from 'vitest';
import { endGesture, moveGesture, startGesture } from './scatterPointer.js';
import {
  MAX_ZOOM, dataBounds, fitView, framesOfPoints, nearestPoint, panBy, pointInPolygon, pointOfFrame, pointsInLasso, toData, toScreen,
  wheelFactor, zoomAt,
} from './scatterView.js';

const W = 400;
const H = 300;

describe('fitting and mapping', () => {
  it('fits every finite point inside the canvas with one scale for both axes', () => {
    const x = [-2, 2, 0, NaN];
    const y = [-1, 1, 0.5, 99];
    const b = dataBounds(x, y)!;
    expect(b).toEqual({ minX: -2, maxX: 2, minY: -1, maxY: 1 });
    const v = fitView(b, W, H, 0.05);
    // x is the tighter axis: 4 data units over 360 px.
    expect(v.scale).toBeCloseTo(90);
    expect(toScreen(v, W, H, -2, 0)).toEqual({ x: 20, y: 150 });
    expect(toScreen(v, W, H, 2, 1)).toEqual({ x: 380, y: 60 });
    const back = toData(v, W, H, 380, 60);
    expect(back.x).toBeCloseTo(2);
    expect(back.y).toBeCloseTo(1);
  });

  it('copes with no points and with all points in one place', () => {
    expect(dataBounds([NaN], [1])).toBeNull();
    expect(fitView(null, W, H)).toEqual({ cx: 0, cy: 0, scale: 1 });
    expect(fitView({ minX: 3, maxX: 3, minY: 4, maxY: 4 }, W, H)).toEqual({ cx: 3, cy: 4, scale: 1 });
  });

  it('zooms around the pointer: the data point under it stays put', () => {
    const v = fitView({ minX: 0, maxX: 10, minY: 0, maxY: 10 }, W, H);
    const under = toData(v, W, H, 100, 50);
    const z = zoomAt(v, W, H, 100, 50, 2, v.scale);
    expect(z.scale).toBeCloseTo(2 * v.scale);
    const after = toScreen(z, W, H, under.x, under.y);
    expect(after.x).toBeCloseTo(100);
    expect(after.y).toBeCloseTo(50);
    // Clamped to MAX_ZOOM × the fitted scale.
    expect(zoomAt(v, W, H, 0, 0, 1e9, v.scale).scale).toBeCloseTo(v.scale * MAX_ZOOM);
    // A wheel notch down zooms out, up zooms in.
    expect(wheelFactor({ deltaY: 100, deltaMode: 0 })).toBeLessThan(1);
    expect(wheelFactor({ deltaY: -3, deltaMode: 1 })).toBeGreaterThan(1);
  });

  it('pans so the content follows the pointer', () => {
    const v = { cx: 0, cy: 0, scale: 10 };
    const p = panBy(v, 30, -20);
    expect(toScreen(p, W, H, 0, 0)).toEqual({ x: 230, y: 130 });
  });
});

describe('hit testing', () => {
  const x = [0, 1, 1.02];
  const y = [0, 1, 1];
  const v = { cx: 0.5, cy: 0.5, scale: 100 };

  it('finds the nearest point within the radius, and none outside it', () => {
    const at = toScreen(v, W, H, 1, 1);
    expect(nearestPoint(x, y, v, W, H, at.x - 1, at.y, 6)).toBe(1);
    expect(nearestPoint(x, y, v, W, H, at.x + 3, at.y, 6)).toBe(2);
    expect(nearestPoint(x, y, v, W, H, at.x, at.y + 20, 6)).toBe(-1);
  });

  it('prefers the point drawn on top when two coincide', () => {
    const at = toScreen(v, W, H, 0, 0);
    expect(nearestPoint([0, 0], [0, 0], v, W, H, at.x, at.y, 6, [1, 0])).toBe(0);
    expect(nearestPoint([0, 0], [0, 0], v, W, H, at.x, at.y, 6, [0, 1])).toBe(1);
  });

  it('maps frames to points and back', () => {
    const index = [2, 3, 5, 8];
    expect(pointOfFrame(5, index)).toBe(2);
    expect(pointOfFrame(4, index)).toBe(-1);
    expect(pointOfFrame(9, index)).toBe(-1);
    expect(framesOfPoints([3, 0, 3, 1], index)).toEqual([2, 3, 8]);
  });
});

describe('lasso', () => {
  const square = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }];

  it('tests points against a polygon (even-odd), including concave ones', () => {
    expect(pointInPolygon(5, 5, square)).toBe(true);
    expect(pointInPolygon(11, 5, square)).toBe(false);
    expect(pointInPolygon(-0.1, 5, square)).toBe(false);
    // A U shape: the notch between its arms is outside.
    const u = [{ x: 0, y: 0 }, { x: 3, y: 0 }, { x: 3, y: 7 }, { x: 7, y: 7 }, { x: 7, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }];
    expect(pointInPolygon(5, 3, u)).toBe(false);
    expect(pointInPolygon(1, 3, u)).toBe(true);
    expect(pointInPolygon(5, 9, u)).toBe(true);
  });

  it('selects the points whose screen position is inside the lasso', () => {
    const v = { cx: 0, cy: 0, scale: 10 };
    // Screen square from (200, 150) to (230, 120): data x 0..3, y 0..3.
    const lasso = [{ x: 200, y: 150 }, { x: 230, y: 150 }, { x: 230, y: 120 }, { x: 200, y: 120 }];
    const x = [1, 2.9, 3.1, 1, -1, NaN];
    const y = [1, 2.9, 1, -0.5, 1, 1];
    expect(pointsInLasso(x, y, v, W, H, lasso)).toEqual([0, 1]);
    expect(pointsInLasso(x, y, v, W, H, lasso.slice(0, 2))).toEqual([]);
  });
});

describe('gestures', () => {
  const v = { cx: 0, cy: 0, scale: 10 };

  it('a press that does not move is a click; one that moves pans', () => {
    const click = startGesture(10, 10, false, v);
    expect(moveGesture(click, 11, 11)).toBeNull();
    expect(endGesture(click, 11, 11)).toEqual({ click: { x: 11, y: 11 } });
    const pan = startGesture(10, 10, false, v);
    expect(moveGesture(pan, 30, 10)).toEqual({ view: { cx: -2, cy: 0, scale: 10 } });
    expect(endGesture(pan, 30, 10)).toBeNull();
  });

  it('a lasso collects its outline; a lasso press that never moves is a click', () => {
    const g = startGesture(0, 0, true, v);
    moveGesture(g, 10, 0);
    expect(moveGesture(g, 10.5, 0)).toBeNull();
    expect(moveGesture(g, 10, 10)).toEqual({ lasso: [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }] });
    expect(endGesture(g, 0, 10)).toEqual({ lasso: [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }] });
    expect(endGesture(startGesture(5, 5, true, v), 5, 5)).toEqual({ click: { x: 5, y: 5 } });
  });
});
