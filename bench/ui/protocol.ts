/** What the bench:ui page (bench/ui/main.ts) offers the driver (bench/ui.ts) as `globalThis.uiBench`. */

export interface Measured {
  /** Redraw time of each step (ms). */
  redraw: number[];
  /** Interval between consecutive animation frames during the sequence (ms). */
  frames: number[];
}

export interface UiBench {
  info: () => { frames: number; points: number; events: number; devicePixelRatio: number; userAgent: string };
  timelineZoom: () => Promise<Measured>;
  timelinePan: () => Promise<Measured>;
  scatterZoom: () => Promise<Measured>;
  scatterPan: () => Promise<Measured>;
  queueStep: () => Promise<Measured>;
  queueScroll: () => Promise<Measured>;
}
