// The map for the next maintainer: which part of lib/ may import which. ARCHITECTURE.md tells
// the layers and why; these rules make `npm run lint` fail when an import crosses a line.
// Paths are relative to the project root. "core" is lib/ without its subpath exports.

const SUBPATHS = '^lib/(typeorm|keyv|prometheus|terminus|opentelemetry|dashboard|cli|cdc)/';
const OPTIONAL_PEERS =
  '(^|/)node_modules/(typeorm|keyv|prom-client|@nestjs/typeorm|@nestjs/event-emitter|@nestjs/terminus|@opentelemetry/api|pg|pg-logical-replication)/';
const STATEFUL = '^lib/(engine|stores|redis|bus|l1)/';

// What a subpath may use of the core besides lib/index.ts: the public API's own files, and a short,
// named internal surface. Adding a file here is a decision: say in the commit why a subpath needs it.
const SUBPATH_SURFACE = [
  '^lib/index\\.ts$',
  '^lib/cachekit\\.service\\.ts$', // CacheKit, the public service (typeorm, prometheus)
  '^lib/definitions/cache-definition\\.ts$', // CacheDefinition, isCacheDefinition (typeorm)
  '^lib/definitions/duration\\.ts$', // parseDuration for the bridge's options (typeorm)
  '^lib/errors/cachekit\\.errors\\.ts$', // the error base classes
  '^lib/errors/messages\\.ts$', // shared texts (the namespace rule's message, keyv)
  '^lib/keys/key-layout\\.ts$', // namespace rule and the Keyv prefix (keyv)
  '^lib/redis/scan-keys\\.ts$', // SCAN in batches for clear() (keyv)
  '^lib/timing/within\\.ts$', // one bounded wait for the whole module (typeorm)
  '^lib/observability/rate-limited-logger\\.ts$', // one warning per cause and interval (typeorm)
  '^lib/observability/cache-event\\.interface\\.ts$', // stats and event shapes (prometheus)
  '^lib/engine/entry/envelope\\.ts$', // the stored entry's header, decoded by `cachekit inspect` (cli)
  '^lib/keys/key-encoding\\.ts$', // a key given as JSON becomes the key readers build (cli)
  '^lib/stores/stored-entry\\.ts$', // the entry's layout in Redis, read by `cachekit inspect` (cli)
  '^lib/stores/redis\\.scripts\\.ts$', // the tag eviction script, so `cachekit evict-tag` records when, as the app does (cli)
  '^lib/bus/invalidation-bus\\.ts$', // the bus message, so `cachekit clear` drops running instances' L1 (cli)
  '^lib/observability/stats-beacon\\.ts$', // the snapshot shape instances publish (cli, dashboard)
  '^lib/observability/observability\\.interface\\.ts$', // latency, audit and report shapes (prometheus)
];

// CDC feeds the TypeORM bridge's rules from the WAL: it uses that subpath's public API and the one
// class that collects a transaction's targets (PendingEvictions), nothing else of it.
const CDC_TYPEORM_SURFACE = ['^lib/typeorm/index\\.ts$', '^lib/typeorm/pending-evictions\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles, type-only ones included: a cycle means two files are one concern.',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    {
      name: 'keys-are-pure',
      severity: 'error',
      comment: 'How arguments become key text and where every key lives: pure functions, importing nothing of lib.',
      from: { path: '^lib/keys/' },
      to: { path: '^lib/', pathNot: '^lib/keys/' },
    },
    {
      name: 'definitions-are-pure',
      severity: 'error',
      comment:
        'Definitions are values checked at class-definition time: no store, engine, connection or call-time code.',
      from: { path: '^lib/definitions/' },
      to: { path: [STATEFUL, '^lib/(invocation|decorators|options)/', '^lib/cachekit\\.'] },
    },
    {
      name: 'decorators-run-at-definition-time',
      severity: 'error',
      comment:
        'A decorator only records metadata and installs a trampoline; the trampoline factory is the one door to call time.',
      from: { path: '^lib/decorators/' },
      to: { path: [STATEFUL, '^lib/invocation/', '^lib/cachekit\\.'], pathNot: '^lib/invocation/trampoline\\.ts$' },
    },
    {
      name: 'invocation-imports-no-decorators',
      severity: 'error',
      comment:
        'Call-time code reads what a decorator recorded through definitions/cache-operation.interface.ts, never the decorators.',
      from: { path: '^lib/invocation/' },
      to: { path: '^lib/decorators/' },
    },
    {
      name: 'stores-know-no-policy',
      severity: 'error',
      comment: 'A store moves bytes under keys; TTLs, fencing decisions and fail-open belong to the engine.',
      from: { path: '^lib/stores/' },
      to: { path: '^lib/(engine|invocation|decorators|definitions|options|bus|l1)/|^lib/cachekit\\.' },
    },
    {
      name: 'engine-knows-no-callers',
      severity: 'error',
      comment: 'The engine serves plans; it knows neither decorators, the invocation pipeline nor the module wiring.',
      from: { path: '^lib/engine/' },
      to: { path: '^lib/(invocation|decorators|options)/|^lib/cachekit\\.' },
    },
    {
      name: 'core-imports-no-subpath',
      severity: 'error',
      comment: 'The core never needs an optional feature: the subpaths build on it, not the other way round.',
      from: { path: '^lib/', pathNot: SUBPATHS },
      to: { path: SUBPATHS },
    },
    {
      name: 'core-requires-no-optional-peer',
      severity: 'error',
      comment:
        'typeorm, keyv, prom-client, @nestjs/typeorm, @nestjs/event-emitter, @nestjs/terminus and @opentelemetry/api are optional: only subpaths load them.',
      from: { path: '^lib/', pathNot: SUBPATHS },
      to: { path: OPTIONAL_PEERS, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'subpaths-use-the-named-surface',
      severity: 'error',
      comment: 'A subpath uses its own files, the public API and SUBPATH_SURFACE above; no other subpath.',
      from: { path: SUBPATHS, pathNot: '^lib/cdc/' }, // cdc has its own rule below
      to: { path: '^lib/', pathNot: ['^lib/$1/', ...SUBPATH_SURFACE] },
    },
    {
      name: 'cdc-uses-the-named-surface',
      severity: 'error',
      comment:
        'The CDC subpath uses its own files, SUBPATH_SURFACE and the TypeORM surface named in CDC_TYPEORM_SURFACE.',
      from: { path: '^lib/cdc/' },
      to: { path: '^lib/', pathNot: ['^lib/cdc/', ...SUBPATH_SURFACE, ...CDC_TYPEORM_SURFACE] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'] },
  },
};
