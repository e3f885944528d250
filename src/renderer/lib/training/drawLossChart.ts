/**
 * Canvas painter of the loss chart: the negative ELBO (loss), its reconstruction part and the
 * validation loss on the left axis, KL on its own right axis (it is often a hundred times smaller
 * than the reconstruction term, and would lie flat on a shared one).
 */
import type { ChartPoint } from './lossCurve.js';

export interface LossPalette {
  background: string;
  grid: string;
  text: string;
  loss: string;
  recon: string;
  kl: string;
  valLoss: string;
}

export type LossSeriesKey = 'loss' | 'recon' | 'kl' | 'valLoss';

export interface LossSeriesSpec {
  key: LossSeriesKey;
  label: string;
  axis: 'left' | 'right';
  dashed: boolean;
}

/** The series in legend order. */
export const LOSS_SERIES: readonly LossSeriesSpec[] = [
  { key: 'loss', label: 'Loss (−ELBO)', axis: 'left', dashed: false },
  { key: 'recon', label: 'Reconstruction', axis: 'left', dashed: false },
  { key: 'valLoss', label: 'Validation loss', axis: 'left', dashed: true },
  { key: 'kl', label: 'KL (right axis)', axis: 'right', dashed: false },
];

export interface Range {
  min: number;
  max: number;
}

export interface LossScales {
  x: Range;
  left: Range;
  right: Range;
}

export interface LossChartScene {
  /** Size in CSS pixels. */
  width: number;
  height: number;
  points: readonly ChartPoint[];
  /** What x counts: "steps" live, "epochs" for a finished model. */
  xLabel: string;
}

export const CHART_PAD = { left: 46, right: 42, top: 8, bottom: 18 } as const;
const GRID_LINES = 4;

const valueOf = (p: ChartPoint, key: LossSeriesKey): number => {
  const v = p[key];
  return v === null ? NaN : v;
};

function extent(values: Iterable<number>): Range | null {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return min <= max ? { min, max } : null;
}

/** A range with a little room above and below; a flat series gets a band around its value. */
function padded(r: Range | null): Range {
  if (!r) return { min: 0, max: 1 };
  const span = r.max - r.min;
  const pad = span > 0 ? span * 0.06 : Math.max(Math.abs(r.max) * 0.1, 1e-6);
  return { min: r.min - pad, max: r.max + pad };
}

/** The axes' ranges, or null when no point holds a finite loss yet. */
export function lossScales(points: readonly ChartPoint[]): LossScales | null {
  const left = extent(points.flatMap((p) => [p.loss, p.recon, valueOf(p, 'valLoss')]));
  if (!left) return null;
  const x = extent(points.map((p) => p.x)) ?? { min: 0, max: 1 };
  return {
    x: x.max > x.min ? x : { min: x.min - 1, max: x.max + 1 },
    left: padded(left),
    right: padded(extent(points.map((p) => p.kl))),
  };
}

export function plotArea(width: number, height: number): { x0: number; x1: number; y0: number; y1: number } {
  return { x0: CHART_PAD.left, x1: Math.max(CHART_PAD.left + 1, width - CHART_PAD.right), y0: CHART_PAD.top, y1: Math.max(CHART_PAD.top + 1, height - CHART_PAD.bottom) };
}

export function xToPx(x: number, s: LossScales, width: number, height: number): number {
  const a = plotArea(width, height);
  return a.x0 + ((x - s.x.min) / (s.x.max - s.x.min)) * (a.x1 - a.x0);
}

export function valueToPx(v: number, r: Range, width: number, height: number): number {
  const a = plotArea(width, height);
  return a.y1 - ((v - r.min) / (r.max - r.min)) * (a.y1 - a.y0);
}

/** Axis numbers with three significant digits: "1,230", "45.6", "0.00123". */
export function formatAxisValue(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (v === 0) return '0';
  return Number(v.toPrecision(3)).toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

function drawSeries(ctx: CanvasRenderingContext2D, scene: LossChartScene, scales: LossScales, spec: LossSeriesSpec, colour: string): void {
  const range = spec.axis === 'left' ? scales.left : scales.right;
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 1.5;
  ctx.setLineDash(spec.dashed ? [5, 3] : []);
  ctx.beginPath();
  let run = 0;
  let lone: { x: number; y: number } | null = null;
  const endRun = () => {
    // A point with no neighbour draws no line: mark it so it is seen.
    if (run === 1 && lone) ctx.fillRect(lone.x - 1.5, lone.y - 1.5, 3, 3);
    run = 0;
  };
  for (const p of scene.points) {
    const v = valueOf(p, spec.key);
    if (!Number.isFinite(v) || !Number.isFinite(p.x)) {
      endRun();
      continue;
    }
    const x = xToPx(p.x, scales, scene.width, scene.height);
    const y = valueToPx(v, range, scene.width, scene.height);
    if (run === 0) {
      ctx.moveTo(x, y);
      lone = { x, y };
    } else ctx.lineTo(x, y);
    run++;
  }
  endRun();
  ctx.stroke();
  ctx.setLineDash([]);
}

/** Paints the chart; with no finite loss yet, only the background. */
export function drawLossChart(ctx: CanvasRenderingContext2D, scene: LossChartScene, palette: LossPalette): void {
  const { width, height } = scene;
  ctx.fillStyle = palette.background;
  ctx.fillRect(0, 0, width, height);
  const scales = lossScales(scene.points);
  if (!scales) return;
  const area = plotArea(width, height);

  ctx.font = '10px system-ui, sans-serif';
  ctx.lineWidth = 1;
  ctx.strokeStyle = palette.grid;
  ctx.fillStyle = palette.text;
  ctx.textBaseline = 'middle';
  for (let i = 0; i <= GRID_LINES; i++) {
    const f = i / GRID_LINES;
    const y = Math.round(area.y1 - f * (area.y1 - area.y0)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(area.x0, y);
    ctx.lineTo(area.x1, y);
    ctx.stroke();
    ctx.textAlign = 'right';
    ctx.fillText(formatAxisValue(scales.left.min + f * (scales.left.max - scales.left.min)), area.x0 - 4, y);
    ctx.textAlign = 'left';
    ctx.fillText(formatAxisValue(scales.right.min + f * (scales.right.max - scales.right.min)), area.x1 + 4, y);
  }
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'left';
  ctx.fillText(formatAxisValue(scales.x.min), area.x0, height);
  ctx.textAlign = 'right';
  ctx.fillText(formatAxisValue(scales.x.max), area.x1, height);
  ctx.textAlign = 'center';
  ctx.fillText(scene.xLabel, (area.x0 + area.x1) / 2, height);

  // The loss last, on top: where KL is small it lies on the reconstruction curve and would hide under it.
  const order: LossSeriesKey[] = ['recon', 'kl', 'valLoss', 'loss'];
  for (const key of order) {
    const spec = LOSS_SERIES.find((s) => s.key === key)!;
    drawSeries(ctx, scene, scales, spec, palette[key]);
  }
}

/** The theme's colours where the canvas sits, with the dark theme's values as fallbacks. */
export function readLossPalette(el: Element): LossPalette {
  const style = getComputedStyle(el);
  const css = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    background: css('--bg', '#0f1216'),
    grid: css('--border', '#2c343f'),
    text: css('--text-muted', '#9aa5b4'),
    loss: css('--accent', '#4ea1ff'),
    recon: css('--success', '#3ecf8e'),
    kl: css('--warning', '#f5b942'),
    valLoss: css('--text', '#e6eaf0'),
  };
}
