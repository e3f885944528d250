/**
 * Browser mode in Debian's Chromium: the whole analyst loop on the generated demo scene. Import →
 * train a tiny model → score → events on the timeline → label a false alarm nuisance → fine-tune →
 * that span's score drops. Screenshots of each step are attached to the report.
 */
import { join } from 'node:path';
import { runAnalystLoop, shot, type ApiCall } from '../analyst-loop.js';
import { makeClip, test, webApi } from '../fixtures.js';
import { LibraryPage } from './library-page.js';

test('the analyst loop: train, label a false alarm as nuisance, fine-tune, and its score drops', async ({ page, app, request }, testInfo) => {
  test.setTimeout(600_000);
  const api: ApiCall = webApi(request, app);
  const clip = makeClip(join(app.dataDir, 'Demo road cam ü.mp4'), 30);
  const lib = new LibraryPage(page);
  await lib.open(app.openUrl);
  await lib.importReady(clip, 32);
  await shot(page, testInfo, '0-imported');
  await runAnalystLoop(page, api, testInfo);
});
