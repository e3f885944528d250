/**
 * The same import flow in the real desktop shell. Needs an Electron binary: ELECTRON_OVERRIDE_DIST_PATH
 * (a folder with the electron executable) or an installed electron package. Where there is none
 * (as on build machines that cannot download it) the spec is skipped with one line saying why.
 */
import type { ElectronApplication } from '@playwright/test';
import { join } from 'node:path';
import { expect, makeClip, test } from '../fixtures.js';
import { ELECTRON_BINARY, launchWithFile } from './electron-app.js';

const binary = ELECTRON_BINARY;

test.describe('desktop shell', () => {
  test.skip(!binary, 'no Electron binary on this machine (set ELECTRON_OVERRIDE_DIST_PATH)');
  let app: ElectronApplication;

  test.afterEach(async () => app?.close());

  test('imports a clip through the native file dialog and shows its thumbnails', async ({ dataDir }, testInfo) => {
    const clip = makeClip(join(dataDir, 'Lobby cam – ü 1.mp4'), 6);
    app = await launchWithFile(dataDir, clip);
    const page = await app.firstWindow();
    await page.getByTestId('import-choose').click();
    const card = page.getByTestId('video-card').first();
    await expect(card).toHaveAttribute('data-status', 'ready');
    await expect(card.getByTestId('thumbnail')).toHaveCount(8);
    // The page has no Node: only window.api.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    await page.screenshot({ path: testInfo.outputPath('electron-library.png') });
  });
});
