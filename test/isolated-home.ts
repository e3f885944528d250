/**
 * The test runners' own home: vitest and Playwright call this from their config, so every test, and
 * every process a test starts (the CLI, `latentwatch serve`, Chromium), sees a fresh empty HOME and
 * data folder instead of the machine's. A suite that passes only beside someone's
 * ~/.local/share/LatentWatch (or a leftover LATENTWATCH_DB) would fail for a new user.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function isolateHome(runner: string): string {
  if (process.env.LW_TEST_HOME) return process.env.LW_TEST_HOME; // already isolated (a child runner)
  const home = mkdtempSync(join(tmpdir(), `lw-${runner}-home-`));
  Object.assign(process.env, {
    LW_TEST_HOME: home,
    HOME: home,
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    LATENTWATCH_HOME: join(home, 'latentwatch'),
  });
  delete process.env.LATENTWATCH_DB;
  process.on('exit', () => rmSync(home, { recursive: true, force: true }));
  return home;
}
