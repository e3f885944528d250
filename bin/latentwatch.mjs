#!/usr/bin/env node
// Runs the built CLI (out/main/cli.js, made by `npm run build`, which `npm ci` runs through `prepare`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'main', 'cli.js');
if (!existsSync(built)) {
  console.error(`latentwatch: the app is not built (no ${built}). Run \`npm run build\` in ${root}.`);
  process.exit(1);
}
await import(pathToFileURL(built).href);
