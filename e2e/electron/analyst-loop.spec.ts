/**
 * The whole analyst loop in the real desktop shell (see e2e/analyst-loop.ts): import through the
 * native dialog, train a tiny model, label the first event a nuisance, fine-tune, and the span's
 * score drops. Needs an Electron binary (ELECTRON_OVERRIDE_DIST_PATH or an installed electron
 * package); where there is none the spec is skipped with one line saying why.
 */
import type { ElectronApplication } from '@playwright/test';
import { join } from 'node:path';
import { runAnalystLoop, shot, type ApiCall } from '../analyst-loop.js';
import { expect, makeClip, test } from '../fixtures.js';
import { ELECTRON_BINARY, launchWithFile } from './electron-app.js';

const binary = ELECTRON_BINARY;

test.describe('desktop shell: the analyst loop', () => {
  test.skip(!binary, 'no Electron binary on this machine (set ELECTRON_OVERRIDE_DIST_PATH)');
  let app: ElectronApplication;
  test.afterEach(async () => app?.close());

  test('train, label a false alarm as nuisance, fine-tune, and its score drops', async ({ dataDir }, testInfo) => {
    test.setTimeout(600_000);
    const clip = makeClip(join(dataDir, 'Demo road cam ü.mp4'), 30);
    app = await launchWithFile(dataDir, clip);
    const page = await app.firstWindow();
    // The page's own bridge: window.api, the only thing the preload exposes.
    const api: ApiCall = <T,>(method: string, ...args: unknown[]) =>
      page.evaluate(([m, a]) => (globalThis as unknown as { api: Record<string, (...x: unknown[]) => Promise<unknown>> }).api[m as string]!(...(a as unknown[])), [method, args] as const) as Promise<T>;
    await page.getByTestId('import-size').fill('32');
    await page.getByTestId('import-choose').click();
    await expect(page.getByTestId('video-card').first()).toHaveAttribute('data-status', 'ready');
    await shot(page, testInfo, '0-imported');
    await runAnalystLoop(page, api, testInfo);
  });
});
