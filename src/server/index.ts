/**
 * Browser mode: the same AppApi over HTTP + WebSocket on 127.0.0.1, for headless lab machines and for
 * end-to-end tests where no Electron binary exists. Every request and socket needs the per-run token
 * (header, cookie set by the first page load, or ?token=), and foreign Host/Origin headers are refused
 * (DNS rebinding, cross-site requests).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Envelope } from '../shared/envelope.js';
import { handle } from '../core/app/handle.js';
import { serveMedia } from '../core/app/media.js';
import type { AppCore } from '../core/app/create-app.js';
import { DEFAULT_MAX_UPLOAD_BYTES, HttpError, saveUpload, type UploadLimits } from './upload.js';
import { staticContentType } from '../shared/static-types.js';

export { safeFileName } from './upload.js';

export interface ServerOptions {
  core: AppCore;
  /** Folder with the built renderer (index.html and assets). */
  staticDir: string;
  /** Where dropped files are saved before import. */
  uploadDir: string;
  port?: number;
  token?: string;
  log?: (msg: string) => void;
  /** Largest accepted upload in bytes (default DEFAULT_MAX_UPLOAD_BYTES). */
  maxUploadBytes?: number;
  /** Free bytes on the upload disk (tests inject a small number). */
  freeBytes?: UploadLimits['freeBytes'];
}

export interface RunningServer {
  url: string;
  /** URL including the token: what the analyst opens. */
  openUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const TOKEN_HEADER = 'x-latentwatch-token';
const COOKIE = 'lw_token';
const MAX_JSON_BYTES = 1 << 20;
/** connect-src names this server's own origin only (HTTP and its WebSocket), never any ws: host. */
const cspFor = (port: number) =>
  `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
/** The token cookie; a cookie that is not valid percent-encoding counts as no token (never a throw). */
export const cookieToken = (req: IncomingMessage): string | null => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k !== COOKIE || !v) continue;
    try {
      return decodeURIComponent(v);
    } catch {
      return null;
    }
  }
  return null;
};

/** The request's URL, or a 400 for one no browser would send (`//`, `http://[`). */
export function requestUrl(raw: string | undefined): URL {
  try {
    return new URL(raw ?? '/', 'http://127.0.0.1');
  } catch {
    throw new HttpError(400, 'BadRequestError', 'The request path is not a valid URL.');
  }
}

const sameToken = (a: string | null, b: string): boolean => {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function sendJson(res: ServerResponse, status: number, body: Envelope<unknown>): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': data.length, 'cache-control': 'no-store' });
  res.end(data);
}

const fail = (res: ServerResponse, status: number, name: string, message: string) => sendJson(res, status, { ok: false, error: { name, message } });

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_JSON_BYTES) throw Object.assign(new Error('The request body is too large.'), { status: 413 });
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw Object.assign(new Error('The request body is not valid JSON.'), { status: 400 });
  }
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const token = o.token ?? randomBytes(24).toString('base64url');
  const log = o.log ?? ((m: string) => console.log(m));
  const staticRoot = resolve(o.staticDir);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  /** Host, Origin and token; null when allowed, else [status, name, message]. */
  const refuse = (req: IncomingMessage, url: URL): [number, string, string] | null => {
    if (!allowedHosts().has(req.headers.host ?? '')) return [403, 'ForbiddenError', 'Requests must be addressed to 127.0.0.1 or localhost.'];
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return [403, 'ForbiddenError', `Requests from ${origin} are not allowed.`];
    const given = (req.headers[TOKEN_HEADER] as string | undefined) ?? cookieToken(req) ?? url.searchParams.get('token');
    if (!sameToken(given, token))
      return [401, 'UnauthorizedError', 'A valid token is required: open the URL (with ?token=...) that `latentwatch serve` printed.'];
    return null;
  };

  const serveStatic = async (res: ServerResponse, pathname: string, setCookie: boolean): Promise<void> => {
    let rel: string;
    try {
      rel = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
    } catch {
      return fail(res, 400, 'BadRequestError', 'The request path is not valid percent-encoding.');
    }
    const file = normalize(join(staticRoot, rel));
    if (!file.startsWith(staticRoot + sep)) return fail(res, 404, 'NotFoundError', 'Not found.');
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      const headers: Record<string, string | number> = {
        'content-type': staticContentType(extname(file)),
        'content-length': body.length,
        'content-security-policy': cspFor(port),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      };
      if (setCookie) headers['set-cookie'] = `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      if (rel === 'index.html') return fail(res, 500, 'NotBuiltError', `The UI is not built (no ${file}). Run \`npm run build\` first.`);
      fail(res, 404, 'NotFoundError', 'Not found.');
    }
  };

  const limits: UploadLimits = { maxBytes: o.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES, ...(o.freeBytes ? { freeBytes: o.freeBytes } : {}) };
  const upload = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = await saveUpload(req, o.uploadDir, url.searchParams.get('name'), limits);
    sendJson(res, 200, { ok: true, value: { path } });
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = requestUrl(req.url);
      const denied = refuse(req, url);
      if (denied) return fail(res, ...denied);
      const p = url.pathname;
      if (req.method === 'POST' && p.startsWith('/api/')) {
        const body = (await readJson(req)) as { args?: unknown } | null;
        const args = body && typeof body === 'object' && 'args' in body ? body.args : undefined;
        return sendJson(res, 200, await handle(o.core.api, p.slice('/api/'.length), args, log));
      }
      if (req.method === 'POST' && p === '/upload') return upload(req, res, url);
      if (req.method === 'GET' && p.startsWith('/media/')) {
        const m = await serveMedia(o.core.store, p.slice('/media/'.length), o.core.sessions, o.core.mediaDirs);
        res.writeHead(m.status, { 'content-type': m.contentType, 'content-length': m.body.length, 'cache-control': 'private, max-age=3600' });
        return res.end(m.body);
      }
      if (req.method === 'GET') return serveStatic(res, p, url.searchParams.has('token'));
      fail(res, 405, 'MethodNotAllowedError', `${req.method} is not allowed here.`);
    })().catch((e: Error & { status?: number }) => {
      const status = e instanceof HttpError ? e.status : (e.status ?? 500);
      if (status >= 500) log(`server: ${req.method} ${req.url?.split('?')[0]?.slice(0, 200)} failed: ${e.message}`);
      if (!res.headersSent) {
        // A refused upload: stop reading the rest of the body and close, so the client sees the answer.
        if (status === 413 || status === 507) res.setHeader('connection', 'close');
        fail(res, status, e instanceof HttpError || status < 500 ? e.name : 'ServerError', e.message);
      } else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  // No upgrade request may throw out of this handler: an exception here would end the process.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = requestUrl(req.url);
      const denied = url.pathname === '/events' ? refuse(req, url) : [404, 'NotFoundError', 'Not found.'];
      if (denied) {
        socket.end(`HTTP/1.1 ${denied[0]} ${denied[1]}\r\nConnection: close\r\n\r\n`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.on('error', () => ws.terminate());
        ws.on('close', () => sockets.delete(ws));
      });
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (status >= 500) log(`server: upgrade ${req.url?.slice(0, 200)} failed: ${(e as Error).message}`);
      socket.end(`HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Error'}\r\nConnection: close\r\n\r\n`);
    }
  });
  const offEvents = o.core.onEvent((event, payload) => {
    const msg = JSON.stringify({ event, payload: payload ?? null });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(msg);
  });

  await new Promise<void>((ok, bad) => {
    server.once('error', bad);
    server.listen(o.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    openUrl: `${url}?token=${encodeURIComponent(token)}`,
    port,
    token,
    close: async () => {
      offEvents();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
