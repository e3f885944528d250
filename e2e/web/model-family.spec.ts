/**
 * Browser mode: the model family in the UI on the generated demo scene. Train a mixture-prior VAE
 * (gmvae) chosen in the kind selector, colour the latent scatter by its mixture classes, look at what
 * it thinks normal looks like (prior samples and a traversal grid), paint an ignore region, and train
 * again: the new version records the mask and the heatmap outlines it.
 */
import type { Locator, Page } from '@playwright/test';
import { join } from 'node:path';
import { shot, type ApiCall } from '../analyst-loop.js';
import { expect, makeClip, test, webApi } from '../fixtures.js';
import { LibraryPage } from './library-page.js';

interface Model {
  id: number;
  kind: string;
  status: string;
  ignoreMask?: { rects: { x: number; y: number; width: number; height: number }[] } | null;
}

/** Every image in `images` really decoded (a broken one has naturalWidth 0). */
async function expectLoaded(images: Locator): Promise<void> {
  await expect
    .poll(() => images.evaluateAll((els) => els.length > 0 && els.every((e) => { const i = e as unknown as { complete: boolean; naturalWidth: number }; return i.complete && i.naturalWidth > 0; })))
    .toBe(true);
}

async function train(page: Page, kind: string, epochs: number): Promise<void> {
  const training = page.getByTestId('training-panel');
  await training.getByTestId('train-kind').selectOption(kind);
  const advanced = training.getByTestId('train-advanced');
  if (!(await advanced.evaluate((d) => (d as unknown as { open: boolean }).open))) await advanced.locator('summary').click();
  await training.getByTestId('train-epochs').fill(String(epochs));
  await training.getByTestId('training-start').click();
  // On the video under review (it has events there) the panel asks first.
  const confirm = training.getByTestId('training-confirm');
  await expect(confirm.or(training.getByTestId('training-notice'))).toBeVisible();
  if (await confirm.isVisible()) await confirm.click();
  await expect(training.getByTestId('training-notice')).toBeVisible();
}

test('gmvae from the kind selector, mixture classes in the scatter, generation, and an ignore region honoured by the next model', async ({ page, app, request }, testInfo) => {
  test.setTimeout(600_000);
  const api: ApiCall = webApi(request, app);
  const clip = makeClip(join(app.dataDir, 'Road cam.mp4'), 20);
  const lib = new LibraryPage(page);
  await lib.open(app.openUrl);
  await lib.importReady(clip, 32);

  // ── A mixture-prior VAE, chosen in the kind selector ────────────────────────────────────────────
  // 8 epochs, not 4: after 4 the encoder means of this 200-frame 32 px clip still sit inside one broad
  // component (its classes are argmax q(c|μ)), so "more than one class" then hung on float rounding:
  // it held where the spec was written and failed on a fresh machine, all 200 frames in class 0 (also
  // through the CLI). Measured here after 8 / 12 / 20 epochs: 122/17/0/61, 180/20/0/0, 180/20/0/0.
  await train(page, 'gmvae', 8);
  const review = page.getByTestId('review-panel');
  await expect(review.getByTestId('change-timeline')).toBeVisible({ timeout: 180_000 });
  const [gmvae] = await api<Model[]>('listModels');
  expect(gmvae).toMatchObject({ kind: 'gmvae', status: 'ready' });

  // Its classes colour the scatter (the option is only enabled for models with a mixture prior).
  const colour = review.getByTestId('scatter-colour');
  await expect(colour.locator('option[value="mixture"]')).toBeEnabled();
  await colour.selectOption('mixture');
  await expect(review.getByTestId('scatter-canvas')).toBeVisible();
  const projection = await api<{ mixtureClass: number[] | null; x: number[] }>('getLatentProjection', gmvae!.id, 1, 'pca');
  expect(projection.mixtureClass).toHaveLength(projection.x.length);
  // The collapse guard at work: even this tiny model on one fixed camera puts frames in more than one class.
  expect(new Set(projection.mixtureClass).size).toBeGreaterThan(1);
  await shot(page, testInfo, '1-gmvae-mixture-classes');

  // ── What normal looks like: prior samples from the mixture and a traversal grid ────────────────
  const training = page.getByTestId('training-panel');
  await training.getByTestId('show-generation').first().click();
  const generation = page.getByTestId('generation-panel');
  await expect(generation).toBeVisible();
  await expectLoaded(generation.getByTestId('sample-image'));
  await expectLoaded(generation.getByTestId('traversal-image'));
  const steps = Number(await generation.getByTestId('traversal-steps').inputValue());
  await expect(generation.getByTestId('traversal-image')).toHaveCount(steps * steps);
  await shot(page, testInfo, '2-what-normal-looks-like');

  // ── Paint an ignore region over the top-left corner and save it ──────────────────────────────────
  await review.getByTestId('paint-mask-toggle').click();
  const surface = review.getByTestId('mask-surface');
  const box = (await surface.boundingBox())!;
  await page.mouse.move(box.x + 2, box.y + 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.25, { steps: 5 });
  await page.mouse.up();
  await expect(review.getByTestId('mask-rect')).toHaveCount(1);
  await review.getByTestId('mask-save').click();
  await expect(review.getByTestId('mask-status')).toContainText('Retraining needed');
  const saved = await api<{ rects: unknown[] }>('getIgnoreMask', 1);
  expect(saved.rects).toHaveLength(1);
  await shot(page, testInfo, '3-ignore-region');
  await review.getByTestId('mask-done').click();

  // ── The next model leaves it out, and says so on its heatmap ─────────────────────────────────────
  await train(page, 'vae', 3);
  await expect
    .poll(async () => (await api<Model[]>('listModels')).find((m) => m.id !== gmvae!.id)?.status, { timeout: 240_000, intervals: [2_000] })
    .toBe('ready');
  const masked = (await api<Model[]>('listModels')).find((m) => m.id !== gmvae!.id)!;
  expect(masked.ignoreMask?.rects).toHaveLength(1);
  await review.getByTestId('review-model').selectOption(String(masked.id));
  await expect(review.getByTestId('heatmap-mask')).toBeVisible();
  await shot(page, testInfo, '4-masked-model-heatmap');
});
