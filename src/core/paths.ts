/** Where things live on disk: the default database, and the package's own folders. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** LATENTWATCH_DB, else LATENTWATCH_HOME/latentwatch.db, else the platform's per-user data folder. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LATENTWATCH_DB) return env.LATENTWATCH_DB;
  if (env.LATENTWATCH_HOME) return join(env.LATENTWATCH_HOME, 'latentwatch.db');
  const home = homedir();
  const base =
    process.platform === 'win32'
      ? (env.APPDATA ?? join(home, 'AppData', 'Roaming'))
      : process.platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : (env.XDG_DATA_HOME ?? join(home, '.local', 'share'));
  return join(base, 'LatentWatch', 'latentwatch.db');
}

/** The folder holding package.json, found upward from a module's URL (works from source and from out/). */
export function packageRoot(importMetaUrl: string): string {
  let dir = dirname(fileURLToPath(importMetaUrl));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** True when the package at `root` is an unpacked bundle (`npm run bundle` marks its package.json). */
export function isBundle(root: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { latentwatch?: { bundle?: unknown } };
    return typeof pkg.latentwatch?.bundle === 'string';
  } catch {
    return false;
  }
}

/**
 * Where `latentwatch demo` writes by default: resources/demo/ of a source checkout; in a bundle the data
 * folder (beside the library), since a bundle's install folder is only read.
 */
export function defaultDemoPath(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return isBundle(root) ? join(dirname(defaultDbPath(env)), 'demo', 'demo.mp4') : join(root, 'resources', 'demo', 'demo.mp4');
}
