import { describe, expect, it } from 'vitest';
import { type ScatterPalette, type ScatterScene, createSurface, drawScatter, packColour, pointSizes } from './drawScatter.js';
import {
  CLASS_COLOURS, RAMP_BUCKETS, THRESHOLD_AT, UNLABELLED_COLOUR, classColours, labelStyle, mixtureStyle, sampleRamp, scoreStyle, timeStyle,
} from './scatterStyle.js';

/** A 2D context that records calls and keeps the last ImageData put on it (jsdom has no canvas). */
function fakeContext() {
  const calls: { name: string; args: unknown[] }[] = [];
  let put: ImageData | null = null;
  const target: Record<string, unknown> = {
    createImageData: (w: number, h: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }),
    putImageData: (image: ImageData) => {
      put = image;
      calls.push({ name: 'putImageData', args: [] });
    },
  };
  const ctx = new Proxy(target, {
    get: (t, prop: string) => (prop in t ? t[prop] : (...args: unknown[]) => void calls.push({ name: prop, args })),
    set: (t, prop: string, value) => ((t[prop] = value), true),
  });
  const pixel = (x: number, y: number) => {
    const d = put!.data, o = (y * put!.width + x) * 4;
    return `#${[d[o]!, d[o + 1]!, d[o + 2]!].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls, count: (name: string) => calls.filter((c) => c.name === name).length, pixel };
}

const palette: ScatterPalette = { background: '#000000', axis: '#333333', trajectory: '#ffaa00', current: '#ffffff', hover: '#0000ff', lasso: '#00ff00' };

function scene(o: Partial<ScatterScene> & Pick<ScatterScene, 'x' | 'y' | 'style'>): ScatterScene {
  return { width: 100, height: 80, ratio: 1, view: { cx: 0, cy: 0, scale: 10 }, selected: null, current: -1, hover: -1, lasso: null, origin: false, ...o };
}

describe('colour modes', () => {
  it('score: the threshold sits at a fixed place on the ramp; points over it are larger and drawn last', () => {
    const scores = [0, 1, 2, 4, NaN];
    const s = scoreStyle(scores, 2, 5);
    expect(s.bucket[0]).toBe(0);
    expect(s.bucket[2]).toBe(Math.round(THRESHOLD_AT * (RAMP_BUCKETS - 1)));
    expect(s.bucket[3]).toBe(RAMP_BUCKETS - 1);
    expect(Array.from(s.emphasis)).toEqual([0, 0, 1, 1, 0]);
    // Emphasised points after all others, higher buckets after lower ones.
    expect(Array.from(s.order).slice(-2)).toEqual([2, 3]);
    expect(s.legend).toMatchObject({ kind: 'ramp', low: '0.00', high: '4.00', mark: { at: THRESHOLD_AT, label: 'threshold 2.00' } });
    // Without a usable threshold the ramp is linear and nothing is emphasised.
    const plain = scoreStyle([0, 1, 2], NaN, 3);
    expect(Array.from(plain.bucket)).toEqual([0, Math.round((RAMP_BUCKETS - 1) / 2), RAMP_BUCKETS - 1]);
    expect(plain.legend).toMatchObject({ mark: null });
  });

  it('label class: built-in classes keep fixed colours, other classes get their own, unlabelled is grey and drawn first', () => {
    const classes = ['', 'incident', 'normal', 'person', '', 'tamper'];
    const s = labelStyle(classes, 6, (i) => i);
    const colour = (i: number) => s.palette[s.bucket[i]!];
    expect(colour(0)).toBe(UNLABELLED_COLOUR);
    expect(colour(1)).toBe(CLASS_COLOURS.incident);
    expect(colour(2)).toBe(CLASS_COLOURS.normal);
    expect(colour(5)).toBe(CLASS_COLOURS.tamper);
    expect(new Set([colour(3), ...Object.values(CLASS_COLOURS), UNLABELLED_COLOUR]).size).toBe(6);
    expect([s.order[0], s.order[1]]).toEqual([0, 4]);
    expect(s.legend).toEqual({
      kind: 'classes',
      entries: [
        { label: 'normal', colour: CLASS_COLOURS.normal, count: 1 },
        { label: 'incident', colour: CLASS_COLOURS.incident, count: 1 },
        { label: 'tamper', colour: CLASS_COLOURS.tamper, count: 1 },
        { label: 'person', colour: colour(3), count: 1 },
        { label: 'unlabelled', colour: UNLABELLED_COLOUR, count: 2 },
      ],
    });
    // Points map to frames: point 0 shows frame 2 here.
    expect(labelStyle(classes, 1, () => 2).palette[labelStyle(classes, 1, () => 2).bucket[0]!]).toBe(CLASS_COLOURS.normal);
    expect(classColours(['zebra', 'ant']).get('ant')).not.toBe(classColours(['zebra', 'ant']).get('zebra'));
  });

  it('time and mixture class', () => {
    const t = timeStyle([0, 5, 10], 3, (sec) => `${sec}s`);
    expect(Array.from(t.bucket)).toEqual([0, Math.round((RAMP_BUCKETS - 1) / 2), RAMP_BUCKETS - 1]);
    expect(t.legend).toMatchObject({ kind: 'ramp', low: '0s', high: '10s' });
    const m = mixtureStyle([0, 2, 2, 1], 4);
    expect(m.bucket[1]).toBe(m.bucket[2]);
    expect(m.bucket[0]).not.toBe(m.bucket[3]);
    expect(m.legend).toMatchObject({ kind: 'classes', entries: [{ label: 'component 0', count: 1 }, { label: 'component 1', count: 1 }, { label: 'component 2', count: 2 }] });
  });

  it('samples a ramp end to end', () => {
    expect(sampleRamp(['#000000', '#ffffff'], 3)).toEqual(['#000000', '#808080', '#ffffff']);
  });
});

describe('drawScatter', () => {
  it('splats each point as a square of its colour in one putImageData', () => {
    const style = labelStyle(['normal', 'incident'], 2, (i) => i);
    const f = fakeContext();
    const drawn = drawScatter(f.ctx, scene({ x: [0, 2], y: [0, -1], style }), palette, createSurface());
    expect(drawn).toBe(2);
    expect(f.count('putImageData')).toBe(1);
    expect(f.count('fillRect')).toBe(0);
    // Point 0 at the centre (50, 40), point 1 at (70, 50); 2×2 device pixels each.
    expect(f.pixel(50, 40)).toBe(CLASS_COLOURS.normal);
    expect(f.pixel(49, 39)).toBe(CLASS_COLOURS.normal);
    expect(f.pixel(70, 50)).toBe(CLASS_COLOURS.incident);
    expect(f.pixel(60, 40)).toBe('#000000');
  });

  it('draws emphasised points larger, and skips points off the canvas or without coordinates', () => {
    const style = scoreStyle([0, 5, 1], 2, 3);
    const f = fakeContext();
    const drawn = drawScatter(f.ctx, scene({ x: [0, 2, 100], y: [0, 0, NaN], style }), palette, createSurface());
    expect(drawn).toBe(2);
    const { big } = pointSizes(1);
    // The emphasised point at (70, 40) covers big × big pixels.
    expect(f.pixel(70 - big / 2, 40 - big / 2)).toBe(style.palette[style.bucket[1]!]);
    expect(f.pixel(70 + big / 2 - 1, 40 + big / 2 - 1)).toBe(style.palette[style.bucket[1]!]);
    expect(f.pixel(70 + big / 2, 40)).toBe('#000000');
  });

  it('scales the splat by the device pixel ratio', () => {
    const style = labelStyle(['normal'], 1, () => 0);
    const f = fakeContext();
    drawScatter(f.ctx, scene({ x: [1], y: [1], style, ratio: 2 }), palette, createSurface());
    // (60, 30) in CSS pixels is (120, 60) on a 200 × 160 backing store.
    expect(f.pixel(120, 60)).toBe(CLASS_COLOURS.normal);
    expect(f.pixel(60, 30)).toBe('#000000');
  });

  it('dims unselected points while a selection exists, and rings the current and hovered points', () => {
    const style = labelStyle(['normal', 'normal'], 2, (i) => i);
    const f = fakeContext();
    drawScatter(f.ctx, scene({ x: [0, 2], y: [0, 0], style, selected: Uint8Array.of(0, 1), current: 0, hover: 1 }), palette, createSurface());
    expect(f.pixel(70, 40)).toBe(CLASS_COLOURS.normal);
    expect(f.pixel(50, 40)).not.toBe(CLASS_COLOURS.normal);
    expect(f.pixel(50, 40)).not.toBe('#000000');
    const arcs = f.calls.filter((c) => c.name === 'arc').map((c) => c.args.slice(0, 3));
    expect(arcs).toContainEqual([50, 40, 8]);
    expect(arcs).toContainEqual([70, 40, 5]);
  });

  it('draws the lasso and the origin lines on top', () => {
    const style = labelStyle([''], 1, () => 0);
    const f = fakeContext();
    const lasso = [{ x: 1, y: 1 }, { x: 20, y: 1 }, { x: 20, y: 20 }];
    drawScatter(f.ctx, scene({ x: [0], y: [0], style, lasso, origin: true }), palette, createSurface());
    expect(f.count('closePath')).toBe(1);
    expect(f.calls.filter((c) => c.name === 'lineTo').map((c) => c.args)).toEqual(expect.arrayContaining([[50.5, 80], [100, 40.5], [20, 1], [20, 20]]));
  });

  it('draws the smoothed trajectory as one line in frame order, broken where a point has no coordinates', () => {
    const style = labelStyle([''], 1, () => 0);
    const f = fakeContext();
    drawScatter(f.ctx, scene({ x: [0], y: [0], style, trajectory: { x: [0, 1, NaN, 2, 3], y: [0, 1, 0, -1, -2] } }), palette, createSurface());
    expect(f.calls.filter((c) => c.name === 'moveTo').map((c) => c.args)).toEqual([[50, 40], [70, 50]]);
    expect(f.calls.filter((c) => c.name === 'lineTo').map((c) => c.args)).toEqual([[60, 30], [80, 60]]);
    const none = fakeContext();
    drawScatter(none.ctx, scene({ x: [0], y: [0], style, trajectory: null }), palette, createSurface());
    expect(none.count('moveTo')).toBe(0);
  });

  it('reuses its pixel buffer while the size holds', () => {
    const style = labelStyle([''], 1, () => 0);
    const surface = createSurface();
    const f = fakeContext();
    drawScatter(f.ctx, scene({ x: [0], y: [0], style }), palette, surface);
    const image = surface.image;
    drawScatter(f.ctx, scene({ x: [0], y: [0], style }), palette, surface);
    expect(surface.image).toBe(image);
    drawScatter(f.ctx, scene({ x: [0], y: [0], style, width: 50 }), palette, surface);
    expect(surface.image).not.toBe(image);
    expect(packColour('#ff0000') >>> 0).toBe(new Uint32Array(new Uint8Array([255, 0, 0, 255]).buffer)[0]);
  });
});
