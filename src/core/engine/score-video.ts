/**
 * Score every stored frame of a video with a ready model of any kind: the kind's driver opens its
 * scorer (src/core/models/) and the one scoring pass (scoring/pass.ts) streams the frames through it,
 * writes each batch's components, latents and combined score, then finds the event spans with the
 * model's calibrated thresholds. A failed or canceled run removes what it wrote.
 */
import { kindDriver } from '../models/registry.js';
import { checkScorable, scoreModelVideo, type ScoreVideoHooks, type ScoreVideoResult } from '../scoring/score-model.js';
import { getParsedModel } from '../models/records.js';
import { modelBlobs } from '../store/models.js';
import type { Store } from '../store/store.js';

export type { ScoreVideoHooks, ScoreVideoResult };

export async function scoreVideo(store: Store, modelId: number, videoId: number, hooks: ScoreVideoHooks = {}): Promise<ScoreVideoResult> {
  const model = getParsedModel(store, modelId);
  checkScorable(store, model, videoId);
  const scorer = await kindDriver(model.kind).openScorer(model, modelBlobs(store, modelId).onnx, hooks.threads ? { threads: hooks.threads } : {});
  return scoreModelVideo(store, model, videoId, scorer, hooks);
}
