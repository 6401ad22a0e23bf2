import { asc, eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { outbox, strikes } from '../../src/db/schema.js';
import { failNextInserts } from '../support/faults.js';
import { Harness } from '../support/harness.js';
import { freePort, waitFor } from '../support/net.js';
import { classChat as schoolChat } from '../support/school.js';

/** A chat with a teacher (creator), a parent and the bot as a full administrator. */
function classChat(h: Harness, type: 'supergroup' | 'group' = 'supergroup') {
  const teacher = h.api.createUser({ first_name: 'Мария' });
  const parent = h.api.createUser({ first_name: 'Пётр' });
  const chat = h.api.createChat({ type, title: '8А' });
  h.api.addMember(chat.id, teacher, { status: 'creator' });
  h.api.addMember(chat.id, parent, { by: teacher });
  h.api.addBot(chat.id, {
    by: teacher,
    status: 'administrator',
    rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
  });
  return { teacher, parent, chatId: chat.id as number };
}

const replies = (h: Harness, chatId: number, fragment: string) =>
  h.api.botMessages(chatId).filter((message) => (message.text ?? '').includes(fragment)).length;

describe('the Telegram connector under faults', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('retries a send after 5xx and after 429 with retry_after, and sends it once', async () => {
    h = await Harness.start();
    const { parent, chatId } = classChat(h);
    await h.settle();
    h.api.fail('sendMessage', { status: 502 }, { times: 2 });
    h.api.sendMessage(chatId, parent, '/rules');
    await waitFor(() => replies(h!, chatId, 'Правила чата') === 1, 'the rules after two 502s');
    h.api.fail('sendMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    h.api.sendMessage(chatId, parent, '/rules');
    await waitFor(() => replies(h!, chatId, 'Правила чата') === 2, 'the rules after a 429');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await h.settle();
    expect(replies(h, chatId, 'Правила чата')).toBe(2);
  });

  it("waits out a 429's retry_after: the chat's next call of that method comes after it, not at once", async () => {
    h = await Harness.start();
    // The bot's first read of the administrators, as it joins, is refused with «retry after 2».
    h.api.fail('getChatAdministrators', { status: 429, retryAfter: 2 });
    const { teacher, chatId } = classChat(h);
    // The teacher's command needs the administrators, which were never read: the bot must ask again, later.
    h.api.sendMessage(chatId, teacher, '/setrules\nБез рекламы');
    await waitFor(
      () => h!.api.callsTo('getChatAdministrators').some((call) => call.ok),
      'the administrators read after the 429',
    );
    await h.settle();
    expect(h.api.stats().earlyRetries).toEqual([]);
    h.api.sendMessage(chatId, teacher, '/rules');
    await h.settle();
    expect(h.api.lastBotMessage(chatId)?.text).toContain('Без рекламы');
  });

  it('records an action that keeps failing as failed, with the reason, and goes on with the next', async () => {
    h = await Harness.start();
    const { parent, chatId } = classChat(h);
    await h.settle();
    h.api.fail(
      'sendMessage',
      { status: 400, description: 'Bad Request: something Telegram dislikes' },
      { times: 1 },
    );
    h.api.sendMessage(chatId, parent, '/rules');
    h.api.sendMessage(chatId, parent, '/help');
    await waitFor(() => replies(h!, chatId, 'Команды для участников') === 1, 'the help after a failed send');
    const failed = await h.db.database.db.select().from(outbox).where(eq(outbox.status, 'failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]?.lastError).toContain('something Telegram dislikes');
    expect(replies(h, chatId, 'Правила чата')).toBe(0);
  });

  it('retries an update whose handling failed (polling), so its effect happens once', async () => {
    h = await Harness.start();
    const { parent, chatId } = classChat(h);
    await h.settle();
    await failNextInserts(h.db.database, 'outbox', 2);
    h.api.sendMessage(chatId, parent, '/rules');
    await waitFor(() => replies(h!, chatId, 'Правила чата') === 1, 'the rules after two failed attempts');
    await h.settle();
    expect(replies(h, chatId, 'Правила чата')).toBe(1);
  });

  it("keeps a chat's order when an update fails: the next one waits for its retry", async () => {
    h = await Harness.start();
    const c = await schoolChat(h);
    const [anna] = c.parents as [User];
    const first = h.api.sendMessage(c.chatId, anna, 'Реклама раз');
    const second = h.api.sendMessage(c.chatId, anna, 'Реклама два');
    await h.settle();
    // The first /strike fails once; the second, right behind it, must not overtake it.
    await failNextInserts(h.db.database, 'strikes', 1);
    h.api.sendMessage(c.chatId, c.teacher, '/strike 1', { replyTo: first.message_id });
    h.api.sendMessage(c.chatId, c.teacher, '/strike 2', { replyTo: second.message_id });
    await waitFor(async () => (await h!.db.database.db.select().from(strikes)).length === 2, 'both strikes');
    await h.settle();
    const recorded = await h.db.database.db.select().from(strikes).orderBy(asc(strikes.id));
    expect(recorded.map((strike) => strike.ruleNumber)).toEqual([1, 2]);
    const announced = h.api
      .botMessages(c.chatId)
      .map((message) => message.text ?? '')
      .filter((text) => text.startsWith('Предупреждение'));
    expect(announced).toHaveLength(2);
    expect(announced[0]).toContain('правило 1');
    expect(announced[1]).toContain('правило 2');
  });

  it('answers the webhook 500 while handling fails, so Telegram redelivers, and drops a repeated update', async () => {
    const port = await freePort();
    h = await Harness.start({
      env: {
        HTTP_PORT: String(port),
        BOT_MODE: 'webhook',
        WEBHOOK_URL: `http://127.0.0.1:${port}/tg`,
        WEBHOOK_SECRET: 'secret',
      },
    });
    const { parent, chatId } = classChat(h);
    await waitFor(() => h!.api.pendingUpdates().length === 0, 'webhook deliveries');
    await h.settle();
    // Three quick attempts within a request, then 500; Telegram's redelivery gets the fourth and more.
    await failNextInserts(h.db.database, 'outbox', 4);
    const asked = h.api.sendMessage(chatId, parent, '/rules');
    await waitFor(() => replies(h!, chatId, 'Правила чата') === 1, 'the rules through redelivery');
    const statuses = h.api.webhookDeliveries
      .filter((delivery) => delivery.update_id === h!.api.webhookDeliveries.at(-1)?.update_id)
      .map((delivery) => delivery.status);
    expect(statuses).toEqual([500, 200]);

    // Telegram may deliver an update twice (a timeout on its side): the second copy changes nothing.
    const update = {
      update_id: 999_001,
      message: { ...asked, message_id: asked.message_id + 1000, text: '/rules' },
    };
    const post = () =>
      fetch(`http://127.0.0.1:${port}/tg`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'secret' },
        body: JSON.stringify(update),
      });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    await h.settle();
    expect(replies(h, chatId, 'Правила чата')).toBe(2);
  });

  it('moves a basic group to its new supergroup id with its rules and settings', async () => {
    h = await Harness.start();
    const { teacher, parent, chatId } = classChat(h, 'group');
    await h.settle();
    expect(h.api.lastBotMessage(chatId)?.text).toContain('обычная группа');
    h.api.sendMessage(chatId, teacher, '/setrules\nПравило группы');
    h.api.sendMessage(chatId, teacher, '/settings strike_limit 5');
    await h.settle();
    const supergroup = h.api.migrateToSupergroup(chatId, teacher as User);
    await h.settle();
    h.api.sendMessage(supergroup.id, parent, '/rules');
    await h.settle();
    const text = h.api.lastBotMessage(supergroup.id)?.text ?? '';
    expect(text).toContain('1. Правило группы');
    expect(text).toContain('За 6-е нарушение — блокировка на');
  });

  it('reports /healthz degraded when the Bot API is unreachable', async () => {
    const port = await freePort();
    h = await Harness.start({ env: { HTTP_PORT: String(port) } });
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ok', database: 'ok', telegram: 'ok' });
    await h.api.stop();
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 503,
      'a degraded health check',
    );
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({
      status: 'degraded',
      database: 'ok',
      telegram: 'unreachable',
    });
  });

  it('starts during a Telegram outage of five failed tries, and then works', async () => {
    h = await Harness.start({ captureLogs: true });
    const { parent, chatId } = classChat(h);
    await h.settle();
    await h.bot.stop();
    // Telegram answers 502 to the first five «who am I» calls (0.5 + 1 + 2 + 4 + 8 s of pauses after them).
    h.api.fail('getMe', { status: 502 }, { times: 5 });
    const calls = h.api.callsTo('getMe').length;
    await h.restart();
    expect(h.api.callsTo('getMe').length - calls).toBe(6);
    expect(h.logLines.some((line) => line.includes('asking the API who the bot is failed at start-up'))).toBe(
      true,
    );
    h.api.sendMessage(chatId, parent, '/rules');
    await waitFor(() => replies(h!, chatId, 'Правила чата') === 1, 'the rules after the outage');
  }, 40_000);
});
