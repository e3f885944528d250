import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

// Native and optional packages stay external: they load from node_modules at run time.
const external = [
  'better-sqlite3',
  'onnxruntime-node',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-backend-wasm',
  '@ffmpeg-installer/ffmpeg',
  '@ffprobe-installer/ffprobe',
  'ffmpeg-static',
  'ws',
  'zod',
  'protobufjs',
  'electron',
];

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The worker and the CLI are entries of their own beside the Electron main process.
        input: {
          index: resolve('src/main/index.ts'),
          worker: resolve('src/worker/index.ts'),
          cli: resolve('src/cli/index.ts'),
          // trainVae's data-parallel helper threads (src/core/ml/vae/parallel.ts looks for it beside the bundle).
          'train-shard': resolve('src/core/ml/vae/shard-worker.ts'),
        },
        external,
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        external: ['electron'],
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    base: './',
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
