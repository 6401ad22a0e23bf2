import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/db/client.js';
import { Harness } from '../../support/harness.js';
import { api, type School, school } from '../../support/roster.js';
import { passVoteClose } from '../../support/votes.js';

type Row = Record<string, unknown>;

function buttonData(h: Harness, chatId: number, which = 0) {
  const message = h.api.lastBotMessage(chatId);
  const button = message?.reply_markup?.inline_keyboard[0]?.[which];
  return {
    id: message?.message_id ?? 0,
    data: button && 'callback_data' in button ? button.callback_data : '',
  };
}

/** Every value of a row, JSON flattened to text, so names and ids inside JSON are found too. */
function texts(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (value instanceof Date) return [value.toISOString()];
  if (typeof value === 'object') return Object.values(value).flatMap(texts);
  return [String(value)];
}

/**
 * A family's whole life — invitation, acceptance of the rules, strikes, a block, an apology, a vote, the
 * departure — then the school erases them: nothing of their names, roster ids or platform ids is left in
 * any table except the removal list (the accounts that must stay out), and the act lists what went.
 */
describe('personal data: a family erased after its whole life', () => {
  let h: Harness;
  let s: School;
  let ivan: User;
  let anna: User;
  let before: string[] = [];
  const acts: Array<{ id: number; destroyed: Array<{ category: string; count: number }> }> = [];
  beforeAll(async () => {
    h = await Harness.start();
    s = await school(h);
    ({ ivan, anna } = s.people);
    const classChat = s.chats.classChat;
    // Invitation: the school invites Anna; she claims it in a private chat.
    const invitation = await api(h, 'POST', '/api/v1/invitations', {
      token: s.token,
      body: { kind: 'guardian', id: 'G1' },
    });
    h.api.privateMessage(anna, `/start ${String(invitation.body.code)}`);
    await h.settle();
    // Acceptance: the teacher asks everyone to confirm the rules; Ivan and Anna accept.
    h.api.sendMessage(classChat, s.teacher, '/rules confirm');
    await h.settle();
    const confirm = buttonData(h, classChat);
    for (const user of [ivan, anna]) h.api.pressButton(classChat, confirm.id, user, confirm.data ?? '');
    await h.settle();
    // Strikes and a block.
    for (const rule of [2, 2, 2, 3]) {
      const message = h.api.sendMessage(classChat, ivan, 'Иван Петров пишет не по делу');
      h.api.sendMessage(classChat, s.teacher, `/strike ${rule} не по делу`, { replyTo: message.message_id });
      await h.settle();
    }
    expect(h.api.member(classChat, ivan).status).toBe('restricted');
    // Apology and vote: Anna does not object; the vote closes and lifts the block.
    h.api.privateMessage(ivan, '/apologize Простите, я больше не буду. Иван Петров');
    await h.settle();
    h.api.sendMessage(classChat, s.teacher, `/unblock ${ivan.id}`);
    await h.settle();
    const vote = h.api
      .botMessages(classChat)
      .find((m) => (m.text ?? '').includes(': голосование о досрочном снятии блокировки (п. 4.13.6'));
    const noObjection = vote?.reply_markup?.inline_keyboard[0]?.[1];
    h.api.pressButton(
      classChat,
      vote?.message_id ?? 0,
      anna,
      noObjection && 'callback_data' in noObjection ? (noObjection.callback_data ?? '') : '',
    );
    await h.settle();
    await passVoteClose(h.db.database, h.clock);
    await h.app.jobs.run('close-due-votes');
    await h.settle();
    // /mydata, then the departure: Ivan and Anna are removed.
    h.api.privateMessage(anna, '/mydata');
    await h.settle();
    const departed = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'leave-1', type: 'student.departed', studentId: 'S1' }] },
    });
    expect(departed.body.removals).toBeGreaterThan(0);
    await h.settle();
    before = await scan();
    for (const kind of ['student/S1', 'guardian/G1']) {
      const erased = await api(h, 'POST', `/api/v1/people/${kind}/erase`, {
        token: s.token,
        body: { reason: 'заявление законного представителя от 30.11.2026 № 17' },
      });
      expect(erased.status).toBe(200);
      acts.push(erased.body.act as (typeof acts)[number]);
    }
    await h.settle();
  }, 120_000);
  afterAll(() => h.stop());

  /** Every value of every table that holds one of their names, roster ids or platform ids. */
  async function scan(): Promise<string[]> {
    const db = h.db.database.db;
    const tables = rowsOf<{ table_name: string }>(
      await db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
      ),
    ).map((row) => row.table_name);
    expect(tables.length).toBeGreaterThan(25);
    const found: string[] = [];
    for (const table of tables) {
      for (const row of rowsOf<Row>(await db.execute(sql`select * from ${sql.identifier(table)}`))) {
        for (const [column, value] of Object.entries(row)) {
          if (table === 'accounts' && column === 'platform_user_id') continue;
          for (const text of texts(value)) {
            for (const needle of needles())
              if (needle.test(text)) found.push(`${table}.${column}: ${text.slice(0, 120)}`);
          }
        }
      }
    }
    return found;
  }

  const needles = () => [
    /Петров/u,
    /Анна/u,
    /Иван(?!овн)/u,
    /(?<![A-Za-z0-9])(S1|G1)(?![A-Za-z0-9])/u,
    new RegExp(`(?<!\\d)(${ivan.id}|${anna.id})(?!\\d)`, 'u'),
  ];

  it('leaves none of their names, roster ids or platform ids in any table but the removal list', async () => {
    const db = h.db.database.db;
    const found = await scan();
    expect(before.length).toBeGreaterThan(20);
    expect(found).toEqual([]);
    // What stays of their accounts: the platform ids the removals keep out, without names.
    const kept = rowsOf<Row>(
      await db.execute(sql`select a.platform_user_id, a.first_name, a.last_name, a.username from accounts a
        where exists (select 1 from removals r where r.account_id = a.id and r.status = 'done')
        and a.platform_user_id in (${String(ivan.id)}, ${String(anna.id)}) order by a.platform_user_id`),
    );
    expect(kept).toEqual([
      { platform_user_id: String(ivan.id), first_name: '', last_name: null, username: null },
      { platform_user_id: String(anna.id), first_name: '', last_name: null, username: null },
    ]);
  });

  it('keeps them out: the removal still declines them', async () => {
    expect(h.api.member(s.chats.classChat, ivan).status).toBe('kicked');
  });

  it('lists in the acts what was destroyed', () => {
    const [student, guardian] = acts;
    const categories = (act: (typeof acts)[number] | undefined) =>
      act?.destroyed.map((c) => c.category) ?? [];
    expect(categories(student)).toEqual(
      expect.arrayContaining([
        'strikes',
        'blocks',
        'apologies',
        'acceptances',
        'roster_records',
        'audit_names_and_texts',
        'account_names',
      ]),
    );
    expect(student?.destroyed.find((c) => c.category === 'strikes')?.count).toBe(4);
    expect(categories(guardian)).toEqual(
      expect.arrayContaining(['acceptances', 'roster_records', 'account_names']),
    );
  });

  it('finds none of it in pg_dump --data-only either (PostgreSQL pass)', (ctx) => {
    const url = h.db.url;
    if (h.db.kind !== 'postgres' || !url || !existsSync('/usr/bin/pg_dump')) return ctx.skip();
    const dump = execFileSync('pg_dump', ['--data-only', '--no-owner', url], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    // The accounts' rows are checked above: their platform ids are the removal list.
    const withoutAccounts = dump.replace(/COPY public\.accounts [^\n]*\n[\s\S]*?\n\\\.\n/u, '');
    const found = withoutAccounts.split('\n').filter((line) => needles().some((needle) => needle.test(line)));
    expect(found).toEqual([]);
  });
});
