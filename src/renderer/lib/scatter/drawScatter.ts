/**
 * The latent scatter's painter. Points are splatted straight into an ImageData (one Uint32 write per
 * device pixel, no path per point) and put on the canvas in one call; the few overlays (origin lines,
 * the current frame, the hovered point, the lasso) are then drawn with ordinary canvas paths. A pure
 * function of a 2D context and a scene, so tests can run it on a fake context.
 *
 * Why not fillRect per point batched by colour: with software rasterisation (Chromium with the GPU off,
 * as on these machines) 100,000 fillRects cost tens of milliseconds a frame; the splat costs a few.
 */
import type { ScatterStyle } from './scatterStyle.js';
import { mixColour } from './scatterStyle.js';
import { type ScatterView, type ScreenPoint, toScreen } from './scatterView.js';

export interface ScatterPalette {
  background: string;
  axis: string;
  trajectory: string;
  current: string;
  hover: string;
  lasso: string;
}

export interface ScatterScene {
  /** Canvas size in CSS pixels, and device pixels per CSS pixel. */
  width: number;
  height: number;
  ratio: number;
  view: ScatterView;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  style: ScatterStyle;
  /** 1 for each selected point, or null when nothing is selected (then nothing is dimmed). */
  selected: Uint8Array | null;
  /** Point index of the current frame, or −1. */
  current: number;
  /** Point index under the pointer, or −1. */
  hover: number;
  /** The lasso being drawn (screen coordinates), or null. */
  lasso: readonly ScreenPoint[] | null;
  /** Draw the lines through the data origin (PCA: the mean of μ). */
  origin: boolean;
  /** A line through these points in frame order (the GP-smoothed latent trajectory), or null. */
  trajectory?: { x: ArrayLike<number>; y: ArrayLike<number> } | null;
}

/** The reusable pixel buffer of one canvas. */
export interface ScatterSurface {
  image: ImageData | null;
  pixels: Uint32Array | null;
}

export const createSurface = (): ScatterSurface => ({ image: null, pixels: null });

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** '#rrggbb' as one opaque RGBA pixel in the platform's byte order (ImageData is R, G, B, A in memory). */
export function packColour(hex: string): number {
  const v = parseInt(hex.slice(1, 7), 16);
  const r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
  return (LITTLE_ENDIAN ? ((255 << 24) | (b << 16) | (g << 8) | r) : ((r << 24) | (g << 16) | (b << 8) | 255)) >>> 0;
}

/** Point sizes in device pixels: ordinary and emphasised (over the threshold, or selected). */
export function pointSizes(ratio: number): { base: number; big: number } {
  const base = Math.max(2, Math.round(2 * ratio));
  return { base, big: base + Math.max(2, Math.round(2 * ratio)) };
}

/**
 * Splat the points in drawing order into `pixels` (wpx × hpx device pixels, already cleared). With a
 * selection, unselected points take their dimmed colour and selected ones are drawn again on top.
 * Returns how many points landed on the canvas.
 */
export function splatPoints(pixels: Uint32Array, wpx: number, hpx: number, s: ScatterScene, colours: Uint32Array, dimmed: Uint32Array): number {
  const { x, y, style, selected } = s;
  const { order, bucket, emphasis } = style;
  const k = s.view.scale * s.ratio;
  const ox = wpx / 2 - s.view.cx * k;
  const oy = hpx / 2 + s.view.cy * k;
  const { base, big } = pointSizes(s.ratio);
  let drawn = 0;
  const pass = (only: 0 | 1 | 2) => {
    for (let n = 0; n < order.length; n++) {
      const i = order[n]!;
      const isSelected = selected !== null && selected[i] === 1;
      if ((only === 1 && isSelected) || (only === 2 && !isSelected)) continue;
      const size = emphasis[i] || only === 2 ? big : base;
      const px = ox + x[i]! * k;
      const py = oy - y[i]! * k;
      // NaN fails both tests and is skipped.
      if (!(px > -size && px < wpx + size && py > -size && py < hpx + size)) continue;
      const x0 = Math.max(0, Math.floor(px - size / 2));
      const y0 = Math.max(0, Math.floor(py - size / 2));
      const x1 = Math.min(wpx, Math.floor(px - size / 2) + size);
      const y1 = Math.min(hpx, Math.floor(py - size / 2) + size);
      if (x1 <= x0 || y1 <= y0) continue;
      const colour = only === 1 ? dimmed[bucket[i]!]! : colours[bucket[i]!]!;
      for (let row = y0; row < y1; row++) {
        const o = row * wpx;
        for (let col = x0; col < x1; col++) pixels[o + col] = colour;
      }
      drawn++;
    }
  };
  if (selected === null) pass(0);
  else {
    pass(1);
    pass(2);
  }
  return drawn;
}

