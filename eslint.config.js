// Lint: typed rules that catch real bugs (floating promises), type-only imports, and the layering
// rule of ARCHITECTURE.md: shared imports nothing platform-specific; renderer imports only shared;
// core and worker never import Electron or the processes above them.
import tseslint from 'typescript-eslint';

const upper = (...folders) => folders.map((f) => `**/${f}/**`);
const restrict = (patterns, message) => ({ 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] });

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'artifacts/**', '**/*.svelte', '**/*.mjs', '**/*.js', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict(['node:*', 'electron', 'svelte', 'svelte/*', 'better-sqlite3', 'onnxruntime-node', '@tensorflow/*', 'ws', ...upper('core', 'main', 'worker', 'server', 'renderer', 'cli', 'preload')], 'src/shared holds plain contracts: nothing platform-specific.'),
  },
  {
    files: ['src/renderer/**/*.ts'],
    rules: restrict(['node:*', 'electron', 'better-sqlite3', 'onnxruntime-node', '@tensorflow/*', 'ws', ...upper('core', 'main', 'worker', 'server', 'cli', 'preload')], 'The renderer talks only to AppApi (src/shared).'),
  },
  {
    files: ['src/core/**/*.ts', 'src/worker/**/*.ts'],
    rules: restrict(['electron', ...upper('main', 'server', 'renderer', 'cli', 'preload')], 'core and worker run under plain Node: no Electron, no process above them.'),
  },
);
