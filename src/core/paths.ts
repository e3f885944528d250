/** Where things live on disk: the default database, and the package's own folders. */
import { existsSync } from 'node:fs';
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
