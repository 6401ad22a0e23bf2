/**
 * The boundaries of src/ (run by `npm run lint`): no import cycles; the pure policy imports nothing of
 * ours but itself; features never see a connector or a platform SDK; only src/db/ (and the outbox, for
 * its own table) touches the schema and writes SQL; src/lib/ is leaves with no imports from the app.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A cycle hides which part depends on which; break it with a callback or a shared lower module.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'policy-is-pure',
      severity: 'error',
      comment:
        'src/moderation/ is the regulation as pure functions: no IO, no framework, no other part of the app.',
      from: { path: '^src/moderation/' },
      to: { pathNot: ['^src/moderation/', 'node_modules/(zod|temporal-polyfill|bad-words-next)/'] },
    },
    {
      name: 'lib-is-leaves',
      severity: 'error',
      comment: 'src/lib/ holds leaf utilities; they import nothing from the app.',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'features-not-connectors',
      severity: 'error',
      comment:
        'Features talk to platforms through the port (src/messenger/port.ts) and the outbox, never a connector or an SDK.',
      from: { path: '^src/(features|runtime|moderation|outbox|db|jobs)/' },
      to: {
        path: ['^src/messenger/(telegram|vk|max)/', 'node_modules/(telegraf|vk-io|@maxhub)/'],
      },
    },
    {
      name: 'sql-only-in-db',
      severity: 'error',
      comment:
        'Only src/db/ (and the outbox, for its own table) imports the schema or drizzle: give a query a repository.',
      from: { path: '^src/', pathNot: ['^src/db/', '^src/outbox/(worker|enqueue)\\.ts$'] },
      to: { path: ['^src/db/(schema|tables/)', 'node_modules/drizzle-orm/'] },
    },
    {
      name: 'connectors-stay-out-of-the-core',
      severity: 'error',
      comment:
        'A connector knows the port, not the core: it turns updates into events and actions into calls.',
      from: { path: '^src/messenger/' },
      to: { path: '^src/(features|runtime|app|db|outbox|moderation)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
