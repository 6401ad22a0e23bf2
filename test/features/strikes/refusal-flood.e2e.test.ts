import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { TELEGRAM_LIMITS } from '../../../src/outbox/pacer.js';
import { Harness } from '../../support/harness.js';
import { botTexts, classChat } from '../../support/school.js';

describe('4.13.5 a flood of refused commands does not hold up a block', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('mutes the member within 2 s of the strike while 40 of their refused commands wait', async () => {
    h = await Harness.start({ pacing: TELEGRAM_LIMITS });
    const c = await classChat(h);
    const anna = c.parents[0] as User;
    for (const rule of [1, 2, 3]) {
      const message = h.api.sendMessage(c.chatId, anna, 'Реклама');
      h.api.sendMessage(c.chatId, c.teacher, `/strike ${rule}`, { replyTo: message.message_id });
    }
    await h.settle();
    const teacherMessage = h.api.sendMessage(c.chatId, c.teacher, 'Собрание в пятницу');
    for (let n = 0; n < 40; n += 1) {
      h.api.sendMessage(c.chatId, anna, '/strike 1', { replyTo: teacherMessage.message_id });
    }
    const last = h.api.sendMessage(c.chatId, anna, 'Реклама снова');
    const started = Date.now();
    h.api.sendMessage(c.chatId, c.teacher, '/strike 2', { replyTo: last.message_id });
    const restricted = () =>
      h?.api.calls.some(
        (call) => call.method === 'restrictChatMember' && Number(call.params.user_id) === anna.id,
      ) ?? false;
    while (!restricted() && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(restricted()).toBe(true);
    expect(Date.now() - started).toBeLessThanOrEqual(2000);
    // The member's refusals were answered twice, not forty times.
    const refusals = botTexts(h, c.chatId).filter((text) => text.startsWith('Эта команда доступна только'));
    expect(refusals.length).toBeLessThanOrEqual(2);
  });
});
