/** Where the Electron executable is, or null: ELECTRON_OVERRIDE_DIST_PATH (a folder holding it) or the installed electron package. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export function electronBinary(): string | null {
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (dist) {
    const exe = join(dist, process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
    return existsSync(exe) ? exe : null;
  }
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

/** The binary the `_electron` specs launch; where there is none they are skipped, and this one line says why. */
export const ELECTRON_BINARY = electronBinary();
if (!ELECTRON_BINARY) console.log('[electron e2e] skipped: no Electron binary (set ELECTRON_OVERRIDE_DIST_PATH to a folder holding one).');
