/**
 * dist:desktop where the local Electron parts are missing: it must stop before doing anything, with one
 * line naming what to provide. The whole pipeline with a stand-in Electron (scripts/test-desktop.mjs,
 * several minutes: it compiles better-sqlite3) runs with LW_TEST_DESKTOP=1 or `npm run test:desktop`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const script = join(root, 'scripts', 'dist-desktop.mjs');
const envWithout = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env = { ...process.env, ...extra };
  if (!('ELECTRON_DIST' in extra)) delete env.ELECTRON_DIST;
  if (!('ELECTRON_HEADERS' in extra)) delete env.ELECTRON_HEADERS;
  return env;
};

describe('dist:desktop preflight', () => {
  it('stops with one line naming ELECTRON_DIST and ELECTRON_HEADERS when neither is given', () => {
    const r = spawnSync(process.execPath, [script], { cwd: root, env: envWithout(), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dist:desktop: cannot build the desktop installers offline; provide ELECTRON_DIST=.*electron-v\d+\.\d+\.\d+-linux-x64\.zip.*ELECTRON_HEADERS=.*node-v\d+\.\d+\.\d+-headers\.tar\.gz/);
  });

  it('says which folder lacks what when the given folders are wrong', () => {
    const empty = mkdtempSync(join(tmpdir(), 'lw-empty-'));
    try {
      const r = spawnSync(process.execPath, [script, '--dir'], { cwd: root, env: envWithout({ ELECTRON_DIST: empty, ELECTRON_HEADERS: empty }), encoding: 'utf8' });
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`ELECTRON_DIST=${empty} has no electron`);
      expect(lines[0]).toContain(`ELECTRON_HEADERS=${empty} has no include/node/node.h`);
      expect(lines[0]).not.toMatch(/AppImage|fpm/); // --dir needs no installer tools
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  const full = process.env.LW_TEST_DESKTOP === '1';
  it.skipIf(!full)(full ? 'packs the app with a stand-in Electron, offline' : 'skipped: the full dist:desktop run with a stand-in Electron takes minutes (LW_TEST_DESKTOP=1 or npm run test:desktop)', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'test-desktop.mjs')], { cwd: root, encoding: 'utf8', timeout: 1_200_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 1_300_000);
});
