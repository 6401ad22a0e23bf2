import type { User } from 'telegraf/types';
import { Temporal } from 'temporal-polyfill';
import { afterEach, describe, expect, it } from 'vitest';
import type { AdjustableClock } from '../../../src/lib/clock.js';
import { Harness } from '../../support/harness.js';
import { botTexts, classChat } from '../../support/school.js';

/** Moves the clock to the next `hh:mm` in Moscow (the bot's default TIMEZONE). */
function advanceToLocal(clock: AdjustableClock, hour: number, minute: number) {
  const now = Temporal.Instant.fromEpochMilliseconds(clock.now().getTime()).toZonedDateTimeISO(
    'Europe/Moscow',
  );
  let target = now.with({ hour, minute, second: 0, millisecond: 0 });
  if (Temporal.ZonedDateTime.compare(target, now) <= 0) target = target.add({ days: 1 });
  clock.advanceTo(new Date(target.epochMilliseconds));
}

describe('quiet hours and announcement-only chats on Telegram: read-only for members, permissions saved and restored', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('is off by default: the chat keeps its permissions at night', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    advanceToLocal(h.clock, 23, 0);
    await h.app.jobs.run('quiet-hours');
    await h.settle();
    expect(h.api.chat(c.chatId).permissions?.can_send_messages).toBe(true);
    expect(h.api.callsTo('setChatPermissions')).toHaveLength(0);
  });

  it('closes the chat at the start and gives back the saved permissions at the end, across a restart', async () => {
    h = await Harness.start();
    // The chat's own permissions before the night: no polls.
    const c = await classChat(h, {
      settings: { quiet_hours: '22:00-07:00' },
      permissions: { can_send_polls: false },
    });
    expect(botTexts(h, c.chatId).at(-1)).toBe('Настройка «Тихие часы» изменена: с 22:00 до 07:00.');
    advanceToLocal(h.clock, 22, 1);
    await h.app.jobs.run('quiet-hours');
    await h.settle();
    expect(h.api.chat(c.chatId).permissions?.can_send_messages).toBe(false);
    await h.restart();
    advanceToLocal(h.clock, 6, 59);
    await h.app.jobs.run('quiet-hours');
    await h.settle();
    expect(h.api.chat(c.chatId).permissions?.can_send_messages).toBe(false);
    advanceToLocal(h.clock, 7, 1);
    await h.app.jobs.run('quiet-hours');
    await h.settle();
    expect(h.api.chat(c.chatId).permissions).toMatchObject({
      can_send_messages: true,
      can_send_polls: false,
    });
  });

  it('/settings announce_only on makes the chat read-only for members until it is turned off', async () => {
    h = await Harness.start();
    const c = await classChat(h, { settings: { announce_only: 'on' } });
    await h.app.jobs.run('quiet-hours');
    await h.settle();
    expect(h.api.chat(c.chatId).permissions?.can_send_messages).toBe(false);
    h.api.sendMessage(c.chatId, c.teacher, '/settings announce_only off');
    await h.settle();
    await h.app.jobs.run('quiet-hours');
    await h.settle();
    expect(h.api.chat(c.chatId).permissions?.can_send_messages).toBe(true);
  });
  it('a block lifted during quiet hours leaves the member under the chat’s permissions: they write again in the morning', async () => {
    h = await Harness.start();
    // The strikes are given by day, whenever the suite runs (at night the chat would be closed already).
    advanceToLocal(h.clock, 12, 0);
    const c = await classChat(h, { settings: { quiet_hours: '22:00-07:00' } });
    const [anna] = c.parents as [User];
    let last = 0;
    for (const rule of [1, 2, 2, 3]) {
      last = h.api.sendMessage(c.chatId, anna, `Сообщение ${rule}`).message_id;
      h.api.sendMessage(c.chatId, c.teacher, `/strike ${rule}`, { replyTo: last });
      await h.settle();
    }
    expect(h.api.member(c.chatId, anna).status).toBe('restricted');
    advanceToLocal(h.clock, 23, 0);
    await h.app.jobs.run('quiet-hours');
    await h.settle();
    h.api.sendMessage(c.chatId, c.teacher, '/unstrike ошибка', { replyTo: last });
    await h.settle();
    // No individual restriction is left: the member follows the chat's (night) permissions.
    expect(h.api.member(c.chatId, anna).status).toBe('member');
    advanceToLocal(h.clock, 7, 1);
    await h.app.jobs.run('quiet-hours');
    await h.settle();
    expect(h.api.chat(c.chatId).permissions?.can_send_messages).toBe(true);
    expect(h.api.member(c.chatId, anna).status).toBe('member');
  });
});
