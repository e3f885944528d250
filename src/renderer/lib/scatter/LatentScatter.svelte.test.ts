import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LatentProjection } from '../../../shared/domain.js';
import LatentScatter from './LatentScatter.svelte';
import { dataBounds, fitView, toScreen } from './scatterView.js';
import { stubPointerEvent } from '../../testing/pointerEvents.js';

const W = 400;
const H = 300;

/** Frames 10..19 on a line, then frames 20..29 in a small zigzag far to the upper right. */
function projection(o: Partial<LatentProjection> = {}): LatentProjection {
  const index = Array.from({ length: 20 }, (_, i) => i + 10);
  return {
    modelId: 3, videoId: 1, method: 'pca', index,
    x: index.map((_, i) => (i < 10 ? i : 20 + (i - 10) * 0.3)),
    y: index.map((_, i) => (i < 10 ? 0 : 10 + (i % 2) * 0.3)),
    explained: [0.625, 0.25], mixtureClass: null, ...o,
  };
}

/** Where point i of p is on the canvas (the component starts fitted). */
function screenOf(p: LatentProjection | null, i: number) {
  if (!p) throw new Error('no projection rendered');
  return toScreen(fitView(dataBounds(p.x, p.y), W, H), W, H, p.x[i]!, p.y[i]!);
}

beforeAll(stubPointerEvent);

beforeEach(() => {
  // jsdom has no 2D context: the component then skips drawing (one test below gives it a fake one).
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});

function renderScatter(o: Partial<Record<string, unknown>> = {}) {
  // Reactive, like a parent's bind:frame and bind:selection.
  const state = $state({ frame: 0, selection: [] as number[] });
  const p = 'projection' in o ? (o.projection as LatentProjection | null) : projection();
  const n = p?.x.length ?? 0;
  const props = {
    projection: p,
    scores: Array.from({ length: n }, (_, i) => (i >= 10 ? 5 : 1)),
    threshold: 2,
    frameClasses: [] as string[],
    ptsSec: Array.from({ length: n }, (_, i) => (i + 10) / 10),
    thumbnailUrl: (f: number) => `/media/frame/1/${f}.png`,
    width: W,
    height: H,
    get frame() {
      return state.frame;
    },
    set frame(v: number) {
      state.frame = v;
    },
    get selection() {
      return state.selection;
    },
    set selection(v: number[]) {
      state.selection = v;
    },
    ...o,
  };
  const result = render(LatentScatter, { props });
  return { ...result, state, p };
}

const canvas = () => screen.getByTestId('scatter-canvas');

