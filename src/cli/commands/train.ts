/** `latentwatch train --video ID|FILE`: train, calibrate and score a model. */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { MAX_CONDITION_FRAMES, MAX_MIXTURE_COMPONENTS, TRAINING_BACKENDS, type TrainingBackend } from '../../shared/domain.js';
import { num, parseKind, parseLikelihood, posInt, UsageError } from '../args.js';
import { openStore, resolveVideo, withSignal } from '../library.js';
import { progressPrinter } from '../output.js';

export async function cmdTrain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      db: { type: 'string' }, video: { type: 'string' }, kind: { type: 'string' }, epochs: { type: 'string' }, backend: { type: 'string' }, workers: { type: 'string' },
      latent: { type: 'string' }, likelihood: { type: 'string' }, 'max-frames': { type: 'string' }, 'target-fpr': { type: 'string' }, 'batch-size': { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' },
      parent: { type: 'string' }, components: { type: 'string' }, 'condition-frames': { type: 'string' }, 'no-mask': { type: 'boolean' },
    },
  });
  if (!values.video) throw new UsageError('train needs --video ID|FILE');
  const kind = parseKind(values.kind);
  // What a kind takes comes from the model-kind registry, the same answer the app gives.
  const { DEFAULT_KIND, kindTakesOption } = await import('../../core/models/registry.js');
  if (values.components !== undefined && !kindTakesOption(kind ?? DEFAULT_KIND, 'mixtureComponents')) throw new UsageError("--components is for --kind gmvae (the mixture prior's K)");
  if (values['condition-frames'] !== undefined && !kindTakesOption(kind ?? DEFAULT_KIND, 'conditionFrames'))
    throw new UsageError('--condition-frames is for --kind cvae (how many earlier frames each frame is predicted from)');
  const backend = values.backend;
  if (backend && !(TRAINING_BACKENDS as readonly string[]).includes(backend)) throw new UsageError(`--backend ${backend}: choose one of ${TRAINING_BACKENDS.join(', ')}`);
  const { store, dbPath } = openStore(values.db);
  try {
    const videoId = await resolveVideo(store, values.video, !!values.json);
    const { trainModel } = await import('../../core/engine/train-model.js');
    const r = await withSignal((signal) =>
      trainModel(
        store,
        {
          videoId,
          ...(kind ? { kind } : {}),
          checkpointDir: join(dirname(dbPath), 'checkpoints'),
          epochs: num('epochs', values.epochs, posInt),
          latentDim: num('latent', values.latent, posInt),
          maxFrames: num('max-frames', values['max-frames'], posInt),
          targetFpr: num('target-fpr', values['target-fpr'], z.number().positive().max(0.5)),
          batchSize: num('batch-size', values['batch-size'], posInt),
          workers: num('workers', values.workers, z.number().int().min(1).max(64)),
          ...(values.likelihood ? { likelihood: parseLikelihood(values.likelihood) } : {}),
          seed: num('seed', values.seed, z.number().int().min(0)),
          parentModelId: num('parent', values.parent, posInt),
          mixtureComponents: num('components', values.components, z.number().int().min(1).max(MAX_MIXTURE_COMPONENTS)),
          conditionFrames: num('condition-frames', values['condition-frames'], z.number().int().min(1).max(MAX_CONDITION_FRAMES)),
          ...(values['no-mask'] ? { useIgnoreMask: false } : {}),
          ...(backend ? { backend: backend as TrainingBackend } : {}),
        },
        { signal, onProgress: progressPrinter(!!values.json) },
      ),
    );
    if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
    if (values.json) console.log(JSON.stringify(r));
    else
      console.log(
        `Model ${r.modelId}: trained on ${r.backend}${r.device ? ` (${r.device}${r.workers ? `, ${r.workers} thread${r.workers === 1 ? '' : 's'}` : ''})` : ''} in ${r.trainSeconds.toFixed(1)} s (${r.trainFramesPerSec.toFixed(1)} frames/s, ${r.epochs} epochs, best ${r.bestEpoch + 1}); alarm threshold ${r.threshold.toFixed(2)}`,
      );
    return 0;
  } finally {
    store.close();
  }
}
