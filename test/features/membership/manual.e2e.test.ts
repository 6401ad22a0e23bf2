import { eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLog } from '../../../src/db/schema.js';
import { Harness } from '../../support/harness.js';
import {
  classChat,
  lastBotText,
  lastPrivateText,
  openPrivateChat,
  SENT_PRIVATELY,
} from '../../support/school.js';

describe('4.13.7 a removal or restriction made by hand is logged and the other moderators are told', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('logs who removed a member by hand and tells another moderator privately that no rule was cited', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna, boris] = c.parents as [User, User];
    h.api.promote(c.chatId, boris, { can_restrict_members: true, can_delete_messages: true }, c.teacher);
    h.api.privateMessage(boris, '/start');
    await h.settle();
    h.api.removeMember(c.chatId, anna, c.teacher, { ban: true });
    await h.settle();
    const [entry] = await h.db.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'manual_removal'));
    expect(entry).toMatchObject({
      actorKind: 'moderator',
      actorName: 'Мария Ивановна',
      reason: 'no rule cited',
    });
    expect(h.api.lastBotMessage(boris.id)?.text).toBe(
      'Чат «7Б»: удаление из чата вручную, без ссылки на правило чата. Кого удалили: Анна Петрова. Кто удалил: Мария Ивановна. По положению (п. 4.13.7) удалять и блокировать можно только за нарушение правил: если это ошибка, верните участника в чат. Действие записано в журнал модерации.',
    );
    await openPrivateChat(h, c.teacher);
    h.api.sendMessage(c.chatId, c.teacher, '/log 1');
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe(SENT_PRIVATELY('log'));
    expect(lastPrivateText(h, c.teacher)).toMatch(
      /Анна Петрова: удаление из чата вручную, без ссылки на правило \(администратор: Мария Ивановна\)$/,
    );
  });

  it('says nothing of the bot’s own block', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const anna = c.parents[0] as User;
    for (const rule of [1, 1, 1, 2]) {
      const message = h.api.sendMessage(c.chatId, anna, 'реклама');
      h.api.sendMessage(c.chatId, c.teacher, `/strike ${rule}`, { replyTo: message.message_id });
      await h.settle();
    }
    expect(h.api.member(c.chatId, anna).status).toBe('restricted');
    const manual = await h.db.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'manual_restriction'));
    expect(manual).toEqual([]);
  });
});
