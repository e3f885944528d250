/**
 * The desktop shell for the `_electron` specs: where the Electron executable is (or null), and a
 * launch on a fresh library whose native file dialog answers with a given file.
 */
import { _electron as electron, type ElectronApplication } from '@playwright/test';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ROOT } from '../fixtures.js';

/** Where the Electron executable is, or null: ELECTRON_OVERRIDE_DIST_PATH (a folder holding it) or the installed electron package. */
export function electronBinary(): string | null {
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (dist) {
    const exe = join(dist, process.platform === 'win32' ? 'electron.exe' : process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
    return existsSync(exe) ? exe : null;
  }
  try {
    // The electron package downloads its binary when first required without one (Electron 45's
    // index.js): look for the path file its install writes first, so a machine without it stays offline.
    const req = createRequire(import.meta.url);
    if (!existsSync(join(dirname(req.resolve('electron/package.json')), 'path.txt'))) return null;
    const p = req('electron') as unknown;
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

/** The binary the `_electron` specs launch; where there is none they are skipped, and this one line says why. */
export const ELECTRON_BINARY = electronBinary();
if (!ELECTRON_BINARY) console.log('[electron e2e] skipped: no Electron binary (set ELECTRON_OVERRIDE_DIST_PATH to a folder holding one).');

/** Starts the app on a library in `dataDir`; its Open dialog picks `file` (a test cannot click a native dialog). */
export async function launchWithFile(dataDir: string, file: string): Promise<ElectronApplication> {
  const app = await electron.launch({
    executablePath: ELECTRON_BINARY!,
    args: [ROOT, '--no-sandbox'],
    env: { ...process.env, LATENTWATCH_DB: join(dataDir, 'latentwatch.db') } as Record<string, string>,
  });
  await app.evaluate(({ dialog }, path) => {
    dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [path] })) as typeof dialog.showOpenDialog;
  }, file);
  return app;
}
