/**
 * The bench:ui page: the real ChangeTimeline on 1,000,000 synthetic frames and the real LatentScatter on
 * 100,000 synthetic points, and `window.uiBench`, which drives them with synthetic wheel and pointer
 * events and times each redraw. Built and driven by bench/ui.ts.
 *
 * Also the real EventQueue holding 10,000 events (the same events the timeline draws), stepped with J
 * and scrolled: one step there is the key or scroll event, Svelte's flush and the layout it forces.
 *
 * One step's redraw time: dispatch the event, flush Svelte's effects (the timeline draws there; the
 * scatter schedules its draw for the next animation frame and reports the draw's duration through
 * `ondraw`), then read one pixel back from the canvas, which makes Chromium execute every drawing
 * command still pending (so rasterisation is counted too). Each step then waits for the next animation
 * frame, and the interval between frames is recorded as well.
 */
import { flushSync, mount } from 'svelte';
import type { ChangeEvent, LatentProjection } from '../../src/shared/domain.js';
import LatentScatter from '../../src/renderer/lib/scatter/LatentScatter.svelte';
import ChangeTimeline from '../../src/renderer/lib/timeline/ChangeTimeline.svelte';
import EventQueue from '../../src/renderer/lib/queue/EventQueue.svelte';
import { buildQueue } from '../../src/renderer/lib/queue/queue.js';
import { ReviewStore } from '../../src/renderer/stores/review.svelte.js';
import '../../src/renderer/styles/theme.css';
import type { Measured, UiBench } from './protocol.js';

const FRAMES = 1_000_000;
const POINTS = 100_000;
const EVENTS = 10_000;
const TIMELINE_WIDTH = 1200;
const SCATTER_WIDTH = 900;
const SCATTER_HEIGHT = 600;

