import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKind } from '../../support/db.js';

/** `npm run cli -- …` for personal data, as the school's administrator runs it on an embedded database. */
function cli(dataDir: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PERSONAL_DATA_KEY: 'k'.repeat(40) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe.runIf(testDbKind() === 'pglite')('the command line for personal data', () => {
  let dir: string;
  let dataDir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ccm-pd-cli-'));
    dataDir = path.join(dir, 'data');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exports a person, erases them with an act printed in Russian, shows the act again, sets retention and the notice', async () => {
    expect(cli(dataDir, 'school', 'create', 'Лицей №2').code).toBe(0);
    const students = path.join(dir, 'students.csv');
    await writeFile(students, 'id;classCode;name\nS1;7Б;Иван Петров\n');
    expect(cli(dataDir, 'roster', 'import', '1', '--students', students).code).toBe(0);

    const exported = cli(dataDir, 'person', 'export', '1', 'student', 'S1');
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.out).records.persons[0]).toMatchObject({
      external_id: 'S1',
      name: 'Иван Петров',
    });
    expect(cli(dataDir, 'person', 'export', '1', 'student', 'S404').code).toBe(1);

    const noReason = cli(dataDir, 'person', 'erase', '1', 'student', 'S1');
    expect(noReason.code).toBe(1);
    expect(noReason.err).toContain('--reason');
    const erased = cli(
      dataDir,
      'person',
      'erase',
      '1',
      'student',
      'S1',
      '--reason',
      'заявление от 30.11.2026',
      '--by',
      'директор',
    );
    expect(erased.code).toBe(0);
    expect(erased.out).toContain('АКТ № 1\nоб уничтожении персональных данных');
    expect(erased.out).toContain('Оператор: Лицей №2');
    expect(erased.out).toContain('По запросу: директор');
    expect(erased.out).toContain('запись в списке школы (ФИО, класс, идентификатор): 1');
    expect(erased.out).not.toContain('Петров');
    const again = cli(dataDir, 'person', 'erase', '1', 'student', 'S1', '--reason', 'повторно');
    expect(again.out).toContain('Erased before; the act stands (act 1)');
    const shown = cli(dataDir, 'act', 'show', '1');
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('Подпись:');
    expect(cli(dataDir, 'act', 'show', '9').code).toBe(1);

    const retention = cli(dataDir, 'retention', 'set', '1', '--strike-days', '30', '--audit-days', 'default');
    expect(retention.out).toBe(
      'strikeDays\t30 days\ndepartedDays\t30 days (default)\nauditDays\t1095 days (default)\n',
    );
    const notice = path.join(dir, 'notice.txt');
    await writeFile(notice, 'Оператор: Лицей №2. Запросы: privacy@licey2.ru\n');
    expect(cli(dataDir, 'school', 'privacy', '1', notice).out).toBe("School 1's privacy notice is set.\n");
  }, 120_000);
});
