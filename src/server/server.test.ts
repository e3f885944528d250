/** Browser mode's gatekeeping and transport: token, Host/Origin checks, API, events, uploads, media. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeSolidClip, tempDir } from '../../test/helpers.js';
import { createAppCore, type AppCore } from '../core/app/create-app.js';
import { workerEntryBeside } from '../core/jobs/worker-host.js';
import { startServer, TOKEN_HEADER, type RunningServer } from './index.js';

const tmp = tempDir();
let core: AppCore;
let srv: RunningServer;
const clip = join(tmp.dir, 'clip.mp4');

beforeAll(async () => {
  await makeSolidClip(clip, { frames: 12, fps: 6 });
  mkdirSync(join(tmp.dir, 'ui'));
  writeFileSync(join(tmp.dir, 'ui', 'index.html'), '<!doctype html><title>LatentWatch</title>');
  core = createAppCore({ dbPath: join(tmp.dir, 'lib.db'), mode: 'browser', worker: workerEntryBeside(import.meta.url) });
  srv = await startServer({ core, staticDir: join(tmp.dir, 'ui'), uploadDir: join(tmp.dir, 'uploads'), log: () => undefined });
});
afterAll(async () => {
  await srv.close();
  core.close();
  tmp.cleanup();
});

/** A raw request, so Host and Origin can be set freely. */
function raw(path: string, o: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, method: o.method ?? 'GET', headers: { host: `127.0.0.1:${srv.port}`, ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const call = (method: string, args: unknown[], headers: Record<string, string> = { [TOKEN_HEADER]: srv.token }) =>
  raw(`/api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ args }) });

describe('browser-mode server', () => {
  it('binds to 127.0.0.1 and prints a URL with the token', () => {
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(srv.openUrl).toContain(`token=${encodeURIComponent(srv.token)}`);
    expect(srv.token.length).toBeGreaterThanOrEqual(24);
  });

  it('refuses a request without the token, or with a wrong one', async () => {
    const attempts: Array<Record<string, string>> = [{}, { [TOKEN_HEADER]: 'wrong' }, { [TOKEN_HEADER]: srv.token.slice(1) }];
    for (const headers of attempts) {
      const r = await call('listVideos', [], headers);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { name: 'UnauthorizedError' } });
    }
    expect((await raw('/')).status).toBe(401);
    expect((await raw('/media/frame/1/0.png')).status).toBe(401);
  });

  it('refuses foreign Host and Origin headers even with the token', async () => {
    expect((await call('listVideos', [], { [TOKEN_HEADER]: srv.token, host: 'evil.example:80' })).status).toBe(403);
    expect((await call('listVideos', [], { [TOKEN_HEADER]: srv.token, origin: 'http://evil.example' })).status).toBe(403);
    expect((await call('listVideos', [], { [TOKEN_HEADER]: srv.token, origin: `http://127.0.0.1:${srv.port}` })).status).toBe(200);
  });

  it('serves the API with envelopes and validates arguments', async () => {
    expect(JSON.parse((await call('listVideos', [])).body)).toEqual({ ok: true, value: [] });
    expect(JSON.parse((await call('getVideo', ['x'])).body)).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    expect(JSON.parse((await call('nope', [])).body)).toMatchObject({ ok: false, error: { name: 'ValidationError' } });
    const bad = await raw('/api/listVideos', { method: 'POST', headers: { [TOKEN_HEADER]: srv.token }, body: '{not json' });
    expect(bad.status).toBe(400);
  });

  it('accepts the token as a cookie set by the first page load', async () => {
    const first = await raw(`/?token=${encodeURIComponent(srv.token)}`);
    const cookie = String((first.headers['set-cookie'] as string[] | undefined)?.[0] ?? '').split(';')[0]!;
    expect(cookie).toMatch(/^lw_token=/);
    expect((first.headers['set-cookie'] as string[])[0]).toMatch(/HttpOnly; SameSite=Strict/);
    expect(first.status).toBe(200);
    expect(first.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect((await call('listVideos', [], { cookie })).status).toBe(200);
  });

  it('refuses a WebSocket without the token, and pushes job events to one with it', async () => {
    const refused = new WebSocket(`ws://127.0.0.1:${srv.port}/events`);
    await expect(new Promise((ok, bad) => (refused.on('open', ok), refused.on('error', bad)))).rejects.toThrow(/401/);

    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/events?token=${encodeURIComponent(srv.token)}`);
    await new Promise((ok) => ws.on('open', ok));
    const got: Array<{ event: string; payload: { state?: string } | null }> = [];
    ws.on('message', (m: Buffer) => got.push(JSON.parse(m.toString()) as (typeof got)[number]));

    // Upload the clip as a browser would after a drop, then import the saved copy.
    const up = await raw(`/upload?name=${encodeURIComponent('../../drop me ü.mp4')}`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: srv.token },
      body: readFileSync(clip),
    });
    const saved = (JSON.parse(up.body) as { value: { path: string } }).value.path;
    expect(saved.startsWith(join(tmp.dir, 'uploads'))).toBe(true);
    expect(saved.endsWith('drop me ü.mp4')).toBe(true);
    const { value } = JSON.parse((await call('importVideo', [saved, { size: 8 }])).body) as { value: { jobId: string } };
    await core.jobs.wait(value.jobId);
    await new Promise((r) => setTimeout(r, 200));
    ws.close();
    expect(got.some((m) => m.event === 'job:update' && m.payload?.state === 'succeeded')).toBe(true);
    expect(got.some((m) => m.event === 'library:changed')).toBe(true);

    const [v] = core.store.listVideos();
    const png = await raw(`/media/frame/${v!.id}/3.png?token=${encodeURIComponent(srv.token)}`);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect((await raw(`/media/frame/${v!.id}/999.png`, { headers: { [TOKEN_HEADER]: srv.token } })).status).toBe(404);
  });

  it('does not serve files outside the UI folder', async () => {
    const r = await raw('/..%2f..%2fetc/passwd', { headers: { [TOKEN_HEADER]: srv.token } });
    expect(r.status).toBe(404);
  });
});
