/** `latentwatch serve`: browser mode on 127.0.0.1. */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { workerEntryBeside } from '../../core/jobs/worker-host.js';
import { defaultDbPath, packageRoot } from '../../core/paths.js';
import { num } from '../args.js';

export async function cmdServe(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, port: { type: 'string' }, import: { type: 'string', multiple: true }, 'max-upload-mb': { type: 'string' } } });
  const port = num('port', values.port, z.number().int().min(0).max(65535)) ?? 0;
  const maxMb = num('max-upload-mb', values['max-upload-mb'] ?? process.env.LATENTWATCH_MAX_UPLOAD_MB, z.number().positive().max(1024 * 1024));
  const dbPath = resolve(values.db ?? defaultDbPath());
  const root = packageRoot(import.meta.url);
  // The engine (TensorFlow.js, ONNX Runtime, the server) loads only for the commands that use it.
  const [{ createAppCore }, { startServer }] = await Promise.all([import('../../core/app/create-app.js'), import('../../server/index.js')]);
  const core = createAppCore({ dbPath, mode: 'browser', worker: workerEntryBeside(import.meta.url) });
  for (const line of core.recoveryReport) console.log(line);
  const server = await startServer({ core, staticDir: join(root, 'out', 'renderer'), uploadDir: join(core.dataDir, 'uploads'), port, ...(maxMb ? { maxUploadBytes: Math.round(maxMb * 1024 * 1024) } : {}) });
  for (const f of values.import ?? []) {
    const abs = resolve(f);
    if (core.store.listVideos().some((v) => v.path === abs && v.status === 'ready')) continue;
    await core.api.importVideo(abs);
  }
  console.log(`LatentWatch (browser mode) is serving ${dbPath}`);
  console.log(`Open: ${server.openUrl}`);
  const stop = () => {
    console.log('Stopping.');
    void server.close().then(() => {
      core.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => undefined);
}
