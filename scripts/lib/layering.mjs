// The layering rule of ARCHITECTURE.md, in one place: eslint.config.js applies it to .ts files and
// scripts/check-imports.mjs to the <script> blocks of .svelte files. Each layer names the imports its
// files may not use: package patterns ('node:*', 'electron') and `**/<folder>/**` for a process folder.
export const upper = (...folders) => folders.map((f) => `**/${f}/**`);

export const LAYERS = [
  {
    folders: ['src/shared'],
    banned: ['node:*', 'electron', 'svelte', 'svelte/*', 'better-sqlite3', 'onnxruntime-node', '@tensorflow/*', 'ws', ...upper('core', 'main', 'worker', 'server', 'renderer', 'cli', 'preload')],
    message: 'src/shared holds plain contracts: nothing platform-specific.',
  },
  {
    folders: ['src/renderer'],
    banned: ['node:*', 'electron', 'better-sqlite3', 'onnxruntime-node', '@tensorflow/*', 'ws', ...upper('core', 'main', 'worker', 'server', 'cli', 'preload')],
    message: 'The renderer talks only to AppApi (src/shared).',
  },
  {
    folders: ['src/core', 'src/worker'],
    banned: ['electron', ...upper('main', 'server', 'renderer', 'cli', 'preload')],
    message: 'core and worker run under plain Node: no Electron, no process above them.',
  },
];
