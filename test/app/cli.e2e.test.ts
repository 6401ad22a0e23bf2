import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createRosterRepository } from '../../src/db/repos/roster.js';
import { persons } from '../../src/db/schema.js';
import { testDbKind } from '../support/db.js';

/** `npm run cli -- …` as the school's IT administrator runs it, on an embedded database. */
function cli(dataDir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe.runIf(testDbKind() === 'pglite')('the command-line tool', () => {
  let dir: string;
  let dataDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ccm-cli-'));
    dataDir = path.join(dir, 'data');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a school (the first one on a fresh database) and a token shown once, imports CSV with line-numbered errors, and makes an invitation', async () => {
    const created = cli(dataDir, 'school', 'create', 'Лицей', '№2');
    expect(created.code).toBe(0);
    expect(created.out).toMatch(
      /^School 1 "Лицей №2" created\. Moderators attach a chat with: \/settings school \S+/,
    );
    const token = cli(dataDir, 'token', 'create', '1', 'АИС');
    expect(token.code).toBe(0);
    expect(token.out).toMatch(/^ccm_1_[A-Za-z0-9_-]{40,}\n/);

    const students = path.join(dir, 'students.csv');
    const guardians = path.join(dir, 'guardians.csv');
    await writeFile(students, 'id;classCode;name\nS1;7Б;Иван\nS2;;Мария\n');
    const failed = cli(dataDir, 'roster', 'import', '1', '--students', students);
    expect(failed.code).toBe(1);
    expect(failed.err).toBe('students.csv:3: classCode is missing\nNothing was imported.\n');

    await writeFile(students, 'id;classCode;name\nS1;7Б;Иван\nS2;7Б;Мария\n');
    await writeFile(guardians, 'id,studentIds,name\nG1,"S1,S2",Анна\n');
    const imported = cli(dataDir, 'roster', 'import', '1', '--students', students, '--guardians', guardians);
    expect(imported.code).toBe(0);
    expect(imported.out).toBe(
      '4 changes applied; 0 removals scheduled (the running bot carries them out).\n',
    );

    const invite = cli(dataDir, 'invite', 'create', '1', 'guardian', 'G1', '--bot', 'school_bot');
    expect(invite.code).toBe(0);
    expect(invite.out).toMatch(/^https:\/\/t\.me\/school_bot\?start=i[A-Za-z0-9_-]{20}\nvalid until /);
    expect(cli(dataDir, 'invite', 'create', '1', 'guardian', 'G9').err).toBe('no guardian G9 in school 1\n');
    expect(cli(dataDir, 'school', 'frobnicate').code).toBe(1);

    const database = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const rows = await database.db.select().from(persons);
      expect(rows.map((row) => `${row.schoolId}:${row.kind}:${row.externalId}`).sort()).toEqual([
        '1:guardian:G1',
        '1:student:S1',
        '1:student:S2',
      ]);
      const secret = token.out.split('\n')[0] ?? '';
      expect(await createRosterRepository(database.db).schoolForToken(secret)).toBe(1);
    } finally {
      await database.close();
    }
  }, 120_000);
});
