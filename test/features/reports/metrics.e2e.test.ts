import { eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLog } from '../../../src/db/schema.js';
import { Harness } from '../../support/harness.js';
import { botTexts, classChat } from '../../support/school.js';

async function metrics(h: Harness): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${h.bot.httpPort}/metrics`);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

const value = (text: string, series: string) =>
  Number(new RegExp(`^${series.replace(/[{}"()]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('/metrics and failure reports', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('counts updates, commands, actions, jobs, blocks and the outbox in Prometheus format', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const anna = c.parents[0] as User;
    for (let i = 0; i < 4; i += 1) {
      const message = h.api.sendMessage(c.chatId, anna, 'реклама');
      h.api.sendMessage(c.chatId, c.teacher, '/strike 2', { replyTo: message.message_id });
      await h.settle();
    }
    await h.app.jobs.run('lift-due-blocks');
    const text = await metrics(h);
    expect(text).toContain('# TYPE ccm_updates_total counter');
    expect(value(text, 'ccm_commands_total{command="strike"}')).toBe(4);
    expect(value(text, 'ccm_commands_total{command="setrules"}')).toBe(1);
    expect(value(text, 'ccm_actions_total{outcome="done",type="mute"}')).toBe(1);
    expect(value(text, 'ccm_updates_total{kind="message"}')).toBeGreaterThanOrEqual(6);
    expect(value(text, 'ccm_blocks_active')).toBe(1);
    expect(value(text, 'ccm_votes_open')).toBe(0);
    expect(value(text, 'ccm_outbox_pending')).toBe(0);
    expect(value(text, 'ccm_job_runs_total{job="lift-due-blocks"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^ccm_job_last_duration_seconds\{job="lift-due-blocks"\} \d/m);
  });

  it('records an action that failed for good and tells the moderators once an hour', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const anna = c.parents[0] as User;
    const refusal = {
      status: 400 as const,
      description: 'Bad Request: not enough rights to delete a message',
    };
    h.api.fail('deleteMessage', refusal, { times: 4 });
    for (let i = 0; i < 2; i += 1) {
      const spam = h.api.sendMessage(c.chatId, anna, 'спам');
      h.api.sendMessage(c.chatId, c.teacher, '/del', { replyTo: spam.message_id });
      await h.settle();
    }
    const reports = botTexts(h, c.chatId).filter((text) => text.startsWith('Не удалось удалить сообщение'));
    expect(reports).toEqual([
      // No moderator has a private chat with the bot: the group reads what is wrong, unnamed, and how to get the details.
      'Не удалось удалить сообщение — у меня нет права «Удаление сообщений». Проверьте мои права администратора.\nПодробности бот присылает модераторам в личные сообщения. Чтобы их получать, откройте личный чат с ботом: https://t.me/class_moderator_bot?start=answers',
    ]);
    const failures = await h.db.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'action_failed'));
    expect(failures).toHaveLength(4);
    const text = await metrics(h);
    expect(value(text, 'ccm_actions_total{outcome="failed",type="delete"}')).toBe(4);
  });
});
