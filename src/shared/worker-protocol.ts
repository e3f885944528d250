import type { IngestOptions, JobError, JobProgress, TrainRequest } from './domain.js';

/** What a worker thread is asked to do. */
export type JobSpec =
  | { kind: 'ingest'; dbPath: string; path: string; options: IngestOptions }
  | { kind: 'train'; dbPath: string; checkpointDir: string; videoId: number; options: TrainRequest }
  | { kind: 'score'; dbPath: string; modelId: number; videoId: number }
  /** A UMAP layout of a video's latent means (seconds of CPU for long videos: kept off the main process). */
  | { kind: 'project-umap'; dbPath: string; modelId: number; videoId: number; options: { seed?: number; epochs?: number; fitLimit?: number; nNeighbors?: number } };

export type MainToWorker = { type: 'start'; jobId: string; spec: JobSpec } | { type: 'cancel'; jobId: string };

export type WorkerToMain =
  | { type: 'progress'; jobId: string; progress: JobProgress }
  | { type: 'succeeded'; jobId: string; result: unknown }
  | { type: 'failed'; jobId: string; error: JobError }
  | { type: 'canceled'; jobId: string };
