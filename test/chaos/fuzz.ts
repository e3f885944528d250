/**
 * A fuzz of browser mode's HTTP and WebSocket surface, against 127.0.0.1 only: odd paths, methods,
 * headers, cookies, upgrade requests, upload names and API bodies, sent as raw bytes (so nothing is
 * cleaned up by an HTTP client first). Counts answers by status, 5xx, and whether the server process
 * ended (the caller restarts it and counts).
 */
import { connect } from 'node:net';
import { mulberry32 } from '../../src/core/ml/prng.js';

/** Seeded PRNG (mulberry32, the engine's): a run can be repeated from its printed seed. */
export const rng = mulberry32;

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function randomText(r: () => number, max: number): string {
  const pools = ['abc', '../', '%', '%E0', '%A4%A', '%00', '%2f', '\u76e3', '\u00e9', '?', '#', '&', '=', '.', '//', ' ', '\\', '%ZZ', 'token=', '\uD83D\uDE00'];
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += pick(r, pools);
  return s;
}

const PATHS = [
  '//', '/%E0%A4%A', '/..%2f..%2fetc/passwd', '/api/', '/api/%00', '/api/listVideos', '/api/nope', '/api/deleteVideo', '/api/importVideo',
  '/media/source/1/0.png', '/media/frame/99999999999999/1.png', '/media/recon/1/1/1.png', '/media/export/..%2fx.mp4', '/media/%E0',
  '/upload', '/upload?name=..', '/upload?name=.', '/events', '/?token=x', '/index.html', '/assets/%E0%A4%A.js', 'http://[', '*',
];

export interface FuzzTarget {
  port: number;
  token: string;
}

export interface FuzzCounts {
  requests: number;
  byStatus: Record<string, number>;
  fiveXx: number;
  /** Requests that got no answer at all (connection dropped without a status line). */
  noAnswer: number;
  examples5xx: string[];
  /** 500s that only say the UI is not built (`npm run build`): a state of the checkout, not a fault. */
  notBuilt: number;
}

/** One raw request; resolves to the status code, or 0 when the connection closed without an answer. */
function send(port: number, data: Buffer, timeoutMs = 3000): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(data));
    let got = '';
    const done = () => {
      s.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      resolve({ status: m ? Number(m[1]) : 0, text: got.slice(0, 2000) });
    };
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      // The status line is enough, except for a 5xx, whose reason is read too.
      if (/^HTTP\/1\.[01] [1-4]\d\d/.test(got) || (/^HTTP\/1\.[01] 5/.test(got) && /\r\n\r\n[\s\S]*\}/.test(got))) done();
    });
    s.on('close', done);
    s.on('error', done);
    s.setTimeout(timeoutMs, done);
  });
}

/** Build one random request as raw bytes. */
export function randomRequest(r: () => number, t: FuzzTarget): { label: string; data: Buffer } {
  const upgrade = r() < 0.2;
  const method = upgrade ? 'GET' : pick(r, ['GET', 'POST', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD']);
  let path = r() < 0.6 ? pick(r, PATHS) : `/${randomText(r, 12)}`;
  if (r() < 0.3) path += `${path.includes('?') ? '&' : '?'}name=${randomText(r, 8)}`;
  if (r() < 0.05) path = '/' + 'a'.repeat(8000 + Math.floor(r() * 20000));
  const tokenMode = r();
  const headers: string[] = [];
  headers.push(`Host: ${r() < 0.85 ? `127.0.0.1:${t.port}` : pick(r, ['evil.example', '', `localhost:${t.port}`, 'x'.repeat(300)])}`);
  if (tokenMode < 0.45) headers.push(`X-LatentWatch-Token: ${t.token}`);
  else if (tokenMode < 0.6) headers.push(`X-LatentWatch-Token: ${randomText(r, 6)}`);
  if (r() < 0.3) headers.push(`Cookie: ${pick(r, ['lw_token=%E0', 'lw_token=', `lw_token=${encodeURIComponent(t.token)}`, `lw_token=${randomText(r, 6)}`, '=;=;lw_token', 'a=b; lw_token=%'])}`);
  if (r() < 0.2) headers.push(`Origin: ${pick(r, ['http://evil.example', 'null', `http://127.0.0.1:${t.port}`, randomText(r, 5)])}`);
  if (upgrade) headers.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${r() < 0.8 ? 'dGhlIHNhbXBsZSBub25jZQ==' : randomText(r, 4)}`);
  let body = Buffer.alloc(0);
  if (method === 'POST' || method === 'PUT') {
    const kind = r();
    body =
      kind < 0.3
        ? Buffer.from(JSON.stringify({ args: [pick(r, [null, -1, 1e308, 'x', {}, [], randomText(r, 5)]), pick(r, [{}, { size: -3 }, { fps: 'a' }, null])] }))
        : kind < 0.5
          ? Buffer.from(randomText(r, 20))
          : kind < 0.6
            ? Buffer.from('{"args":' + '['.repeat(5000))
            : Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
    headers.push(r() < 0.9 ? `Content-Length: ${body.length}` : 'Transfer-Encoding: chunked');
    if (headers[headers.length - 1]!.startsWith('Transfer')) body = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
  }
  const head = `${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`;
  return { label: `${method} ${path.slice(0, 80)}${upgrade ? ' (upgrade)' : ''}`, data: Buffer.concat([Buffer.from(head, r() < 0.5 ? 'utf8' : 'latin1'), body]) };
}

/**
 * Send `n` random requests (a few at a time). `ensureUp` is called before each batch and returns the
 * current target (restarting the server if it ended, which the caller counts).
 */
export async function fuzz(n: number, seed: number, ensureUp: () => Promise<FuzzTarget>, parallel = 4): Promise<FuzzCounts> {
  const r = rng(seed);
  const out: FuzzCounts = { requests: 0, byStatus: {}, fiveXx: 0, noAnswer: 0, examples5xx: [], notBuilt: 0 };
  while (out.requests < n) {
    const t = await ensureUp();
    const batch = Array.from({ length: Math.min(parallel, n - out.requests) }, () => randomRequest(r, t));
    const statuses = await Promise.all(batch.map((b) => send(t.port, b.data)));
    statuses.forEach(({ status: st, text }, i) => {
      out.requests++;
      if (st === 500 && text.includes('NotBuiltError')) {
        out.notBuilt++;
        return;
      }
      out.byStatus[st] = (out.byStatus[st] ?? 0) + 1;
      if (st === 0) out.noAnswer++;
      if (st >= 500) {
        out.fiveXx++;
        if (out.examples5xx.length < 5) out.examples5xx.push(`${st} ${batch[i]!.label}`);
      }
    });
  }
  return out;
}
