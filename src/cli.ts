import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PERSONAL_DATA_COMMANDS, PERSONAL_DATA_USAGE, personalDataCommand } from './cli-personal-data.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { createRosterRepository, type PersonKind } from './db/repos/roster.js';
import { issueLink, linkUrl } from './features/dashboard/index.js';
import {
  applyRosterEvents,
  createInvitation,
  deepLink,
  readRosterCsv,
  snapshotEvents,
  validateEvents,
} from './features/roster/index.js';
import { decideAttachment, pendingAttachments, rotateSchoolCode } from './features/schools/index.js';
import { Texts } from './i18n/index.js';
import { systemClock } from './lib/clock.js';
import { claimDataDir } from './lib/data-dir-lock.js';
import { silentLogger } from './lib/logger.js';
import { Services } from './runtime/services.js';

const USAGE = `Usage: npm run cli -- <command>

  school list                               schools with their ids and chat codes
  school create <name>                      a new school (prints its id and the code for /settings school)
  school code <school id>                   a new code for the school (the old one stops working)
  attachment list <school id>               chats asking to belong to the school (/settings school <code>)
  attachment confirm <school id> <id>       the chat becomes the school's
  attachment reject <school id> <id>        the chat stays outside the school
  token create <school id> [label]          an API token for the school's roster system (shown once)
  token revoke <token id>                   revokes a token
  dashboard link <school id>                a single-use sign-in link to the web dashboard for the
                                            school's administrator (valid 10 minutes; PUBLIC_URL)
  roster import <school id> [--students students.csv] [--guardians guardians.csv] [--staff staff.csv]
                                            applies the roster from CSV files (a file left out is left as it is)
  invite create <school id> <student|guardian|staff> <id> [--bot <bot username>]
                                            a personal invitation code (and its t.me link)
${PERSONAL_DATA_USAGE}

The database is the bot's: DATABASE_URL, or the embedded one in DATA_DIR (stop the bot first).`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      students: { type: 'string' },
      guardians: { type: 'string' },
      staff: { type: 'string' },
      bot: { type: 'string' },
      reason: { type: 'string' },
      by: { type: 'string' },
      'strike-days': { type: 'string' },
      'departed-days': { type: 'string' },
      'audit-days': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, action, ...rest] = positionals;
  if (values.help || !group) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const COMMANDS = [
    'school list',
    'school create',
    'school code',
    'attachment list',
    'attachment confirm',
    'attachment reject',
    'token create',
    'token revoke',
    'dashboard link',
    'roster import',
    'invite create',
    ...PERSONAL_DATA_COMMANDS,
  ];
  if (!COMMANDS.includes(`${group} ${action ?? ''}`))
    throw new UsageError(`unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
  const config = loadConfig();
  const release = config.databaseUrl ? () => {} : claimDataDir(config.dataDir, 'cli');
  const database = await openDatabase(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl, maxConnections: 2 }
      : { kind: 'pglite', dataDir: config.dataDir },
  );
  try {
    const services = new Services({
      db: database.db,
      clock: systemClock,
      log: silentLogger,
      texts: new Texts(config.defaultLanguage),
      timeZone: config.timeZone,
      defaultLanguage: config.defaultLanguage,
      messengers: new Map(),
      wakeOutbox: () => {},
      personalData: config.personalData,
    });
    const repo = createRosterRepository(database.db);
    const schoolArg = async (value: string | undefined) => {
      const id = Number(value);
      if (!Number.isInteger(id) || !(await repo.school(id)))
        throw new UsageError(`no school with id ${value ?? '(missing)'}; see: school list`);
      return id;
    };
    if (PERSONAL_DATA_COMMANDS.includes(`${group} ${action ?? ''}`)) {
      process.exitCode = await personalDataCommand(
        services,
        `${group} ${action ?? ''}`,
        rest,
        values,
        schoolArg,
        (message) => {
          throw new UsageError(message);
        },
      );
      return;
    }
    switch (`${group} ${action ?? ''}`) {
      case 'school list': {
        for (const school of await repo.listSchools()) {
          const code = school.code ?? (await repo.ensureSchoolCode(school.id));
          process.stdout.write(
            `${school.id}\t${school.name}\tcode: ${code}\tinvitations last ${school.inviteDays} days\n`,
          );
        }
        return;
      }
      case 'school create': {
        const name = rest.join(' ').trim();
        if (!name) throw new UsageError('give the school a name: school create <name>');
        const school = await repo.createSchool(name, systemClock.now());
        process.stdout.write(
          `School ${school.id} "${school.name}" created. Moderators attach a chat with: /settings school ${school.code}\n`,
        );
        return;
      }
      case 'school code': {
        const school = await schoolArg(rest[0]);
        const code = await rotateSchoolCode(services, school);
        process.stdout.write(`School ${school} has a new code: ${code}. The old one no longer works.\n`);
        return;
      }
      case 'attachment list': {
        const school = await schoolArg(rest[0]);
        const pending = await pendingAttachments(services, school);
        if (pending.length === 0) process.stdout.write('No chat is waiting for an answer.\n');
        for (const request of pending) {
          process.stdout.write(
            `${request.id}\t${request.chat.platform}\t${request.chat.title}\tasked by ${request.requestedBy ?? '—'} at ${request.requestedAt}\n`,
          );
        }
        return;
      }
      case 'attachment confirm':
      case 'attachment reject': {
        const school = await schoolArg(rest[0]);
        const decision = action === 'confirm' ? 'confirm' : 'reject';
        const { result } = await decideAttachment(services, school, Number(rest[1]), decision);
        const words = {
          confirmed: "Confirmed: the chat is now the school's.",
          rejected: 'Rejected: the chat stays outside the school.',
          already: 'That request was answered before; the answer stands.',
          not_found: `No request ${rest[1] ?? ''} for this school; see: attachment list ${school}`,
        };
        process.stdout.write(`${words[result]}\n`);
        if (result === 'not_found') process.exitCode = 1;
        return;
      }
      case 'token create': {
        const school = await schoolArg(rest[0]);
        const token = await repo.createToken(school, rest.slice(1).join(' '), systemClock.now());
        process.stdout.write(
          `${token}\nKeep it secret: it is shown only this once. Use it as Authorization: Bearer <token>.\n`,
        );
        return;
      }
      case 'dashboard link': {
        const school = await schoolArg(rest[0]);
        const base = config.publicUrl ?? `http://localhost:${config.httpPort}`;
        const token = await issueLink(
          database.db,
          { role: 'school', accountId: null, schoolId: school },
          systemClock.now(),
        );
        process.stdout.write(
          `${linkUrl(base, token)}\nIt works once, for 10 minutes. Open it in the browser of the school's administrator.\n`,
        );
        return;
      }
      case 'token revoke': {
        const id = Number(rest[0]);
        const done = Number.isInteger(id) && (await repo.revokeToken(id, systemClock.now()));
        process.stdout.write(done ? `Token ${id} revoked.\n` : `No active token ${rest[0] ?? ''}.\n`);
        if (!done) process.exitCode = 1;
        return;
      }
      case 'roster import': {
        const school = await schoolArg(rest[0]);
        const read = (file: string | undefined) =>
          file ? { name: path.basename(file), text: readFileSync(file, 'utf8') } : undefined;
        const files = {
          students: read(values.students),
          guardians: read(values.guardians),
          staff: read(values.staff),
        };
        if (!files.students && !files.guardians && !files.staff)
          throw new UsageError('give at least one of --students, --guardians, --staff');
        const csv = readRosterCsv(Object.fromEntries(Object.entries(files).filter(([, file]) => file)));
        if (!csv.ok) {
          process.stderr.write(`${csv.errors.join('\n')}\nNothing was imported.\n`);
          process.exitCode = 1;
          return;
        }
        const events = await snapshotEvents(services, school, csv.snapshot, `csv:${Date.now()}`);
        const snapshot = await repo.loadSnapshot(school, config.defaultLanguage);
        const check = validateEvents({ events }, (kind, id) => snapshot.byExternal.has(`${kind}:${id}`));
        if (!check.ok && events.length > 0) {
          const lines = check.problems.map((p) => `${p.id ?? p.index}: ${p.problems.join('; ')}`);
          process.stderr.write(`${check.message}\n${lines.join('\n')}\n`);
          process.exitCode = 1;
          return;
        }
        const result =
          events.length > 0 ? await applyRosterEvents(services, school, events, 'csv') : undefined;
        process.stdout.write(
          `${events.length} changes applied; ${result?.removals ?? 0} removals scheduled (the running bot carries them out).\n`,
        );
        return;
      }
      case 'invite create': {
        const school = await schoolArg(rest[0]);
        const kind = rest[1] as PersonKind;
        if (!['student', 'guardian', 'staff'].includes(kind) || !rest[2]) {
          throw new UsageError('invite create <school id> <student|guardian|staff> <id>');
        }
        const [person] = await repo.findPersons(school, rest[2], kind);
        if (!person) throw new UsageError(`no ${kind} ${rest[2]} in school ${school}`);
        const invitation = await createInvitation(services, database.db, school, person);
        process.stdout.write(
          `${deepLink(values.bot, invitation.code)}\nvalid until ${invitation.expiresAt.toISOString()} for ${person.name ?? person.externalId}\n`,
        );
        return;
      }
      default:
        throw new UsageError(`unknown command "${positionals.join(' ')}"\n\n${USAGE}`);
    }
  } finally {
    await database.close();
    release();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof UsageError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
