/**
 * A model's view of one stored frame, for every kind: its reconstruction and per-pixel squared error,
 * as the kind's driver shows it (src/core/models/<family>/; the network families through their ONNX
 * graph's recon and err_map outputs, the gray baselines from their fitted picture). A graph this app
 * cannot run (a kind it does not know) fails with NoReconstructionError.
 */
import { AppError } from '../../shared/envelope.js';
import { describeKind } from '../../shared/model-kinds.js';
import type { FrameViewer } from '../models/frame-view.js';
import { findDriver } from '../models/registry.js';
import { parseModelRecord } from '../models/records.js';
import { getModel, modelBlobs } from '../store/models.js';
import type { Store } from '../store/store.js';

export type { FrameModelView, FrameViewer } from '../models/frame-view.js';
export { pcaProjection } from '../models/baseline/scorer.js';

/** The viewer for a ready model of any kind. */
export async function openFrameViewer(store: Store, modelId: number): Promise<FrameViewer> {
  const m = getModel(store, modelId);
  const driver = findDriver(m.kind);
  if (!driver) throw new AppError('NoReconstructionError', `Model ${modelId} is a ${describeKind(m.kind).title}: this model kind has no reconstruction to show.`);
  return driver.openFrameViewer(parseModelRecord(m), modelBlobs(store, modelId));
}
