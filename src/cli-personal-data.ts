import { readFileSync } from 'node:fs';
import {
  actsOf,
  erasePerson,
  exportPerson,
  findAct,
  parseSubject,
  renderAct,
  retentionOf,
  setPrivacyNotice,
  setRetention,
} from './features/personal-data/index.js';
import type { Services } from './runtime/services.js';

export const PERSONAL_DATA_USAGE = `  person export <school id> <student|guardian|staff> <id>
  person export <school id> account <telegram|vk|max> <platform id>
                                            everything stored about the person, as JSON (152-ФЗ)
  person erase <school id> <kind> <id> --reason <text> [--by <who asked>]
                                            destroys the person's data and prints the act
  act list <school id>                      the school's acts of destruction
  act show <id>                             the act in Russian, ready to sign
  retention show <school id>                the school's retention periods
  retention set <school id> [--strike-days N] [--departed-days N] [--audit-days N]
                                            N in days, or "default"
  school privacy <school id> <file>         the school's privacy notice (a text file; "-" removes it)`;

export const PERSONAL_DATA_COMMANDS = [
  'person export',
  'person erase',
  'act list',
  'act show',
  'retention show',
  'retention set',
  'school privacy',
];

export interface PersonalDataOptions {
  reason?: string | undefined;
  by?: string | undefined;
  'strike-days'?: string | undefined;
  'departed-days'?: string | undefined;
  'audit-days'?: string | undefined;
}

/** Runs a personal-data command; returns the exit code. `fail` turns a usage problem into an error. */
export async function personalDataCommand(
  services: Services,
  command: string,
  rest: string[],
  options: PersonalDataOptions,
  school: (value: string | undefined) => Promise<number>,
  fail: (message: string) => never,
): Promise<number> {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const subject = () => {
    const ref = parseSubject(rest.slice(1));
    if ('error' in ref)
      fail(`${ref.error}\n  e.g. person export 1 student S1, or person export 1 account telegram 12345`);
    return ref;
  };
  switch (command) {
    case 'person export': {
      const schoolId = await school(rest[0]);
      const data = await exportPerson(services, schoolId, subject());
      if (!data) {
        out(`No such person in school ${schoolId}.`);
        return 1;
      }
      out(JSON.stringify(data, null, 2));
      return 0;
    }
    case 'person erase': {
      const schoolId = await school(rest[0]);
      const ref = subject();
      const reason = options.reason?.trim() ?? '';
      if (reason.length < 3)
        fail('say why with --reason "<text>" (for example, the person\'s application of 01.12.2026)');
      const outcome = await erasePerson(services, {
        schoolId,
        ref,
        reason,
        requestedBy: options.by?.trim() || 'администратор (CLI)',
      });
      if (outcome.result === 'not_found') {
        out(`No such person in school ${schoolId}.`);
        return 1;
      }
      if (outcome.result === 'already') out(`Erased before; the act stands (act ${outcome.act.id}).\n`);
      out(await renderAct(services, outcome.act, 'ru'));
      return 0;
    }
    case 'act list': {
      const schoolId = await school(rest[0]);
      const acts = await actsOf(services, schoolId);
      if (acts.length === 0) out('No acts yet.');
      for (const act of acts)
        out(`${act.id}\t${act.at.toISOString()}\t${act.subjectKind}\t${act.requestedBy}`);
      return 0;
    }
    case 'act show': {
      const id = Number(rest[0]);
      const act = Number.isInteger(id) ? await findAct(services, id) : undefined;
      if (!act) {
        out(services.texts.t('ru')('act.not_found', { id: rest[0] ?? '' }));
        return 1;
      }
      out(await renderAct(services, act, 'ru'));
      return 0;
    }
    case 'retention show':
    case 'retention set': {
      const schoolId = await school(rest[0]);
      if (command === 'retention set') {
        const value = (raw: string | undefined, flag: string) => {
          if (raw === undefined) return undefined;
          if (raw === 'default') return null;
          const n = Number(raw);
          if (!Number.isInteger(n) || n < 1 || n > 36_500)
            fail(`--${flag} must be 1–36500 days or "default"`);
          return n;
        };
        const change = {
          strikeDays: value(options['strike-days'], 'strike-days'),
          departedDays: value(options['departed-days'], 'departed-days'),
          auditDays: value(options['audit-days'], 'audit-days'),
        };
        await setRetention(
          services,
          schoolId,
          Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
        );
      }
      const { effective, set } = await retentionOf(services, schoolId);
      for (const key of ['strikeDays', 'departedDays', 'auditDays'] as const) {
        out(`${key}\t${effective[key]} days${set[key] === null ? ' (default)' : ''}`);
      }
      return 0;
    }
    case 'school privacy': {
      const schoolId = await school(rest[0]);
      if (!rest[1]) fail('school privacy <school id> <file> (or - to remove the notice)');
      const text = rest[1] === '-' ? null : readFileSync(rest[1], 'utf8').trim() || null;
      await setPrivacyNotice(services, schoolId, text);
      out(
        text
          ? `School ${schoolId}'s privacy notice is set.`
          : `School ${schoolId} has no privacy notice now.`,
      );
      return 0;
    }
    default:
      return fail(`unknown command "${command}"`);
  }
}
