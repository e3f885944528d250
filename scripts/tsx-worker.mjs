// Worker-thread bootstrap for running from TypeScript source (tests, `tsx src/cli/index.ts`):
// registers tsx in this thread, then loads the worker named by argv[2]. Built apps never use it.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';

register();
await import(pathToFileURL(process.argv[2]).href);
