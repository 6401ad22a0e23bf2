import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema.js';
import { TELEGRAM_LIMITS as BOT_LIMITS } from '../../src/outbox/pacer.js';
import { transact } from '../../src/outbox/work.js';
import {
  TELEGRAM_LIMITS as FAKE_LIMITS,
  TELEGRAM_LIMITS_EVERY_METHOD,
} from '../../src/sandbox/telegram/fault-types.js';
import { testDbKind } from '../support/db.js';
import { FakeBotApi } from '../support/fake-bot-api/index.js';
import { Harness } from '../support/harness.js';

const CHATS = 40;
const PER_CHAT = 3;
/** Member actions: in this many of the groups a second member is muted too, in a lane of their own. */
const OTHERS = 10;

/**
 * Issue 20: Telegram's limits (30 messages a second per bot, 1 a second per chat, 20 a minute per
 * group) hold for the bot, not for each process. Two replicas on one PostgreSQL share the budget kept
 * in the database; on the embedded database one process uses the same code.
 */
describe('issue 20: pacing shared by replicas, for messages and for member actions', () => {
  const started: Harness[] = [];
  afterEach(async () => {
    for (const h of started.splice(0).reverse()) await h.stop();
  });

  const replicas = testDbKind() === 'postgres' ? 2 : 1;

  it.each(['messages', 'member actions'] as const)(
    `%s in ${CHATS} groups (${PER_CHAT} a group, ${PER_CHAT + 1} in ${OTHERS} of them for member actions) from ${replicas} replica(s): no 429, about as fast as the limits allow`,
    async (kind) => {
      const members = kind === 'member actions';
      // Member actions: the fake limits bans and restrictions too (counted apart, the same figures).
      const api = new FakeBotApi({ limits: members ? TELEGRAM_LIMITS_EVERY_METHOD : FAKE_LIMITS });
      await api.start();
      // Each replica runs 16 actions at once: neither can take every chat's head, so both send.
      const outboxOptions = { concurrency: 16, pollMs: 100 };
      const first = await Harness.start({ api, pacing: BOT_LIMITS, outbox: outboxOptions });
      started.push(first);
      const teacher = api.createUser({ first_name: 'Мария' });
      const chatIds: number[] = [];
      for (let n = 0; n < CHATS; n += 1) {
        const chat = api.createChat({ type: 'supergroup', title: `Класс ${n}` });
        api.addMember(chat.id, teacher, { status: 'creator' });
        api.addBot(chat.id, {
          by: teacher,
          status: 'administrator',
          rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
        });
        chatIds.push(chat.id);
      }
      // The member the member actions are about, in every chat from the start.
      const parent = api.createUser({ first_name: 'Родитель' });
      // A second member, whose mute waits in a lane of its own but is paced with the chat's other actions.
      const other = api.createUser({ first_name: 'Другой' });
      if (members)
        for (const chatId of chatIds) for (const user of [parent, other]) api.addMember(chatId, user);
      // The bot greets each chat (paced too); the measured burst starts once those went out.
      await first.settle();
      for (let n = 1; n < replicas; n += 1) {
        const other = await Harness.start({
          api,
          clock: first.clock,
          db: { ...first.db, database: await first.db.openAnother() },
          receiveUpdates: false,
          pacing: BOT_LIMITS,
          outbox: outboxOptions,
        });
        started.push(other);
      }
      // The windows of the greetings have passed: the burst has the whole budget.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      api.resetStats();
      const db = first.db.database.db;
      const begin = performance.now();
      // A mute, its lift, a mute again: the member must end muted, i.e. the three went in order.
      const memberAction = (k: number) => (k === 1 ? 'unmute' : 'mute');
      // Only the burst's actions count (the rules gate muted the member when they came in).
      const [last] = await db.select({ id: sql<number>`coalesce(max(${outbox.id}), 0)::int` }).from(outbox);
      const after = Number(last?.id ?? 0);
      await transact(db, first.clock, async (work) => {
        for (let k = 0; k < PER_CHAT; k += 1) {
          for (const chatId of chatIds) {
            const chat = { platform: 'telegram' as const, platformChatId: String(chatId) };
            await work.enqueue(
              members
                ? { type: memberAction(k), chat, userId: String(parent.id) }
                : { type: 'send', chat, text: `Объявление ${k + 1}` },
            );
          }
        }
        if (members)
          for (const chatId of chatIds.slice(0, OTHERS)) {
            const chat = { platform: 'telegram' as const, platformChatId: String(chatId) };
            await work.enqueue({ type: 'mute', chat, userId: String(other.id) });
          }
      });
      for (const h of started) h.app.outbox.wake();
      const total = CHATS * PER_CHAT + (members ? OTHERS : 0);
      const sent = async () => {
        const [row] = await db
          .select({ n: sql<number>`count(*)::int` })
          .from(outbox)
          .where(
            members
              ? sql`${outbox.status} = 'done' and ${outbox.id} > ${after} and ${outbox.action} ->> 'type' in ('mute', 'unmute')`
              : sql`${outbox.status} = 'done' and ${outbox.action} ->> 'text' like 'Объявление %'`,
          );
        return Number(row?.n ?? 0);
      };
      while ((await sent()) < total && performance.now() - begin < 30_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const seconds = (performance.now() - begin) / 1000;
      // What the limits allow: 30 a second overall (the first 30 at once), each chat's three a second apart;
      // the bot keeps a 5% margin on every window.
      const allowed = Math.max(((total - 30) / 30) * 1.05, (PER_CHAT + (members ? 0 : -1)) * 1.05);
      console.log(
        `${total} ${kind} by ${replicas} replica(s): ${seconds.toFixed(2)} s (the limits allow ${allowed.toFixed(2)} s)`,
      );

      expect(await sent()).toBe(total);
      expect(api.stats().tooManyRequests).toBe(0);
      expect(api.stats().rateLimited).toBe(0);
      expect(api.stats().rateLimitedMemberActions).toBe(0);
      for (const chatId of chatIds) {
        if (members) {
          expect(api.member(chatId, parent).status).toBe('restricted');
          if (chatIds.indexOf(chatId) < OTHERS) expect(api.member(chatId, other).status).toBe('restricted');
          continue;
        }
        const texts = api.botMessages(chatId).map((message) => message.text);
        expect(texts.filter((text) => text?.startsWith('Объявление'))).toEqual([
          'Объявление 1',
          'Объявление 2',
          'Объявление 3',
        ]);
      }
      if (replicas > 1) {
        // Both replicas did part of the work (each records its claims under its own token).
        const tokens = await db
          .selectDistinct({ token: outbox.claimToken })
          .from(outbox)
          .where(eq(outbox.status, 'done'));
        expect(tokens.length).toBeGreaterThanOrEqual(2);
      }
      // Near what the limits allow: the shared budget does not serialise the replicas or idle between sends.
      // The embedded database runs in the test's own thread, with the bot and the fake: more slack there.
      expect(seconds).toBeLessThan(allowed * (replicas > 1 ? 1.5 : 2) + 1.5);
      await api.stop();
    },
  );
});
