/** Wire the engine for one process: open the store, recover from a crash, start the job registry. */
import { EventEmitter } from 'node:events';
import { dirname, join } from 'node:path';
import type { AppInfo } from '../../shared/domain.js';
import type { AppEventName, AppEvents } from '../../shared/events.js';
import { JobRegistry } from '../jobs/registry.js';
import { type WorkerEntry, WorkerJobRunner } from '../jobs/worker-host.js';
import { SqliteJobJournal } from '../jobs/journal.js';
import { removeInterruptedScores, removeUnfinishedModelList } from '../store/models.js';
import { Store } from '../store/store.js';
import { AppApiImpl, type EventSink } from './app-api-impl.js';
import { type MediaDirs, ModelSessions } from './media.js';
import { umapInWorker } from '../latent/umap-worker.js';

export interface AppCore {
  api: AppApiImpl;
  store: Store;
  jobs: JobRegistry;
  dbPath: string;
  dataDir: string;
  /** Every pushed event, for the transport to forward. */
  onEvent(listener: (name: AppEventName, payload: AppEvents[AppEventName] | undefined) => void): () => void;
  /** ONNX sessions for on-demand reconstructions and heatmaps. */
  sessions: ModelSessions;
  /** Where source frames are cached and exports written (for the media routes). */
  mediaDirs: MediaDirs;
  /** How many half-imported videos and unfinished models from a crashed run were removed at start. */
  recovered: number;
  /** What start-up recovery did, one line each, for the console (empty when nothing). */
  recoveryReport: string[];
  close(): void;
}

export interface CreateAppOptions {
  dbPath: string;
  mode: AppInfo['mode'];
  worker: WorkerEntry;
  pickFile?: () => Promise<string | null>;
}

export function createAppCore(o: CreateAppOptions): AppCore {
  const store = new Store(o.dbPath);
  const removed = { videos: store.removeInterruptedVideos(), models: removeUnfinishedModelList(store), scores: removeInterruptedScores(store) };
  const journal = new SqliteJobJournal(store);
  const interrupted = journal.recover(removed);
  const recoveryReport = [
    ...removed.videos.map((v) => `Removed the half-imported video ${v.name} (${v.id}) left by an interrupted run.`),
    ...removed.models.map((m) => `Removed the unfinished model ${m.id} left by an interrupted training${m.trainVideoId !== null ? ` on video ${m.trainVideoId}` : ''}.`),
    ...removed.scores.map((x) => `Removed the partial scores of model ${x.modelId} on video ${x.videoId} left by an interrupted scoring.`),
    ...interrupted.map((j) => `Job "${j.title}" was interrupted: it is listed as failed, with a retry.`),
  ];
  const jobs = new JobRegistry(new WorkerJobRunner(o.worker), 1, journal);
  jobs.restore(journal.load());
  const bus = new EventEmitter();
  const emit: EventSink = (name, ...payload) => bus.emit('event', name, payload[0]);
  jobs.onUpdate((job) => {
    emit('job:update', job);
    if (job.state !== 'succeeded') return;
    if (job.kind === 'ingest') emit('library:changed');
    else emit('models:changed');
  });
  const dataDir = dirname(o.dbPath);
  const sessions = new ModelSessions(store);
  const runUmap = umapInWorker(o.worker, o.dbPath);
  const api = new AppApiImpl({ store, jobs, dbPath: o.dbPath, dataDir, mode: o.mode, emit, runUmap, ...(o.pickFile ? { pickFile: o.pickFile } : {}) });
  // Another process importing into this library (a CLI ingest) may be killed: its half-import is
  // dropped within a few seconds, not only at the next start or the next library request.
  const sweep = setInterval(() => {
    try {
      api.dropDeadImports();
    } catch {
      // A busy or closed database: the next sweep tries again.
    }
  }, 5_000);
  sweep.unref();
  return {
    api,
    store,
    jobs,
    dbPath: o.dbPath,
    dataDir,
    recovered: removed.videos.length + removed.models.length,
    recoveryReport,
    sessions,
    mediaDirs: { cacheDir: join(dataDir, 'cache'), exportsDir: join(dataDir, 'exports') },
    onEvent(listener) {
      bus.on('event', listener);
      return () => bus.off('event', listener);
    },
    close() {
      clearInterval(sweep);
      jobs.cancelAll();
      void sessions.close();
      store.close();
    },
  };
}
