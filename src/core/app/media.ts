/**
 * Media served to the renderer: the same routes behind Electron's lw-media:// protocol and browser
 * mode's /media/ path. `frame/<videoId>/<index>.png` is a stored frame as PNG.
 */
import { AppError } from '../../shared/envelope.js';
import { encodePng } from '../media/png.js';
import type { Store } from '../store/store.js';

export interface MediaResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

const FRAME = /^frame\/(\d{1,12})\/(\d{1,12})\.png$/;

export function serveMedia(store: Store, route: string): MediaResponse {
  const m = FRAME.exec(route);
  if (!m) return { status: 404, contentType: 'text/plain', body: Buffer.from(`No media at ${route.slice(0, 100)}`) };
  try {
    const f = store.framePixels(Number(m[1]), Number(m[2]));
    return { status: 200, contentType: 'image/png', body: encodePng(f.data, f.size, f.size, f.channels) };
  } catch (e) {
    if (e instanceof AppError && e.name === 'NotFoundError') return { status: 404, contentType: 'text/plain', body: Buffer.from(e.message) };
    throw e;
  }
}
