// Lint: typed rules that catch real bugs (floating promises), type-only imports, and the layering
// rule of ARCHITECTURE.md (scripts/lib/layering.mjs): shared imports nothing platform-specific;
// renderer imports only shared; core and worker never import Electron or the processes above them.
// .svelte files are not parsed here: scripts/check-imports.mjs applies the same layering to their
// <script> blocks and fails on import circles (`npm run lint` runs both).
import tseslint from 'typescript-eslint';
import { LAYERS } from './scripts/lib/layering.mjs';

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
  ...LAYERS.map((l) => ({ files: l.folders.map((f) => `${f}/**/*.ts`), rules: restrict(l.banned, l.message) })),
);
