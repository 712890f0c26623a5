// Lint: typescript-eslint's recommended rules plus the import boundary of DESIGN.md §2:
// domain/ and services/ import no framework and no driver.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const drivers = [
  'fastify', 'fastify/*', '@fastify/*', 'better-sqlite3', 'pg', 'kysely', '@duckdb/*', 'pino',
  'commander', 'jose', '@nats-io/*', 'kafkajs', 'node:http', 'node:https', 'node:fs', 'node:fs/promises',
  'node:net', 'node:child_process', '**/store/**', '**/api/**', '**/cli/**', '**/queue/**', '**/stream/**',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'coverage/**', 'docs/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/services/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: drivers, message: 'domain/ and services/ must not import a framework or driver (DESIGN.md §2)' }] }],
    },
  },
);
