import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeEvent } from '../../../shared/domain.js';
import ChangeTimeline from './ChangeTimeline.svelte';
import { scoreScale, scoreToY, yToScore } from './drawTimeline.js';
import { MinMaxPyramid } from './decimate.js';
import { stubPointerEvent } from '../../testing/pointerEvents.js';

const FRAMES = 1000;
const WIDTH = 1000; // one CSS pixel per frame when the whole video is shown
const HEIGHT = 120;
const FPS = 25;
const scores = Array.from({ length: FRAMES }, (_, i) => 0.5 + 0.4 * Math.sin(i / 17));
const ptsSec = Array.from({ length: FRAMES }, (_, i) => i / FPS);
const THRESHOLD = 1.2;

function event(startIdx: number, endIdx: number): ChangeEvent {
  return { id: startIdx, modelId: 1, videoId: 1, startIdx, endIdx, peakIdx: startIdx, peakScore: 2, startSec: startIdx / FPS, endSec: endIdx / FPS, threshold: THRESHOLD };
}

const events = [event(600, 640), event(200, 230)];

beforeAll(stubPointerEvent);

beforeEach(() => {
  // jsdom has no 2D context either; the component must then skip drawing.
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});

function renderTimeline(props: Partial<Record<string, unknown>> = {}) {
  const result = render(ChangeTimeline, { props: { scores, ptsSec, threshold: THRESHOLD, events, width: WIDTH, height: HEIGHT, ...props } });
  const slider = screen.getByRole('slider', { name: 'Change timeline' });
  const canvas = screen.getByTestId('timeline-canvas');
  const now = () => Number(slider.getAttribute('aria-valuenow'));
  const shown = () => {
    const range = screen.getByTestId('timeline-range');
    return { first: Number(range.dataset.first), last: Number(range.dataset.last) };
  };
  return { ...result, slider, canvas, now, shown };
}

/** The y (CSS pixels) of the threshold line, by the same scale the component uses. */
const thresholdY = () => scoreToY(THRESHOLD, scoreScale(new MinMaxPyramid(scores), THRESHOLD), HEIGHT);

