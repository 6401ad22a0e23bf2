import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dashboardPages } from './dashboard.js';
import { maxEmulatedReadOnly, maxWebhookThroughput } from './max-scenarios.js';
import { messageCheck } from './message-check.js';
import { retentionStrikes } from './retention.js';
import {
  memory,
  outboundBurst,
  type Row,
  rosterSnapshot,
  scheduledUnblock,
  startup,
  strikeScenarios,
  webhookThroughput,
} from './scenarios.js';
import { dropLeftoverDatabases, loaderCeiling, messageUpdate } from './support.js';

/**
 * `npm run bench`: every scenario against the fake Bot API over real HTTP and real PostgreSQL, printed
 * as a markdown table and written as JSON to test/bench/results/. `--quick` runs a smoke version (CI).
 */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  const scenarios: Array<[string, () => Promise<Row | Row[]>]> = [
    ['webhook', () => webhookThroughput(quick)],
    ['strike', () => strikeScenarios(quick)],
    ['unblock', () => scheduledUnblock(quick)],
    ['roster', rosterSnapshot],
    ['burst', outboundBurst],
    ['memory', () => memory('postgres', quick ? 500 : 10_000)],
    // The embedded database handles about 250 first-seen members a second: 2,000 chats keep the run short.
    ['memory-pglite', () => memory('pglite', quick ? 200 : 2_000)],
    ['startup', startup],
    ['max-readonly', maxEmulatedReadOnly],
    ['max-webhook', maxWebhookThroughput],
    ['message-check', messageCheck],
    ['retention', () => retentionStrikes(quick ? 10_000 : 100_000)],
    ['dashboard', () => dashboardPages(quick)],
  ];
  const date = new Date().toISOString();
  // The load generator's own ceiling on this machine now (the webhook row measures it again in its run).
  const sample = Array.from({ length: quick ? 5000 : 20_000 }, (_, n) =>
    messageUpdate(n + 1, -1003000000000, { id: 4_000_000, first_name: 'Участник' }, 'Когда собрание?'),
  );
  const ceiling = await loaderCeiling(sample, 32);
  const ceilingLine = `load generator ceiling: ${Math.round(sample.length / ceiling.seconds)} requests/s (autocannon in its own process, 32 connections, node:http answering 200)`;
  process.stderr.write(`${date}\n${ceilingLine}\n`);
  const rows: Row[] = [];
  for (const [name, scenario] of scenarios) {
    if (only && !only.split(',').includes(name)) continue;
    process.stderr.write(`… ${name}\n`);
    const started = Date.now();
    let produced: Row[];
    try {
      const result = await scenario();
      produced = Array.isArray(result) ? result : [result];
    } catch (error) {
      produced = [
        {
          scenario: name,
          figure: `failed: ${error instanceof Error ? error.message : String(error)}`,
          target: '',
          pass: false,
        },
      ];
    }
    await dropLeftoverDatabases();
    rows.push(...produced);
    // Each row as soon as it is known, so a long run shows its progress (and an interrupted one its figures).
    for (const row of produced) process.stderr.write(`  ${row.figure} (${row.pass ? 'pass' : 'MISS'})\n`);
    process.stderr.write(`  done in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  const table = [
    `${date}, load average ${os
      .loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}${quick ? ', --quick' : ''}`,
    ceilingLine,
    '',
    '| scenario | figure | target | result |',
    '|---|---|---|---|',
    ...rows.map(
      (row) => `| ${row.scenario} | ${row.figure} | ${row.target} | ${row.pass ? 'pass' : '**miss**'} |`,
    ),
  ].join('\n');
  process.stdout.write(`${table}\n`);
  const machine = {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
  mkdirSync('test/bench/results', { recursive: true });
  const file = `test/bench/results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  const loaderRate = sample.length / ceiling.seconds;
  const report = { date, machine, quick, loadAverage: os.loadavg(), loaderCeiling: loaderRate, rows };
  writeFileSync(file, JSON.stringify(report, null, 2));
  writeFileSync('test/bench/results/latest.json', JSON.stringify(report, null, 2));
  process.stderr.write(`written to ${file}\n`);
  if (rows.some((row) => !row.pass)) process.exitCode = 1;
}

// A failed scenario may leave a fake server open; the run is over either way.
main().then(
  () => process.exit(),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
