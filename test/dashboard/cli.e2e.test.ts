import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { dashboardLinks } from '../../src/db/schema.js';
import { hashSecret } from '../../src/features/dashboard/tokens.js';
import { testDbKind } from '../support/db.js';

function cli(dataDir: string, env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** `npm run cli -- dashboard link <school>`: the school administrator's sign-in link. */
describe.runIf(testDbKind() === 'pglite')('the command line: dashboard link', () => {
  let dir: string;
  let dataDir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ccm-dash-cli-'));
    dataDir = path.join(dir, 'data');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints a single-use link at PUBLIC_URL for an existing school, stores only its hash, refuses an unknown school', async () => {
    expect(cli(dataDir, {}, 'school', 'create', 'Лицей №2').code).toBe(0);
    const made = cli(dataDir, { PUBLIC_URL: 'https://bot.school.ru' }, 'dashboard', 'link', '1');
    expect(made.code).toBe(0);
    const link = /^https:\/\/bot\.school\.ru\/dashboard\/signin\/([A-Za-z0-9_-]{43})$/m.exec(made.out);
    expect(link).not.toBeNull();
    const unknown = cli(dataDir, {}, 'dashboard', 'link', '99');
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain('no school with id 99');
    const database = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const rows = await database.db.select().from(dashboardLinks);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ role: 'school', schoolId: 1, tokenHash: hashSecret(link?.[1] ?? '') });
      expect(JSON.stringify(rows)).not.toContain(link?.[1]);
    } finally {
      await database.close();
    }
  });
});