describe('ChangeTimeline', () => {
  it('is a focusable slider with the frame and its time', () => {
    const { slider } = renderTimeline({ frame: 50 });
    expect(slider.tabIndex).toBe(0);
    expect(slider.getAttribute('aria-valuemin')).toBe('0');
    expect(slider.getAttribute('aria-valuemax')).toBe('999');
    expect(slider.getAttribute('aria-valuenow')).toBe('50');
    expect(slider.getAttribute('aria-valuetext')).toBe('0:02.0, frame 50 of 1000');
    expect(screen.getByTestId('timeline-time').textContent).toBe('0:02.0');
  });

  it('moves the playhead with the keyboard', async () => {
    const { slider, now } = renderTimeline({ frame: 100 });
    slider.focus();
    await fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect(now()).toBe(101);
    await fireEvent.keyDown(slider, { key: 'ArrowLeft' });
    await fireEvent.keyDown(slider, { key: 'ArrowLeft' });
    expect(now()).toBe(99);
    await fireEvent.keyDown(slider, { key: 'ArrowRight', shiftKey: true });
    expect(now()).toBe(109);
    await fireEvent.keyDown(slider, { key: 'ArrowLeft', shiftKey: true });
    expect(now()).toBe(99);
    await fireEvent.keyDown(slider, { key: 'End' });
    expect(now()).toBe(999);
    await fireEvent.keyDown(slider, { key: 'ArrowRight' });
    expect(now()).toBe(999);
    await fireEvent.keyDown(slider, { key: 'Home' });
    expect(now()).toBe(0);
    await fireEvent.keyDown(slider, { key: 'ArrowLeft', shiftKey: true });
    expect(now()).toBe(0);
    expect(screen.getByTestId('timeline-time').textContent).toBe('0:00.0');
  });

  it('] and [ jump to the next and previous event start', async () => {
    const { slider, now } = renderTimeline({ frame: 10 });
    await fireEvent.keyDown(slider, { key: ']' });
    expect(now()).toBe(200);
    await fireEvent.keyDown(slider, { key: ']' });
    expect(now()).toBe(600);
    await fireEvent.keyDown(slider, { key: ']' });
    expect(now()).toBe(600);
    await fireEvent.keyDown(slider, { key: 'ArrowRight' });
    await fireEvent.keyDown(slider, { key: '[' });
    expect(now()).toBe(600);
    await fireEvent.keyDown(slider, { key: '[' });
    expect(now()).toBe(200);
  });

  it('Space asks to toggle playback and does not scroll the page', async () => {
    const onplaytoggle = vi.fn();
    const { slider } = renderTimeline({ onplaytoggle });
    const notPrevented = await fireEvent.keyDown(slider, { key: ' ' });
    expect(onplaytoggle).toHaveBeenCalledTimes(1);
    expect(notPrevented).toBe(false);
  });

  it('click seeks to the frame under the pointer', async () => {
    const { canvas, now } = renderTimeline();
    await fireEvent.pointerDown(canvas, { clientX: 250.5, clientY: 100, button: 0 });
    await fireEvent.pointerUp(canvas, { clientX: 250.5, clientY: 100, button: 0 });
    expect(now()).toBe(250);
  });

  it('click seeks within a zoomed view', async () => {
    const { canvas, now } = renderTimeline({ view: { start: 400, end: 500 } });
    await fireEvent.pointerDown(canvas, { clientX: 505, clientY: 100, button: 0 });
    await fireEvent.pointerUp(canvas, { clientX: 505, clientY: 100, button: 0 });
    expect(now()).toBe(450);
  });

  it('Shift+drag brushes a span (either direction) without seeking or panning', async () => {
    const onbrush = vi.fn();
    const { canvas, now, shown } = renderTimeline({ onbrush, frame: 5 });
    await fireEvent.pointerDown(canvas, { clientX: 400.5, clientY: 100, button: 0, shiftKey: true });
    await fireEvent.pointerMove(canvas, { clientX: 350.5, clientY: 100, button: 0, shiftKey: true });
    await fireEvent.pointerUp(canvas, { clientX: 320.5, clientY: 100, button: 0, shiftKey: true });
    expect(onbrush.mock.calls).toEqual([
      [{ startIdx: 350, endIdx: 400 }, false],
      [{ startIdx: 320, endIdx: 400 }, true],
    ]);
    expect(now()).toBe(5);
    expect(shown()).toEqual({ first: 0, last: FRAMES - 1 });
  });

  it('without a brush handler, Shift+drag pans as before', async () => {
    const { canvas, now } = renderTimeline({ frame: 5 });
    await fireEvent.pointerDown(canvas, { clientX: 400.5, clientY: 100, button: 0, shiftKey: true });
    await fireEvent.pointerUp(canvas, { clientX: 400.5, clientY: 100, button: 0, shiftKey: true });
    expect(now()).toBe(400); // a click: seeks
  });

  it('dragging the threshold line reports the new threshold', async () => {
    const onthresholdchange = vi.fn();
    const { canvas, now } = renderTimeline({ onthresholdchange, frame: 5 });
    const y = thresholdY();
    await fireEvent.pointerDown(canvas, { clientX: 300, clientY: y + 2, button: 0 });
    await fireEvent.pointerMove(canvas, { clientX: 320, clientY: 60, button: 0 });
    await fireEvent.pointerUp(canvas, { clientX: 320, clientY: 60, button: 0 });
    const scale = scoreScale(new MinMaxPyramid(scores), THRESHOLD);
    expect(onthresholdchange).toHaveBeenCalledTimes(1);
    expect(onthresholdchange.mock.calls[0]![0]).toBeCloseTo(yToScore(60, scale, HEIGHT), 10);
    expect(onthresholdchange.mock.calls[0]![0]).toBeLessThan(THRESHOLD);
    expect(now()).toBe(5); // a threshold drag does not seek
  });

  it('dragging elsewhere pans the view instead of seeking', async () => {
    const { canvas, now, shown } = renderTimeline({ view: { start: 400, end: 500 }, frame: 450 });
    await fireEvent.pointerDown(canvas, { clientX: 500, clientY: 100, button: 0 });
    await fireEvent.pointerMove(canvas, { clientX: 300, clientY: 100, button: 0 });
    await fireEvent.pointerUp(canvas, { clientX: 300, clientY: 100, button: 0 });
    expect(shown()).toEqual({ first: 420, last: 519 });
    expect(now()).toBe(450);
  });

  it('the wheel zooms around the pointer, within the video', async () => {
    const { canvas, shown } = renderTimeline();
    await fireEvent.wheel(canvas, { deltaY: -500, clientX: 250 });
    const zoomed = shown();
    expect(zoomed.last - zoomed.first).toBeLessThan(500);
    expect(zoomed.first).toBeLessThan(250);
    expect(zoomed.last).toBeGreaterThan(250);
    for (let i = 0; i < 20; i++) await fireEvent.wheel(canvas, { deltaY: -500, clientX: 250 });
    expect(shown().last - shown().first).toBe(19); // the minimum span: 20 frames
    for (let i = 0; i < 20; i++) await fireEvent.wheel(canvas, { deltaY: 500, clientX: 250 });
    expect(shown()).toEqual({ first: 0, last: 999 });
  });

  it('+ and - zoom around the playhead', async () => {
    const { slider, shown } = renderTimeline({ frame: 500 });
    await fireEvent.keyDown(slider, { key: '+' });
    expect(shown()).toEqual({ first: 251, last: 750 }); // half the span, centred on the playhead's cell (500.5)
    await fireEvent.keyDown(slider, { key: '-' });
    expect(shown()).toEqual({ first: 0, last: 999 });
  });

  it('follows the playhead out of a zoomed view', async () => {
    const { rerender, shown } = renderTimeline({ view: { start: 0, end: 100 }, frame: 10 });
    await rerender({ frame: 150 });
    expect(shown()).toEqual({ first: 51, last: 150 });
  });

  it('the overview moves the visible window', async () => {
    const { shown } = renderTimeline({ view: { start: 0, end: 100 } });
    const overview = screen.getByTestId('timeline-overview');
    await fireEvent.pointerDown(overview, { clientX: 500, clientY: 10, button: 0 });
    expect(shown()).toEqual({ first: 450, last: 549 });
    await fireEvent.pointerMove(overview, { clientX: 2000, clientY: 10, button: 0 });
    expect(shown()).toEqual({ first: 900, last: 999 });
    await fireEvent.pointerUp(overview, { clientX: 2000, clientY: 10, button: 0 });
    await fireEvent.pointerMove(overview, { clientX: 0, clientY: 10, button: 0 });
    expect(shown()).toEqual({ first: 900, last: 999 });
  });

  it('says when there are no scores, and ignores input', async () => {
    const { slider, canvas, now } = renderTimeline({ scores: [], ptsSec: [], events: [] });
    expect(screen.getByTestId('timeline-readout').textContent).toContain('No scores');
    await fireEvent.keyDown(slider, { key: 'End' });
    await fireEvent.pointerDown(canvas, { clientX: 30, clientY: 100, button: 0 });
    await fireEvent.pointerUp(canvas, { clientX: 30, clientY: 100, button: 0 });
    expect(now()).toBe(0);
    expect(screen.queryByTestId('timeline-overview')).toBeNull();
  });
});
