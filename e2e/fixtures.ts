/**
 * Fixtures shared by the e2e specs: a fresh temporary data folder per test, generated footage, and
 * browser mode started through the real CLI (`latentwatch serve`), stopped afterwards.
 */
import { type APIRequestContext, test as base } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'bin', 'latentwatch.mjs');

/** Write a short demo clip with the app's own generator. */
export function makeClip(path: string, seconds = 4): string {
  const r = spawnSync(process.execPath, [CLI, 'demo', '--out', path, '--seconds', String(seconds)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`latentwatch demo failed: ${r.stderr}`);
  return path;
}

export interface BrowserApp {
  /** URL with ?token=. */
  openUrl: string;
  /** URL without the token. */
  url: string;
  dataDir: string;
}

export const test = base.extend<{ dataDir: string; app: BrowserApp }>({
  dataDir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'lw e2e ü-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  app: async ({ dataDir }, use) => {
    const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--db', join(dataDir, 'latentwatch.db')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const openUrl = await new Promise<string>((ok, bad) => {
      const timer = setTimeout(() => bad(new Error(`latentwatch serve did not start:\n${log}`)), 30_000);
      const onData = (d: Buffer) => {
        log += d.toString();
        const m = /Open: (\S+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          ok(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      child.on('exit', (code) => bad(new Error(`latentwatch serve exited ${code}:\n${log}`)));
    });
    await use({ openUrl, url: openUrl.split('?')[0]!, dataDir });
    child.kill('SIGTERM');
  },
});

/** Calls one AppApi method of browser mode over HTTP with the run's token (what the page's client does). */
export function webApi(request: APIRequestContext, app: BrowserApp): <T>(method: string, ...args: unknown[]) => Promise<T> {
  const token = new URL(app.openUrl).searchParams.get('token')!;
  return async <T,>(method: string, ...args: unknown[]) => {
    const res = await request.post(`${app.url}api/${method}`, { data: { args }, headers: { 'x-latentwatch-token': token } });
    const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
    if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
    return body.value as T;
  };
}

export { expect } from '@playwright/test';