/** Seeded uniform and normal draws, so every run draws the same data. */
function generator(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

function timelineData() {
  const g = generator(1);
  const scores = new Array<number>(FRAMES);
  const ptsSec = new Array<number>(FRAMES);
  const events: ChangeEvent[] = [];
  for (let i = 0; i < FRAMES; i++) {
    ptsSec[i] = i / 10;
    scores[i] = 1 + 0.3 * Math.sin(i / 5000) + 0.2 * g.normal();
  }
  // EVENTS events, one in each slot of FRAMES / EVENTS frames.
  const slot = FRAMES / EVENTS;
  for (let k = 0; k < EVENTS; k++) {
    const start = Math.floor(k * slot + g.uniform() * (slot / 2));
    const end = start + 10 + Math.floor(g.uniform() * (slot / 3));
    for (let i = start; i <= end; i++) scores[i] = 3 + g.uniform();
    events.push({ id: k, modelId: 1, videoId: 1, startIdx: start, endIdx: end, peakIdx: start, peakScore: 4, startSec: start / 10, endSec: end / 10, threshold: 2.5 });
  }
  return { scores, ptsSec, events };
}

function scatterData() {
  const g = generator(2);
  const index = Array.from({ length: POINTS }, (_, i) => i);
  const x = new Array<number>(POINTS);
  const y = new Array<number>(POINTS);
  const scores = new Array<number>(POINTS);
  for (let i = 0; i < POINTS; i++) {
    // A curved band of normal frames, a few blobs of changes.
    const t = (i / POINTS) * 6;
    const blob = i % 37 === 0;
    x[i] = blob ? 4 + Math.floor(g.uniform() * 3) * 2 + 0.3 * g.normal() : Math.cos(t) * 3 + 0.25 * g.normal();
    y[i] = blob ? 4 + 0.3 * g.normal() : Math.sin(2 * t) * 1.5 + 0.25 * g.normal();
    scores[i] = blob ? 3 + g.uniform() : 1 + 0.3 * g.uniform();
  }
  const projection: LatentProjection = { modelId: 1, videoId: 1, method: 'pca', index, x, y, explained: [0.41, 0.22], mixtureClass: null };
  return { projection, scores, ptsSec: index.map((i) => i / 10) };
}

const root = document.getElementById('bench')!;
root.style.cssText = 'padding: 16px; display: grid; gap: 16px; width: 1240px;';
const timelineHost = root.appendChild(document.createElement('section'));
const scatterHost = root.appendChild(document.createElement('section'));
const queueHost = root.appendChild(document.createElement('section'));
queueHost.style.cssText = 'width: 380px; height: 600px;';

const tl = timelineData();
mount(ChangeTimeline, { target: timelineHost, props: { scores: tl.scores, ptsSec: tl.ptsSec, threshold: 2.5, events: tl.events, width: TIMELINE_WIDTH, height: 120 } });

let lastScatterDraw = NaN;
const sc = scatterData();
mount(LatentScatter, {
  target: scatterHost,
  props: {
    projection: sc.projection, scores: sc.scores, threshold: 2.5, frameClasses: [], ptsSec: sc.ptsSec, width: SCATTER_WIDTH, height: SCATTER_HEIGHT,
    thumbnailUrl: () => 'data:,', ondraw: (ms: number) => (lastScatterDraw = ms),
  },
});
const review = new ReviewStore({
  getReviewState: async (modelId, videoId) => ({ modelId, videoId, threshold: null, reviewedPeaks: [] }),
  setEventReviewed: async () => undefined,
  setReviewThreshold: async () => undefined,
});
void review.load(1, 1);
const queueItems = buildQueue(tl.events, null, new Set(tl.events.filter((_, k) => k % 3 === 0).map((e) => e.peakIdx)), []);
mount(EventQueue, {
  target: queueHost,
  props: { items: queueItems, store: review, classes: ['normal', 'nuisance'], frame: 0, thumbnailUrl: () => 'data:,', onopen: () => undefined, onplay: () => undefined },
});
flushSync();

// Synthetic pointer ids are not active pointers: capture would throw, and is irrelevant to events sent straight to the canvas.
const capture = Element.prototype.setPointerCapture;
Element.prototype.setPointerCapture = function (this: Element, id: number) {
  try {
    capture.call(this, id);
  } catch {
    // not an active pointer
  }
};

const nextFrame = () => new Promise<number>((resolve) => requestAnimationFrame(resolve));
const canvasOf = (testId: string) => document.querySelector<HTMLCanvasElement>(`[data-testid="${testId}"]`)!;

function rasterise(canvas: HTMLCanvasElement): void {
  canvas.getContext('2d')!.getImageData(0, 0, 1, 1);
}

type Step = (canvas: HTMLCanvasElement, k: number) => void;

function wheel(canvas: HTMLCanvasElement, x: number, y: number, deltaY: number): void {
  const r = canvas.getBoundingClientRect();
  canvas.dispatchEvent(new WheelEvent('wheel', { clientX: r.left + x, clientY: r.top + y, deltaY, deltaMode: 0, bubbles: true, cancelable: true }));
}

function pointer(canvas: HTMLCanvasElement, type: string, x: number, y: number): void {
  const r = canvas.getBoundingClientRect();
  canvas.dispatchEvent(new PointerEvent(type, { clientX: r.left + x, clientY: r.top + y, pointerId: 1, button: 0, buttons: type === 'pointerup' ? 0 : 1, bubbles: true, cancelable: true }));
}

async function measure(target: 'timeline' | 'scatter', steps: number, step: Step): Promise<Measured> {
  const canvas = canvasOf(target === 'timeline' ? 'timeline-canvas' : 'scatter-canvas');
  const redraw: number[] = [];
  const frames: number[] = [];
  let previous = await nextFrame();
  for (let k = 0; k < steps; k++) {
    const t0 = performance.now();
    step(canvas, k);
    flushSync();
    let ms: number;
    if (target === 'timeline') {
      rasterise(canvas);
      ms = performance.now() - t0;
      const now = await nextFrame();
      frames.push(now - previous);
      previous = now;
    } else {
      const handled = performance.now() - t0;
      lastScatterDraw = NaN;
      const now = await nextFrame();
      // The scatter's own frame callback (requested during the flush) ran first and drew.
      const t1 = performance.now();
      rasterise(canvas);
      ms = handled + lastScatterDraw + (performance.now() - t1);
      frames.push(now - previous);
      previous = now;
    }
    redraw.push(ms);
  }
  return { redraw, frames };
}

/** Well below the threshold line, which a press near it would grab. */
const T_PRESS_Y = 100;
const S_MID = { x: SCATTER_WIDTH / 2, y: SCATTER_HEIGHT / 2 };

/** Zoom in 30 notches around moving points, then back out. */
const zoomSteps = (width: number, height: number): Step => (canvas, k) =>
  wheel(canvas, width * (0.3 + 0.4 * ((k * 7) % 10) / 10), height / 2, k < 30 ? -120 : 120);

/** A press, then a drag of 12 px per step back and forth (releasing at the end). */
function panSteps(steps: number, x0: number, y0: number, vertical: boolean): Step {
  let x = x0, y = y0;
  return (canvas, k) => {
    if (k === 0) pointer(canvas, 'pointerdown', x, y);
    const dir = Math.floor(k / 20) % 2 === 0 ? 1 : -1;
    x += 12 * dir;
    if (vertical) y += 6 * dir;
    pointer(canvas, k === steps - 1 ? 'pointerup' : 'pointermove', x, y);
  };
}

/** A queue step: the event (a J key, a scroll), Svelte's flush, and the style and layout it forces. */
async function measureQueue(steps: number, step: (k: number) => void): Promise<Measured> {
  const list = document.querySelector<HTMLElement>('[data-testid="event-queue"] [role="listbox"]')!;
  const redraw: number[] = [];
  const frames: number[] = [];
  let previous = await nextFrame();
  for (let k = 0; k < steps; k++) {
    const t0 = performance.now();
    step(k);
    flushSync();
    void list.getBoundingClientRect();
    void document.body.offsetHeight;
    redraw.push(performance.now() - t0);
    const now = await nextFrame();
    frames.push(now - previous);
    previous = now;
  }
  return { redraw, frames };
}

const uiBench: UiBench = {
  info: () => ({ frames: FRAMES, points: POINTS, events: EVENTS, devicePixelRatio: window.devicePixelRatio, userAgent: navigator.userAgent }),
  timelineZoom: () => measure('timeline', 60, zoomSteps(TIMELINE_WIDTH, 120)),
  timelinePan: async () => {
    // Pan a zoomed view (about 1/20 of the video): the whole video cannot move.
    const canvas = canvasOf('timeline-canvas');
    for (let k = 0; k < 14; k++) wheel(canvas, TIMELINE_WIDTH / 2, T_PRESS_Y, -120);
    flushSync();
    return measure('timeline', 60, panSteps(60, 300, T_PRESS_Y, false));
  },
  scatterZoom: () => measure('scatter', 60, zoomSteps(SCATTER_WIDTH, SCATTER_HEIGHT)),
  scatterPan: async () => {
    // Zoomed in a little, so points cross the edges while panning.
    const canvas = canvasOf('scatter-canvas');
    for (let k = 0; k < 4; k++) wheel(canvas, S_MID.x, S_MID.y, -120);
    flushSync();
    await nextFrame();
    return measure('scatter', 60, panSteps(60, 200, S_MID.y, true));
  },
  // J through the queue: the open row moves, the list scrolls to keep it in view.
  queueStep: () => measureQueue(60, () => window.dispatchEvent(new KeyboardEvent('keydown', { key: 'j', bubbles: true }))),
  // Scroll the list by about 100 rows a step (a fast flick), down then up.
  queueScroll: () =>
    measureQueue(60, (k) => {
      const list = document.querySelector<HTMLElement>('[data-testid="event-queue"] [role="listbox"]')!;
      list.scrollTop += (k < 30 ? 1 : -1) * 52 * 100;
      list.dispatchEvent(new Event('scroll'));
    }),
};
(globalThis as unknown as { uiBench: UiBench }).uiBench = uiBench;
document.body.dataset.ready = 'true';
