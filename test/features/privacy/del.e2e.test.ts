import { eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLog } from '../../../src/db/schema.js';
import { Harness } from '../../support/harness.js';
import {
  botTexts,
  classChat,
  lastPrivateText,
  openPrivateChat,
  SENT_PRIVATELY,
} from '../../support/school.js';

describe('4.13 privacy in class chats: /del', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('4.13 privacy: /del keeps no excerpt of the deleted message — who deleted, when, whose, and the rule if given', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const [anna, boris] = c.parents as [User, User];
    await openPrivateChat(h, c.teacher);
    const secret = h.api.sendMessage(c.chatId, anna, 'Телефон Бориса: +7 900 000-00-00');
    const other = h.api.sendMessage(c.chatId, boris, 'Реклама курсов');
    const before = botTexts(h, c.chatId).length;
    const first = h.api.sendMessage(c.chatId, c.teacher, '/del 4', { replyTo: secret.message_id });
    const second = h.api.sendMessage(c.chatId, c.teacher, '/del', { replyTo: other.message_id });
    await h.settle();
    const deleted = (id: number) => h?.api.messages(c.chatId).find((m) => m.message_id === id)?.deleted;
    for (const id of [secret.message_id, other.message_id, first.message_id, second.message_id]) {
      expect(deleted(id)).toBe(true);
    }
    expect(botTexts(h, c.chatId).slice(before)).toEqual([]);

    const entries = await h.db.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'message_deleted'));
    expect(entries).toHaveLength(2);
    expect(entries.map((entry) => entry.ruleNumber).sort()).toEqual([4, null]);
    for (const entry of entries) {
      expect(entry.actorName).toBe('Мария Ивановна');
      expect(entry.at).toBeInstanceOf(Date);
      expect(entry.details).not.toHaveProperty('excerpt');
      expect(JSON.stringify(entry)).not.toContain('900');
      expect(JSON.stringify(entry)).not.toContain('Реклама');
    }

    // A rule that the chat does not have is refused, and nothing is deleted.
    const third = h.api.sendMessage(c.chatId, anna, 'ещё');
    h.api.sendMessage(c.chatId, c.teacher, '/del 9', { replyTo: third.message_id });
    await h.settle();
    expect(botTexts(h, c.chatId).at(-1)).toBe('В правилах этого чата нет пункта 9. Правила: /rules.');
    expect(deleted(third.message_id)).toBeFalsy();

    h.api.sendMessage(c.chatId, c.teacher, '/log 2');
    await h.settle();
    expect(botTexts(h, c.chatId).at(-1)).toBe(SENT_PRIVATELY('log'));
    const log = lastPrivateText(h, c.teacher).split('\n');
    expect(log[2]).toMatch(/— Борис Смирнов: сообщение удалено \(модератор: Мария Ивановна\)$/);
    expect(log[3]).toMatch(/— Анна Петрова: сообщение удалено по правилу 4 \(модератор: Мария Ивановна\)$/);
  });
});
