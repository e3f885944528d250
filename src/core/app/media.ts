/**
 * Media served to the renderer: the same routes behind Electron's lw-media:// protocol and browser
 * mode's /media/ path.
 *   frame/<videoId>/<index>.png              a stored frame
 *   recon/<modelId>/<videoId>/<index>.png    the model's reconstruction of that frame
 *   heatmap/<modelId>/<videoId>/<index>.png  per-pixel reconstruction error, colour-mapped
 * Reconstructions and heatmaps are computed on demand with the model's ONNX graph (sessions cached).
 */
import { AppError } from '../../shared/envelope.js';
import { OnnxVaeScorer } from '../ml/onnx/runtime.js';
import { encodePng } from '../media/png.js';
import { modelBlobs } from '../store/models.js';
import type { Store } from '../store/store.js';

export interface MediaResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

const FRAME = /^frame\/(\d{1,12})\/(\d{1,12})\.png$/;
const MODEL_VIEW = /^(recon|heatmap)\/(\d{1,12})\/(\d{1,12})\/(\d{1,12})\.png$/;

/** RMS error (0..1 intensity units) at which the heatmap saturates. */
export const HEATMAP_FULL_SCALE = 0.25;

/** A perceptual dark-to-bright ramp (black, purple, orange, yellow) for error maps. */
export function heatColour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  const stops: Array<[number, number, number]> = [[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]];
  const f = x * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(f));
  const u = f - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * u), Math.round(a[1] + (b[1] - a[1]) * u), Math.round(a[2] + (b[2] - a[2]) * u)];
}

/** ONNX sessions of the models the analyst is looking at (a few, least recently used dropped). */
export class ModelSessions {
  private readonly sessions = new Map<number, Promise<OnnxVaeScorer>>();
  constructor(private readonly store: Store, private readonly max = 2) {}

  get(modelId: number): Promise<OnnxVaeScorer> {
    let s = this.sessions.get(modelId);
    if (s) this.sessions.delete(modelId);
    else s = OnnxVaeScorer.create(modelBlobs(this.store, modelId).onnx, { threads: 1 });
    this.sessions.set(modelId, s);
    s.catch(() => this.sessions.delete(modelId));
    while (this.sessions.size > this.max) {
      const [oldest, p] = this.sessions.entries().next().value as [number, Promise<OnnxVaeScorer>];
      this.sessions.delete(oldest);
      void p.then((x) => x.dispose()).catch(() => undefined);
    }
    return s;
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((x) => x.dispose()).catch(() => undefined)));
  }
}

const notFound = (msg: string): MediaResponse => ({ status: 404, contentType: 'text/plain', body: Buffer.from(msg) });

export async function serveMedia(store: Store, route: string, sessions?: ModelSessions): Promise<MediaResponse> {
  try {
    const f = FRAME.exec(route);
    if (f) {
      const px = store.framePixels(Number(f[1]), Number(f[2]));
      return { status: 200, contentType: 'image/png', body: encodePng(px.data, px.size, px.size, px.channels) };
    }
    const m = MODEL_VIEW.exec(route);
    if (m && sessions) {
      const [, view, modelId, videoId, index] = m;
      const px = store.framePixels(Number(videoId), Number(index));
      const scorer = await sessions.get(Number(modelId));
      if (scorer.inputSize !== px.size) return notFound(`Model ${modelId} takes ${scorer.inputSize}x${scorer.inputSize} frames; this video is stored at ${px.size}x${px.size}.`);
      const out = await scorer.run(px.data, 1, { full: true });
      const n = px.size * px.size;
      if (view === 'recon') {
        const rgb = Uint8Array.from(out.recon!, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
        return { status: 200, contentType: 'image/png', body: encodePng(rgb, px.size, px.size, px.channels) };
      }
      const heat = new Uint8Array(n * 3);
      for (let i = 0; i < n; i++) heat.set(heatColour(Math.sqrt(out.errMap![i]!) / HEATMAP_FULL_SCALE), i * 3);
      return { status: 200, contentType: 'image/png', body: encodePng(heat, px.size, px.size, 3) };
    }
    return notFound(`No media at ${route.slice(0, 100)}`);
  } catch (e) {
    if (e instanceof AppError && (e.name === 'NotFoundError' || e.name === 'NotReadyError')) return notFound(e.message);
    throw e;
  }
}