function ring(ctx: CanvasRenderingContext2D, p: ScreenPoint, radius: number, colour: string, halo: string) {
  ctx.lineWidth = 3.5;
  ctx.strokeStyle = halo;
  ctx.beginPath();
  ctx.arc(p.x, p.y, radius, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.lineWidth = 1.75;
  ctx.strokeStyle = colour;
  ctx.stroke();
}

/**
 * Paint the scene. `ctx` carries the device-pixel-ratio transform (see prepareCanvas) for the overlays;
 * the points go in through `surface`'s ImageData, which ignores the transform. Returns the number of
 * points that landed on the canvas.
 */
export function drawScatter(ctx: CanvasRenderingContext2D, s: ScatterScene, p: ScatterPalette, surface: ScatterSurface): number {
  const wpx = Math.max(1, Math.round(s.width * s.ratio));
  const hpx = Math.max(1, Math.round(s.height * s.ratio));
  if (!surface.image || surface.image.width !== wpx || surface.image.height !== hpx) {
    surface.image = ctx.createImageData(wpx, hpx);
    surface.pixels = new Uint32Array(surface.image.data.buffer, surface.image.data.byteOffset, wpx * hpx);
  }
  const pixels = surface.pixels!;
  pixels.fill(packColour(p.background));
  const palette = s.style.palette;
  const colours = Uint32Array.from(palette, packColour);
  const dimmed = Uint32Array.from(palette, (c) => packColour(mixColour(c, p.background, 0.6)));
  const drawn = splatPoints(pixels, wpx, hpx, s, colours, dimmed);
  ctx.putImageData(surface.image, 0, 0);

  if (s.origin) {
    const o = toScreen(s.view, s.width, s.height, 0, 0);
    ctx.strokeStyle = p.axis;
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    if (o.x >= 0 && o.x <= s.width) {
      ctx.moveTo(Math.round(o.x) + 0.5, 0);
      ctx.lineTo(Math.round(o.x) + 0.5, s.height);
    }
    if (o.y >= 0 && o.y <= s.height) {
      ctx.moveTo(0, Math.round(o.y) + 0.5);
      ctx.lineTo(s.width, Math.round(o.y) + 0.5);
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (s.trajectory) drawTrajectory(ctx, s, s.trajectory, p.trajectory);
  const at = (i: number) => toScreen(s.view, s.width, s.height, s.x[i]!, s.y[i]!);
  if (s.hover >= 0 && s.hover !== s.current) ring(ctx, at(s.hover), 5, p.hover, p.background);
  if (s.current >= 0) ring(ctx, at(s.current), 8, p.current, p.background);
  if (s.lasso && s.lasso.length > 1) {
    ctx.beginPath();
    ctx.moveTo(s.lasso[0]!.x, s.lasso[0]!.y);
    for (let k = 1; k < s.lasso.length; k++) ctx.lineTo(s.lasso[k]!.x, s.lasso[k]!.y);
    ctx.closePath();
    ctx.globalAlpha = 0.12;
    ctx.fillStyle = p.lasso;
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = p.lasso;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([5, 3]);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  return drawn;
}

/** The trajectory as one polyline (non-finite points break it); thin and translucent so the dots stay readable. */
function drawTrajectory(ctx: CanvasRenderingContext2D, s: ScatterScene, t: { x: ArrayLike<number>; y: ArrayLike<number> }, colour: string) {
  const n = Math.min(t.x.length, t.y.length);
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < n; i++) {
    const x = t.x[i]!;
    const y = t.y[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    const q = toScreen(s.view, s.width, s.height, x, y);
    if (pen) ctx.lineTo(q.x, q.y);
    else ctx.moveTo(q.x, q.y);
    pen = true;
  }
  ctx.strokeStyle = colour;
  ctx.globalAlpha = 0.7;
  ctx.lineWidth = 1;
  ctx.stroke();
  ctx.globalAlpha = 1;
}

/** The theme's colours where the canvas sits, with the dark theme's values as fallbacks. */
export function readScatterPalette(el: Element): ScatterPalette {
  const style = getComputedStyle(el);
  const css = (name: string, fallback: string) => {
    const v = style.getPropertyValue(name).trim();
    return /^#[0-9a-f]{6}$/i.test(v) ? v : fallback;
  };
  return {
    background: css('--bg', '#0f1216'),
    axis: css('--border', '#2c343f'),
    trajectory: css('--warning', '#f5b942'),
    current: css('--text', '#e6eaf0'),
    hover: css('--accent', '#4ea1ff'),
    lasso: css('--accent', '#4ea1ff'),
  };
}
