/** The library as the commands open it, videos given by id or file, and Ctrl-C as an abort signal. */
import { resolve } from 'node:path';
import { ingestVideo } from '../core/media/ingest.js';
import { defaultDbPath } from '../core/paths.js';
import { removeUnfinishedModels } from '../core/store/models.js';
import { Store } from '../core/store/store.js';
import { progressPrinter } from './output.js';

/** A video given as an id in the library, or as a file (imported first unless already there). */
export async function resolveVideo(store: Store, ref: string, quiet: boolean): Promise<number> {
  if (/^\d+$/.test(ref)) return store.getVideo(Number(ref)).id;
  const abs = resolve(ref);
  const existing = store.listVideos().find((v) => v.path === abs && v.status === 'ready');
  if (existing) return existing.id;
  if (!quiet) process.stderr.write(`Importing ${abs}\n`);
  return (await ingestVideo(store, abs, {}, { onProgress: progressPrinter(quiet) })).videoId;
}

export function withSignal<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  return fn(ac.signal).finally(() => {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  });
}

export function openStore(db: string | undefined): { store: Store; dbPath: string } {
  const dbPath = resolve(db ?? defaultDbPath());
  const store = new Store(dbPath);
  store.recoverInterrupted();
  removeUnfinishedModels(store);
  return { store, dbPath };
}
