/**
 * The event review queue in browser mode: a clip scored by a fast model (pca), every event reviewed
 * from the keyboard (J next, R reviewed), one labelled (U nuisance), and after a reload the queue
 * still says so. Then an accessibility check of the review page (axe: no serious or critical issue).
 * Screenshots of each step are attached to the report.
 */
import AxeBuilder from '@axe-core/playwright';
import { join } from 'node:path';
import { shot } from '../analyst-loop.js';
import { expect, makeClip, test, webApi } from '../fixtures.js';
import { LibraryPage } from './library-page.js';

interface Model {
  id: number;
  status: string;
}

test('review every event of a scored clip from the keyboard; the state survives a reload', async ({ page, app, request }, testInfo) => {
  test.setTimeout(300_000);
  const api = webApi(request, app);
  const clip = makeClip(join(app.dataDir, 'queue clip.mp4'), 30);
  const lib = new LibraryPage(page);
  await lib.open(app.openUrl);
  await lib.importReady(clip, 32);
  const video = (await api<{ id: number }[]>('listVideos'))[0]!;
  // the pca kind trains in a second; its job calibrates and scores the clip too.
  await api('trainModel', video.id, { kind: 'pca' });
  await expect.poll(async () => (await api<Model[]>('listModels'))[0]?.status, { timeout: 120_000, intervals: [1_000] }).toBe('ready');
  const model = (await api<Model[]>('listModels'))[0]!;
  // A threshold below the calibrated one, so the queue holds several events: stored for the model
  // through the API the page uses when the analyst drags it, and found again after the reload below.
  const calibrated = (await api<{ threshold: number }>('getScores', model.id, video.id)).threshold;
  let threshold = calibrated;
  let events: { startFrame: number; endFrame: number; peakFrame: number }[] = [];
  for (const f of [1, 0.8, 0.65, 0.5, 0.4, 0.3]) {
    threshold = calibrated * f;
    events = JSON.parse((await api<{ content: string }>('exportEvents', model.id, video.id, 'json', threshold)).content).events;
    if (events.length >= 3) break;
  }
  expect(events.length, 'the demo scene at a lowered threshold should give a few events').toBeGreaterThan(1);
  await api('setReviewThreshold', model.id, threshold);
  await page.reload();

  const review = page.getByTestId('review-panel');
  const queue = review.getByTestId('event-queue');
  const progress = queue.getByTestId('queue-progress');
  await expect(progress).toHaveText(`0 of ${events.length} reviewed`, { timeout: 60_000 });
  await expect(queue.getByTestId('queue-row').first()).toBeVisible();
  await expect(review.getByTestId('threshold-readout')).toContainText(`Threshold ${threshold.toFixed(2)}`);
  await shot(page, testInfo, 'queue-0-scored');

  // ── Every event from the keyboard: J opens the next, R marks it reviewed; U labels the first ─────
  await page.locator('body').click({ position: { x: 2, y: 2 } });
  for (const [k, e] of events.entries()) {
    await page.keyboard.press('j');
    const row = queue.locator(`[data-testid="queue-row"][data-peak="${e.peakFrame}"]`);
    await expect(row).toHaveAttribute('aria-selected', 'true');
    if (k === 0) {
      await page.keyboard.press('u');
      await expect(row.getByTestId('queue-row-label')).toHaveText('nuisance');
      await shot(page, testInfo, 'queue-1-first-labelled');
    }
    await page.keyboard.press('r');
    await expect(row).toHaveAttribute('data-reviewed', 'true');
    await expect(progress).toHaveText(`${k + 1} of ${events.length} reviewed`);
  }
  await shot(page, testInfo, 'queue-2-all-reviewed');

  // ── Reload: the reviewed marks and the label are kept (SQLite), and the filter hides them all ───
  await page.reload();
  await expect(progress).toHaveText(`${events.length} of ${events.length} reviewed`, { timeout: 60_000 });
  const first = queue.locator(`[data-testid="queue-row"][data-peak="${events[0]!.peakFrame}"]`);
  await expect(first.getByTestId('queue-row-label')).toHaveText('nuisance');
  await expect(review.getByTestId('threshold-readout')).toContainText(`Threshold ${threshold.toFixed(2)}`);
  expect((await api<{ reviewedPeaks: number[] }>('getReviewState', model.id, video.id)).reviewedPeaks).toEqual(events.map((e) => e.peakFrame));
  await queue.getByTestId('queue-filter-unreviewed').check();
  await expect(queue.getByTestId('queue-row')).toHaveCount(0);
  await expect(queue.getByTestId('queue-empty')).toBeVisible();
  await shot(page, testInfo, 'queue-3-after-reload');

  // ── Accessibility of the whole page with the review open ─────────────────────────────────────
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  await testInfo.attach('axe-violations.json', { body: JSON.stringify(result.violations, null, 2), contentType: 'application/json' });
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes[0]?.target.join(' ')}`)).toEqual([]);
});
