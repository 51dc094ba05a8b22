import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------
// The layout's boundaries. Imports are relative, so each rule is a pattern on the import's text;
// for a folder under src/, `../x/` (any number of `../`) names the top-level src/x or x/.

/** An import of one of these folders, by a relative path. */
const folders = (...names) => `^(\\.\\./)+(${names.join('|')})/`;

/** src/ is the library: the processes in workers/, the benchmarks and the tests build on it, not the other way round. */
const SRC = {
  regex: folders('workers', 'bench', 'test'),
  message: 'src/ may not import workers/, bench/ or test/: they build on src/. Hand what src/ needs in (see src/cli/runtime.ts).',
};

/** The metadata store is the bottom layer: everything above may use it, it uses none of them. */
const STORE = {
  regex: folders('providers', 'notifiers', 'sensors', 'operators', 'engine', 'api', 'cli'),
  message: 'src/store/ may not import providers, notifiers, sensors, operators, the engine, the API or the CLI; shared Postgres helpers belong in src/pg/.',
};

/** The authoring API and the pure core run anywhere (DAG files, the browser bundle): no I/O. */
const PURE = {
  regex: folders('store', 'queue', 'engine', 'api', 'cli', 'providers', 'notifiers', 'sensors', 'operators', 'pg', 'loader'),
  message: 'src/core/ and src/sdk/ are pure: no store, queue, engine, API, CLI, providers, notifiers, sensors, operators, pg or loader.',
};
const PURE_PACKAGES = ['pg', 'ioredis', 'bullmq', 'express', 'mongodb', 'node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:child_process'].map((name) => ({
  name,
  message: 'src/core/ and src/sdk/ are pure: no I/O.',
}));

/**
 * The notifiers are what DAG files import to send a callback's news (sluice/notifiers): they
 * build on the authoring API and the core alone, so that loading one never opens Sluice's own
 * database or queues.
 */
const NOTIFIERS = {
  regex: folders('store', 'queue', 'engine', 'api', 'cli', 'providers', 'pg', 'loader'),
  message: 'src/notifiers/ may use src/core/ and src/sdk/ only: no store, queue, engine, API, CLI, providers, pg or loader.',
};

/**
 * The ready sensors are what DAG files import to wait on the world (sluice/sensors): they read
 * Sluice's store (a run's state), and use the providers' clients and the notifiers' option checks,
 * but never the engine, the queues or the processes that run them.
 */
const SENSORS = {
  regex: folders('queue', 'engine', 'operators', 'api', 'cli', 'loader'),
  message: 'src/sensors/ may use src/core, src/sdk, src/store, src/providers and src/notifiers\' checks: no queue, engine, operators, API, CLI or loader.',
};

/**
 * The operators are task functions for DAG files (sluice/operators) that act on Sluice itself:
 * triggerDag makes a run through the engine's own action, as the API does. They are driven by
 * task code, so they never reach for the API, the CLI, the queues or the loader.
 */
const OPERATORS = {
  regex: folders('queue', 'api', 'cli', 'loader'),
  message: 'src/operators/ may use src/core, src/sdk, src/store, src/engine and src/sensors: no queue, API, CLI or loader.',
};

/**
 * Traces are told of ends by the engine (src/tracing/traces.ts) and read runs back from the store:
 * they never reach for the engine or the processes that report to them.
 */
const TRACING = {
  regex: folders('engine', 'queue', 'api', 'cli', 'loader', 'providers', 'notifiers', 'sensors', 'operators'),
  message: 'src/tracing/ may use src/core and src/store only: the engine and the processes report to it, not the other way round.',
};

/** The engine is driven by the API and the CLI, never the reverse. */
const ENGINE = { regex: folders('api', 'cli'), message: 'src/engine/ may not import the API or the CLI: they call the engine.' };

/**
 * The UI is bundled for the browser: it may use the pure src/core as code, and the rest of src/
 * (the API's schemas, the store's records) only for their types, which leave nothing in the bundle.
 */
const UI = {
  regex: '^(\\.\\./){2,}src/(?!core/)',
  allowTypeImports: true,
  message: 'ui/src may import from src/ (other than src/core) only with `import type`: the rest is server code.',
};

/** The rule for files under `files`; flat config replaces a rule's options, so each list is whole. */
const boundary = (files, patterns, paths = []) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns, paths }] },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'ui/vendor/**', 'test/.tmp/**', 'bench/.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  boundary(['src/**/*.ts'], [SRC]),
  boundary(['src/store/**/*.ts'], [SRC, STORE]),
  boundary(['src/core/**/*.ts', 'src/sdk/**/*.ts'], [SRC, PURE], PURE_PACKAGES),
  boundary(['src/notifiers/**/*.ts'], [SRC, NOTIFIERS]),
  boundary(['src/sensors/**/*.ts'], [SRC, SENSORS]),
  boundary(['src/operators/**/*.ts'], [SRC, OPERATORS]),
  boundary(['src/engine/**/*.ts'], [SRC, ENGINE]),
  boundary(['src/tracing/**/*.ts'], [SRC, TRACING]),
  boundary(['ui/src/**/*.ts', 'ui/src/**/*.tsx'], [UI]),
);
