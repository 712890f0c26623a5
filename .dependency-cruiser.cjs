// Import boundaries of DESIGN.md §2, checked by `npm run lint` (tools/check-boundaries.ts, which
// also finds import cycles between the folders of src/, something these module rules cannot say).
// Unit tests (*.test.ts) are not cruised: a test may wire whatever it exercises.

/** Frameworks and drivers: the domain and the use cases import none of them. */
const DRIVERS = '(^|/node_modules/)(fastify|better-sqlite3|pg|kysely|pino|commander|jose|kafkajs|@fastify/[^/]+|@duckdb/[^/]+|@nats-io/[^/]+)(/|$)';
const IO_CORE = '^(fs|fs/promises|http|https|net|child_process)$';

module.exports = {
  forbidden: [
    {
      name: 'no-runtime-cycle',
      comment: 'Modules import each other in no cycle at run time (type-only imports aside): shared helpers go to a leaf module.',
      severity: 'error',
      from: { path: '^(src|tools)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'kql-imports-no-store',
      comment: 'The KQL engine compiles to SQL and knows no store; the stores call it, never the reverse.',
      severity: 'error',
      from: { path: '^src/kql/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'domain-imports-no-other-folder',
      comment: 'domain/ is the bottom layer: types, ids, errors, ports.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(?!domain/)' },
    },
    {
      name: 'domain-and-services-import-no-driver',
      comment: 'domain/ and services/ import no framework, no driver and no adapter (they reach them through ports).',
      severity: 'error',
      from: { path: '^src/(domain|services)/' },
      to: { path: [DRIVERS, IO_CORE, '^src/(store|api|cli|queue|stream)/'] },
    },
    {
      name: 'adapters-import-no-caller',
      comment: 'Adapters (store/, queue/, stream/) implement ports; they import no HTTP layer, command or use case.',
      severity: 'error',
      from: { path: '^src/(store|queue|stream)/' },
      to: { path: '^src/(api|cli|services)/' },
    },
    {
      name: 'api-through-services',
      comment: 'The HTTP layer reaches the stores through the use cases (services/), not directly; the composition root (compose.ts) wires the adapters.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(store|cli)/' },
    },
    {
      name: 'commands-are-the-top',
      comment: 'Nothing under src/ imports the palisade command (cli/).',
      severity: 'error',
      from: { path: '^src/(?!cli/)' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'sensor-imports-no-server',
      comment: 'The sensor (src/sensor/) runs on endpoints: it imports the domain types and its own modules, never the server (use cases, stores, HTTP layer, ingest, detection).',
      severity: 'error',
      from: { path: '^src/sensor/' },
      to: { path: '^src/(?!sensor/|domain/)' },
    },
    {
      name: 'product-imports-no-tooling',
      comment: 'The product (src/) imports no developer tool, test or benchmark.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tools|test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
  },
};
