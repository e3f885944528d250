import { describe, expect, it } from 'vitest';
import { MAX_ZOOM, NO_ZOOM, panBy, zoomAt, zoomTransform } from './frameZoom.js';

describe('frame zoom', () => {
  it('keeps the point under the cursor, never zooms out past the whole picture, and pans within it', () => {
    const z = zoomAt(NO_ZOOM, 2, 0.25, 0.5);
    expect(z).toEqual({ scale: 2, x: -0.25, y: -0.5 });
    // The picture point at the cursor is still at (0.25, 0.5): (0.25 − x) / scale.
    expect((0.25 - z.x) / z.scale).toBeCloseTo(0.25);
    expect(zoomAt(z, 0.1, 0.5, 0.5)).toEqual(NO_ZOOM);
    expect(zoomAt(z, 100, 0.5, 0.5).scale).toBe(MAX_ZOOM);
    expect(panBy(z, 1, 1)).toEqual({ scale: 2, x: 0, y: 0 });
    expect(panBy(z, -5, 0)).toEqual({ scale: 2, x: -1, y: -0.5 });
    expect(zoomTransform(z)).toBe('translate(-25.000%, -50.000%) scale(2.0000)');
  });
});
