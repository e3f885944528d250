/**
 * Where the desktop window may go, as pure functions (tested without Electron). The renderer is served
 * from the privileged app:// scheme (never file://); the window never navigates, redirects or frames
 * anywhere else; links leave the app only through the system browser, at once for a short allowlist of
 * documentation hosts, after asking for any other https address, and never for other schemes.
 */
import { extname, join, normalize, sep } from 'node:path';
import { staticContentType } from '../shared/static-types.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'latentwatch';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Hosts opened in the system browser without asking (documentation the app links to). */
export const EXTERNAL_ALLOWLIST: ReadonlySet<string> = new Set(['github.com', 'ffmpeg.org', 'www.electronjs.org']);

/** CSP of the desktop window: every fetch and socket only to the app's own origin. */
export const DESKTOP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: lw-media:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const parse = (url: string): URL | null => {
  try {
    return new URL(url);
  } catch {
    return null;
  }
};

/** Whether `url` is one of the app's own pages (app://latentwatch/..., or the dev server in `electron-vite dev`). */
export function isAppUrl(url: string, devServerUrl?: string): boolean {
  if (devServerUrl) {
    const dev = parse(devServerUrl);
    const u = parse(url);
    return !!dev && !!u && u.origin === dev.origin;
  }
  const u = parse(url);
  return !!u && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
}

/** What to do with a link the page tries to open: open it, ask first, or refuse. */
export function externalDecision(url: string): 'open' | 'ask' | 'deny' {
  const u = parse(url);
  if (!u || u.protocol !== 'https:' || u.username || u.password) return 'deny';
  return EXTERNAL_ALLOWLIST.has(u.hostname) ? 'open' : 'ask';
}

/** The file under `root` that an app:// URL names, with its type; null for anything outside root or malformed. */
export function appFileFor(url: string, root: string): { file: string; contentType: string } | null {
  const u = parse(url);
  if (!u || u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname === '/' ? '/index.html' : u.pathname).slice(1);
  } catch {
    return null;
  }
  const file = normalize(join(root, rel));
  if (!file.startsWith(normalize(root) + sep)) return null;
  return { file, contentType: staticContentType(extname(file)) };
}