describe('LatentScatter', () => {
  it('tells the analyst what to do when there is nothing to show, while loading, and on an error', async () => {
    const { rerender } = renderScatter({ projection: null });
    expect(screen.getByTestId('scatter-empty').textContent).toMatch(/score this video/i);
    await rerender({ loading: true, method: 'umap' });
    expect(screen.getByTestId('scatter-loading').textContent).toMatch(/UMAP takes a few seconds/);
    await rerender({ loading: false, error: 'Score this video with model 3 first: it has no latents from that model yet.' });
    expect(screen.getByRole('alert').textContent).toContain('Score this video with model 3 first');
    expect(screen.queryByTestId('scatter-canvas')).toBeNull();
  });

  it('labels the axes with the variance each principal component explains, and names UMAP axes plainly', async () => {
    const { rerender } = renderScatter();
    expect(screen.getByTestId('scatter-axis-x').textContent).toBe('PC1 · 62.5% of variance');
    expect(screen.getByTestId('scatter-axis-y').textContent).toBe('PC2 · 25.0% of variance');
    await rerender({ projection: projection({ method: 'umap', explained: [] }) });
    expect(screen.getByTestId('scatter-axis-x').textContent).toBe('UMAP 1');
  });

  it('switches colour modes: score ramp with the threshold, label classes, time; mixture only with mixture classes', async () => {
    const frameClasses = Array.from({ length: 30 }, (_, f) => (f >= 20 ? 'incident' : ''));
    const { rerender } = renderScatter({ frameClasses });
    const legend = () => screen.getByTestId('scatter-legend').textContent ?? '';
    expect(legend()).toContain('threshold 2.00');
    const select = screen.getByTestId('scatter-colour') as HTMLSelectElement;
    const mixture = [...select.options].find((o) => o.value === 'mixture')!;
    expect(mixture.disabled).toBe(true);
    await fireEvent.change(select, { target: { value: 'label' } });
    expect(legend()).toMatch(/incident\s*10/);
    expect(legend()).toMatch(/unlabelled\s*10/);
    await fireEvent.change(select, { target: { value: 'time' } });
    expect(legend()).toContain('0:01.0');
    expect(legend()).toContain('0:02.9');
    await rerender({ projection: projection({ mixtureClass: Array.from({ length: 20 }, (_, i) => (i < 10 ? 0 : 1)) }) });
    expect(mixture.disabled).toBe(false);
    await fireEvent.change(select, { target: { value: 'mixture' } });
    expect(legend()).toMatch(/component 0\s*10.*component 1\s*10/);
  });

  it('offers the GP trajectory only when the projection carries one, shown until the analyst hides it', async () => {
    const { rerender } = renderScatter();
    expect(screen.queryByTestId('scatter-trajectory')).toBeNull();
    await rerender({ projection: projection({ trajectory: { x: [0, 1], y: [0, 1] } }) });
    const box = screen.getByTestId('scatter-trajectory') as HTMLInputElement;
    expect(box.checked).toBe(true);
    await fireEvent.click(box);
    expect(box.checked).toBe(false);
  });

  it('seeks to the frame of the point clicked, and ignores clicks on empty space', async () => {
    const { state, p } = renderScatter();
    const at = screenOf(p, 4);
    await fireEvent.pointerDown(canvas(), { clientX: at.x + 2, clientY: at.y - 1, button: 0 });
    await fireEvent.pointerUp(canvas(), { clientX: at.x + 2, clientY: at.y - 1, button: 0 });
    expect(state.frame).toBe(14);
    await fireEvent.pointerDown(canvas(), { clientX: 5, clientY: H - 5, button: 0 });
    await fireEvent.pointerUp(canvas(), { clientX: 5, clientY: H - 5, button: 0 });
    expect(state.frame).toBe(14);
  });

  it('shows the hovered frame: its thumbnail, time and score', async () => {
    const { p } = renderScatter();
    const at = screenOf(p, 12);
    await fireEvent.pointerMove(canvas(), { clientX: at.x, clientY: at.y });
    const tip = screen.getByTestId('scatter-tooltip');
    expect((tip.querySelector('img') as HTMLImageElement).getAttribute('src')).toBe('/media/frame/1/22.png');
    expect(tip.textContent).toContain('Frame 22 · 0:02.2');
    expect(tip.textContent).toContain('score 5.000');
    await fireEvent.pointerLeave(canvas());
    expect(screen.queryByTestId('scatter-tooltip')).toBeNull();
  });

  it('selects the frames inside a shift-drag lasso, and Esc clears them', async () => {
    const { state, p } = renderScatter();
    // A box around the upper-right cluster (points 10..19, frames 20..29), drawn as a lasso.
    const a = screenOf(p, 10);
    const b = screenOf(p, 19);
    const box = [[a.x - 20, b.y - 20], [b.x + 20, b.y - 20], [b.x + 20, a.y + 20], [a.x - 20, a.y + 20]] as const;
    await fireEvent.pointerDown(canvas(), { clientX: box[0][0], clientY: box[0][1], button: 0, shiftKey: true });
    for (const [x, y] of box.slice(1)) await fireEvent.pointerMove(canvas(), { clientX: x, clientY: y, shiftKey: true });
    await fireEvent.pointerUp(canvas(), { clientX: box[3][0], clientY: box[3][1], button: 0, shiftKey: true });
    expect(state.selection).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(screen.getByTestId('scatter-selection').textContent).toBe('10 frames selected');
    await fireEvent.keyDown(screen.getByRole('application'), { key: 'Escape' });
    expect(state.selection).toEqual([]);
    expect(screen.queryByTestId('scatter-selection')).toBeNull();
  });

  it('selects with the lasso tool without Shift, and a plain drag pans instead of selecting', async () => {
    const { state, p } = renderScatter();
    const first = screenOf(p, 0);
    // A plain drag across the line of points: a pan, no selection, no seek.
    await fireEvent.pointerDown(canvas(), { clientX: first.x - 10, clientY: first.y - 10, button: 0 });
    await fireEvent.pointerMove(canvas(), { clientX: first.x + 40, clientY: first.y - 10 });
    await fireEvent.pointerUp(canvas(), { clientX: first.x + 40, clientY: first.y - 10, button: 0 });
    expect(state.selection).toEqual([]);
    expect(state.frame).toBe(0);
    // The pan moved the picture 50 px right: point 0 (frame 10) is now there, until Fit.
    await fireEvent.pointerDown(canvas(), { clientX: first.x + 50, clientY: first.y, button: 0 });
    await fireEvent.pointerUp(canvas(), { clientX: first.x + 50, clientY: first.y, button: 0 });
    expect(state.frame).toBe(10);
    await fireEvent.click(screen.getByTestId('scatter-fit'));
    await fireEvent.click(screen.getByTestId('scatter-lasso'));
    expect(screen.getByTestId('scatter-lasso').getAttribute('aria-pressed')).toBe('true');
    const b = screenOf(p, 2);
    const c = screenOf(p, 4);
    const tri = [[b.x - 5, b.y - 20], [c.x + 5, c.y - 20], [c.x + 5, c.y + 20], [b.x - 5, b.y + 20]] as const;
    await fireEvent.pointerDown(canvas(), { clientX: tri[0][0], clientY: tri[0][1], button: 0 });
    for (const [x, y] of tri.slice(1)) await fireEvent.pointerMove(canvas(), { clientX: x, clientY: y });
    await fireEvent.pointerUp(canvas(), { clientX: tri[3][0], clientY: tri[3][1], button: 0 });
    expect(state.selection).toEqual([12, 13, 14]);
    await fireEvent.click(screen.getByTestId('scatter-clear'));
    expect(state.selection).toEqual([]);
  });

  it('zooms around the pointer with the wheel (the point under it stays put) and asks for another method', async () => {
    const onmethodchange = vi.fn();
    const { state, p } = renderScatter({ onmethodchange });
    const at = screenOf(p, 15);
    for (let k = 0; k < 5; k++) await fireEvent.wheel(canvas(), { clientX: at.x, clientY: at.y, deltaY: -100 });
    // Zoomed in: point 15 is still under the pointer.
    await fireEvent.pointerDown(canvas(), { clientX: at.x, clientY: at.y, button: 0 });
    await fireEvent.pointerUp(canvas(), { clientX: at.x, clientY: at.y, button: 0 });
    expect(state.frame).toBe(25);
    await fireEvent.change(screen.getByTestId('scatter-method'), { target: { value: 'umap' } });
    expect(onmethodchange).toHaveBeenCalledWith('umap');
  });

  it('redraws once per animation frame however many wheel events arrive', async () => {
    const puts: number[] = [];
    const fake = new Proxy({} as Record<string, unknown>, {
      get: (t, prop: string) => {
        if (prop in t) return t[prop];
        if (prop === 'createImageData') return (w: number, h: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) });
        if (prop === 'putImageData') return () => puts.push(performance.now());
        return () => {};
      },
      set: (t, prop: string, v) => ((t[prop] = v), true),
    });
    vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(fake as unknown as CanvasRenderingContext2D);
    const ondraw = vi.fn();
    renderScatter({ ondraw });
    await waitFor(() => expect(puts.length).toBe(1));
    for (let k = 0; k < 10; k++) await fireEvent.wheel(canvas(), { clientX: 100, clientY: 100, deltaY: -20 });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await new Promise((resolve) => requestAnimationFrame(resolve));
    expect(puts.length).toBe(2);
    expect(ondraw).toHaveBeenCalledTimes(2);
  });
});
