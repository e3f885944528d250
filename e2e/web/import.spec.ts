/** Browser mode in Debian's Chromium: import generated footage through the UI and see its thumbnails. */
import { join } from 'node:path';
import { expect, makeClip, test } from '../fixtures.js';
import { LibraryPage } from './library-page.js';

test('imports a clip through the path field and shows its thumbnails', async ({ page, app }, testInfo) => {
  const clip = makeClip(join(app.dataDir, 'Lobby cam – ü 1.mp4'), 6);
  const lib = new LibraryPage(page);
  await lib.open(app.openUrl);
  // The token is removed from the visible URL once the page has it.
  await expect(page).not.toHaveURL(/token=/);
  await expect(page.getByTestId('empty-library')).toBeVisible();

  await lib.importPath(clip);
  await expect(page.getByTestId('job-row').first()).toBeVisible();
  const card = lib.card('Lobby cam – ü 1.mp4');
  await expect(card).toHaveAttribute('data-status', 'ready');
  await expect(card.getByTestId('video-frames')).toContainText('60');
  const thumbs = lib.thumbnails(card);
  await expect(thumbs).toHaveCount(8);
  // Every thumbnail really loaded (a broken image has naturalWidth 0).
  await expect
    .poll(() => thumbs.evaluateAll((imgs) => imgs.every((i) => { const img = i as unknown as { complete: boolean; naturalWidth: number }; return img.complete && img.naturalWidth > 0; })))
    .toBe(true);
  await expect(page.getByTestId('job-row').first()).toHaveAttribute('data-state', 'succeeded');
  await page.screenshot({ path: testInfo.outputPath('library-after-import.png'), fullPage: true });
  await testInfo.attach('library-after-import', { path: testInfo.outputPath('library-after-import.png'), contentType: 'image/png' });
});

test('shows a clear error for a file that is not a video, and adds nothing', async ({ page, app }) => {
  const { writeFileSync } = await import('node:fs');
  const notes = join(app.dataDir, 'notes.mp4');
  writeFileSync(notes, 'not a video at all');
  const lib = new LibraryPage(page);
  await lib.open(app.openUrl);
  await lib.importPath(notes);
  const row = page.getByTestId('job-row').first();
  await expect(row).toHaveAttribute('data-state', 'failed');
  await expect(row.getByTestId('job-error')).toContainText('not a video');
  await expect(page.getByTestId('video-card')).toHaveCount(0);
});

test('refuses requests without the token', async ({ page, app, request }) => {
  const api = await request.post(`${app.url}api/listVideos`, { data: { args: [] } });
  expect(api.status()).toBe(401);
  expect((await api.json()) as unknown).toMatchObject({ ok: false, error: { name: 'UnauthorizedError' } });
  const res = await page.goto(app.url);
  expect(res?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('valid token is required');
});
