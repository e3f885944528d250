import type { AppApiMethod } from '../../../shared/api.js';
import { unwrapEnvelope, type Envelope } from '../../../shared/envelope.js';
import { createApiProxy } from './apiProxy.js';
import type { AppClient } from './client.js';
import { EventSocket } from './eventSocket.js';
import { takeSessionToken } from './sessionToken.js';

/** Header that carries the browser-mode access token on every request. */
export const TOKEN_HEADER = 'x-latentwatch-token';

export interface WebClientOptions {
  /** Defaults to the token from `?token=` / sessionStorage. */
  token?: string | null;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Injected for tests; defaults to the global WebSocket. */
  createSocket?: (url: string) => WebSocket;
}

const MISSING_TOKEN =
  'No access token. Open LatentWatch with the full address printed by `latentwatch serve` (it ends in ?token=…).';

/** AppClient for browser mode: AppApi over `POST /api/<method>`, events over one WebSocket. */
export function createWebClient(options: WebClientOptions = {}): AppClient {
  const token = options.token !== undefined ? options.token : takeSessionToken();
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  function authHeaders(): Record<string, string> {
    if (!token) throw new Error(MISSING_TOKEN);
    return { [TOKEN_HEADER]: token };
  }

  const api = createApiProxy(async (method: AppApiMethod, args: unknown[]) => {
    const response = await doFetch(`/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders() },
      body: JSON.stringify({ args: withoutTrailingUndefined(args) }),
    });
    return readEnvelope(response, method);
  });

  const events = new EventSocket({
    url: eventsUrl(token ?? ''),
    ...(options.createSocket ? { createSocket: options.createSocket } : {}),
  });

  return {
    ...api,
    mode: 'browser',
    on: (name, listener) => events.on(name, listener),
    onResync: (listener) => events.onResync(listener),
    frameUrl: (videoId, index) =>
      `/media/frame/${videoId}/${index}.png?token=${encodeURIComponent(token ?? '')}`,
    modelViewUrl: (view, modelId, videoId, index) =>
      `/media/${view}/${modelId}/${videoId}/${index}.png?token=${encodeURIComponent(token ?? '')}`,
    sourceFrameUrl: (videoId, index) => `/media/source/${videoId}/${index}.png?token=${encodeURIComponent(token ?? '')}`,
    exportUrl: (fileName) => `/media/export/${encodeURIComponent(fileName)}?token=${encodeURIComponent(token ?? '')}`,
    async uploadFile(file) {
      const response = await doFetch(`/upload?name=${encodeURIComponent(file.name)}`, {
        method: 'POST',
        headers: { 'content-type': file.type || 'application/octet-stream', ...authHeaders() },
        body: file,
      });
      const value = await readEnvelope(response, `upload of ${file.name}`);
      const path = (value as { path?: unknown } | null)?.path;
      if (typeof path !== 'string' || path === '') {
        throw new Error(`Upload of ${file.name} failed: the server answered without a file path.`);
      }
      return path;
    },
  };
}

function eventsUrl(token: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/events?token=${encodeURIComponent(token)}`;
}

/** JSON turns a trailing `undefined` into `null`, which the server's argument schemas reject. */
function withoutTrailingUndefined(args: unknown[]): unknown[] {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  return args.slice(0, end);
}

/** Read an Envelope from a response; a non-JSON body or a bare HTTP error becomes a clear Error. */
async function readEnvelope(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${what} failed: HTTP ${response.status} ${response.statusText}`.trim() + describeBody(text));
  }
  if (!isEnvelope(body)) {
    throw new Error(`${what} failed: HTTP ${response.status}, the server's answer was not an envelope.`);
  }
  return unwrapEnvelope(body);
}

function describeBody(text: string): string {
  const snippet = text.trim().slice(0, 200);
  return snippet ? `: ${snippet}` : ' (empty response)';
}

function isEnvelope(body: unknown): body is Envelope<unknown> {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  const env = body as { ok: unknown; error?: unknown };
  if (env.ok === true) return true;
  if (env.ok !== false || typeof env.error !== 'object' || env.error === null) return false;
  const error = env.error as { name?: unknown; message?: unknown };
  return typeof error.message === 'string' && typeof error.name === 'string';
}
