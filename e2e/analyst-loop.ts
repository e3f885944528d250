/**
 * The whole analyst loop, shared by the browser-mode spec (Debian's Chromium against `latentwatch
 * serve`) and the `_electron` spec (the real desktop shell): train a tiny model on an imported clip,
 * see its events on the change timeline, label the first one a nuisance (a false alarm), fine-tune,
 * and check through the UI's comparison and through the API that the labelled span now scores lower.
 *
 * The clip is the app's own generated demo scene (a road with walkers; later a vehicle crossing the
 * grass and a covered lens). Which of those the tiny model flags first is the model's business: the
 * test labels whatever event the timeline shows first, as an analyst dismissing a false alarm would.
 */
import { expect, type Page, type TestInfo } from '@playwright/test';

/** Calls one AppApi method the way the page does (HTTP with the token, or window.api in Electron). */
export type ApiCall = <T>(method: string, ...args: unknown[]) => Promise<T>;

interface Series {
  combined: number[];
  threshold: number;
}
interface Model {
  id: number;
  status: string;
  parentId: number | null;
}
interface Label {
  startIdx: number;
  endIdx: number;
  cls: string;
}

/** Epochs of the first, from-scratch model: enough for the demo scene at 32 px, a few seconds on 2 cores. */
export const TINY_EPOCHS = 4;

export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Mean of the combined score over a span, as a multiple of the model's own threshold (versions are calibrated apart). */
function spanLevel(s: Series, l: Label): number {
  let sum = 0;
  for (let i = l.startIdx; i <= l.endIdx; i++) sum += s.combined[i]!;
  return sum / (l.endIdx - l.startIdx + 1) / s.threshold;
}

/**
 * From a library holding one ready video (`videoName`) to a fine-tuned version whose score over the
 * labelled false alarm is lower than its parent's. Returns the two model ids.
 */
export async function runAnalystLoop(page: Page, api: ApiCall, testInfo: TestInfo): Promise<{ parent: number; child: number }> {
  // ── Train a tiny model from the training panel ─────────────────────────────────────────────────
  const training = page.getByTestId('training-panel');
  await training.getByTestId('train-advanced').locator('summary').click();
  await training.getByTestId('train-epochs').fill(String(TINY_EPOCHS));
  await training.getByTestId('training-start').click();
  const versions = training.getByTestId('model-version');
  await expect(versions).toHaveCount(1, { timeout: 30_000 });
  // Training ends with calibration and scoring of the training video: the review panel then has a timeline.
  const review = page.getByTestId('review-panel');
  const timeline = review.getByTestId('change-timeline');
  await expect(timeline).toBeVisible({ timeout: 180_000 });
  const models = await api<Model[]>('listModels');
  const parent = models.find((m) => m.status === 'ready')!;
  expect(parent).toBeTruthy();
  const video = (await api<{ id: number }[]>('listVideos'))[0]!;

  // ── Events on the timeline ─────────────────────────────────────────────────────────────────────
  const events = await api<{ startIdx: number; endIdx: number }[]>('listEvents', parent.id, video.id);
  expect(events.length, 'the tiny model should flag at least one event in the demo scene').toBeGreaterThan(0);
  await expect(review.getByTestId('threshold-readout')).toContainText(`${events.length} event`);
  await shot(page, testInfo, '1-trained-timeline');

  // ── Jump to the first event ( ] ) and label it a nuisance ( U ) ──────────────────────────────
  await timeline.focus();
  await page.keyboard.press('Home');
  await expect(timeline).toHaveAttribute('aria-valuenow', '0');
  await page.keyboard.press(']');
  const first = events[0]!;
  await expect(timeline).toHaveAttribute('aria-valuenow', String(first.startIdx));
  // The frame view shows the source frame, its reconstruction and the heatmap of this frame.
  await expect(review.getByTestId('frame-original')).toBeVisible();
  await expect(review.getByTestId('frame-recon')).toBeVisible();
  await page.keyboard.press('u');
  const item = review.getByTestId('label-item');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('nuisance');
  const labels = await api<Label[]>('listLabels', video.id);
  expect(labels).toMatchObject([{ startIdx: first.startIdx, endIdx: first.endIdx, cls: 'nuisance' }]);
  const label = labels[0]!;
  await shot(page, testInfo, '2-false-alarm-labelled');

  // ── Fine-tune from that model on the labels (the review panel's retrain button) ──────────────
  await review.getByTestId('finetune-start').click();
  await expect(versions).toHaveCount(2, { timeout: 30_000 });
  await expect
    .poll(async () => (await api<Model[]>('listModels')).find((m) => m.parentId === parent.id)?.status, { timeout: 300_000, intervals: [2_000] })
    .toBe('ready');
  const child = (await api<Model[]>('listModels')).find((m) => m.parentId === parent.id)!;
  await expect(training.locator(`[data-testid="model-version"][data-model-id="${child.id}"]`).getByTestId('model-parent')).toContainText(`#${parent.id}`);

  // ── Before/after in the comparison: fewer false-alarm frames on the labelled span ─────────────
  await training.getByTestId(`compare-pick-${parent.id}`).check();
  await training.getByTestId(`compare-pick-${child.id}`).check();
  await training.getByTestId('compare-run').click();
  await expect(training.getByTestId('compare-row')).toHaveCount(2);
  // Nuisance frames still flagged, each version at its own threshold.
  const cell = (id: number) => training.locator(`[data-testid="compare-row"][data-model-id="${id}"] td[data-metric="nuisance"]`);
  const before = Number(await cell(parent.id).getAttribute('data-flagged'));
  const after = Number(await cell(child.id).getAttribute('data-flagged'));
  expect(before, 'the parent raised the labelled false alarm').toBeGreaterThan(0);
  expect(after).toBeLessThan(before);
  await shot(page, testInfo, '3-compare-after-fine-tune');

  // ── And the span's score itself dropped, relative to each version's own threshold ─────────────
  const [sParent, sChild] = await Promise.all([api<Series>('getScores', parent.id, video.id), api<Series>('getScores', child.id, video.id)]);
  const levelBefore = spanLevel(sParent, label);
  const levelAfter = spanLevel(sChild, label);
  testInfo.annotations.push({ type: 'span score / threshold', description: `before ${levelBefore.toFixed(2)}, after ${levelAfter.toFixed(2)}` });
  expect(levelAfter).toBeLessThan(levelBefore);

  // The review panel can show the new version's timeline.
  await review.getByTestId('review-model').selectOption(String(child.id));
  await expect(review.getByTestId('change-timeline')).toBeVisible();
  await shot(page, testInfo, '4-fine-tuned-timeline');
  return { parent: parent.id, child: child.id };
}
