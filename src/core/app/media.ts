/**
 * Media served to the renderer: the same routes behind Electron's lw-media:// protocol and browser
 * mode's /media/ path.
 *   frame/<videoId>/<index>.png              a stored frame
 *   recon/<modelId>/<videoId>/<index>.png    the model's reconstruction of that frame
 *   heatmap/<modelId>/<videoId>/<index>.png  per-pixel reconstruction error, colour-mapped
 *   source/<videoId>/<index>.png             the frame taken from the source file at up to 960 px wide
 *   export/<fileName>                        a file written under the data folder's exports/ (clips)
 * Reconstructions and heatmaps are computed on demand for every model kind (model-views.ts: the
 * ONNX graph for networks, with the predecessor for a cvae; the projection or the background for the
 * pca and bgdiff baselines; viewers cached). A model kind without one answers 422 with the reason.
 * Source frames are cut with ffmpeg once and cached on disk.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../shared/envelope.js';
import { sourceFramePng } from '../media/cut.js';
import { encodePng } from '../media/png.js';
import type { Store } from '../store/store.js';
import { type FrameViewer, openFrameViewer } from './model-views.js';

export interface MediaResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

const FRAME = /^frame\/(\d{1,12})\/(\d{1,12})\.png$/;
const MODEL_VIEW = /^(recon|heatmap)\/(\d{1,12})\/(\d{1,12})\/(\d{1,12})\.png$/;
const SOURCE = /^source\/(\d{1,12})\/(\d{1,12})\.png$/;
/** Names exportClip writes: no separators, no dot-dot, so the route cannot leave exports/. */
const EXPORT = /^export\/([\p{L}\p{N}_-][\p{L}\p{N}_.-]{0,200}\.mp4)$/u;

/** Folders the media routes read from: the source-frame cache and the exports. */
export interface MediaDirs {
  cacheDir: string;
  exportsDir: string;
}

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

/** Viewers (ONNX sessions, fitted baselines) of the models the analyst is looking at (a few, least recently used dropped). */
export class ModelSessions {
  private readonly sessions = new Map<number, Promise<FrameViewer>>();
  constructor(private readonly store: Store, private readonly max = 2) {}

  get(modelId: number): Promise<FrameViewer> {
    let s = this.sessions.get(modelId);
    if (s) this.sessions.delete(modelId);
    else s = openFrameViewer(this.store, modelId);
    this.sessions.set(modelId, s);
    s.catch(() => this.sessions.delete(modelId));
    while (this.sessions.size > this.max) {
      const [oldest, p] = this.sessions.entries().next().value as [number, Promise<FrameViewer>];
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

export async function serveMedia(store: Store, route: string, sessions?: ModelSessions, dirs?: MediaDirs): Promise<MediaResponse> {
  try {
    route = decodeURIComponent(route);
    const src = SOURCE.exec(route);
    if (src && dirs) {
      const videoId = Number(src[1]);
      const v = store.getVideo(videoId);
      const info = store.frameInfo(videoId, Number(src[2]));
      const cached = join(dirs.cacheDir, 'source', `${videoId}-${v.contentHash.slice(0, 12)}-${info.index}.png`);
      const hit = await readFile(cached).catch(() => null);
      if (hit) return { status: 200, contentType: 'image/png', body: hit };
      await sourceFramePng(v.path, info.ptsSec, cached);
      return { status: 200, contentType: 'image/png', body: await readFile(cached) };
    }
    const ex = EXPORT.exec(route);
    if (ex && dirs && !ex[1]!.includes('..')) {
      const body = await readFile(join(dirs.exportsDir, ex[1]!)).catch(() => null);
      return body ? { status: 200, contentType: 'video/mp4', body } : notFound(`No exported file ${ex[1]}`);
    }
    const f = FRAME.exec(route);
    if (f) {
      const px = store.framePixels(Number(f[1]), Number(f[2]));
      return { status: 200, contentType: 'image/png', body: encodePng(px.data, px.size, px.size, px.channels) };
    }
    const m = MODEL_VIEW.exec(route);
    if (m && sessions) {
      const [, view, modelId, videoId, index] = m;
      const viewer = await sessions.get(Number(modelId));
      const out = await viewer.view(store, Number(videoId), Number(index));
      const S = out.size;
      if (view === 'recon') return { status: 200, contentType: 'image/png', body: encodePng(out.recon, S, S, out.channels) };
      const heat = new Uint8Array(S * S * 3);
      const own = out.heat;
      for (let i = 0; i < S * S; i++) heat.set(heatColour(own ? own.values[i]! / own.fullScale : Math.sqrt(out.errMap[i]!) / HEATMAP_FULL_SCALE), i * 3);
      return { status: 200, contentType: 'image/png', body: encodePng(heat, S, S, 3) };
    }
    return notFound(`No media at ${route.slice(0, 100)}`);
  } catch (e) {
    if (e instanceof AppError && (e.name === 'NotFoundError' || e.name === 'NotReadyError')) return notFound(e.message);
    if (e instanceof AppError && (e.name === 'NoReconstructionError' || e.name === 'FrameSizeError')) return { status: 422, contentType: 'text/plain', body: Buffer.from(e.message) };
    if (e instanceof URIError) return notFound('Malformed media path');
    throw e;
  }
}
