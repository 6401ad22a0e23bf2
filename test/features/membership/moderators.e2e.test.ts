import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../../src/lib/clock.js';
import { Harness } from '../../support/harness.js';
import { api, school } from '../../support/roster.js';
import {
  botTexts,
  lastBotText,
  lastPrivateText,
  openPrivateChat,
  SENT_PRIVATELY,
} from '../../support/school.js';

describe('4.13.2 the moderator is a teacher: in a school chat, administrators linked to staff moderate', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** The 7Б class chat with Oleg (staff T1) made an administrator next to the chat's creator. */
  async function withStaffAdmin(hh: Harness, link: boolean) {
    const s = await school(hh);
    const chat = s.chats.classChat;
    hh.api.promote(chat, s.people.oleg, { can_restrict_members: true, can_delete_messages: true }, s.teacher);
    await hh.settle();
    if (!link) {
      // The school helper links Oleg to T1; undo it for the "not linked yet" case.
      await hh.db.database.db.execute(
        sql`delete from person_accounts where person_id in (select id from persons where external_id = 'T1')`,
      );
    }
    hh.app.services.moderatorRules.clear();
    return { s, chat };
  }

  it('refuses a moderator command from an administrator not linked to staff, and says how to become one', async () => {
    h = await Harness.start();
    const { s, chat } = await withStaffAdmin(h, true);
    h.api.sendMessage(chat, s.teacher, '/settings strike_limit 5');
    await h.settle();
    expect(lastBotText(h, chat)).toBe(
      'Модерировать этот чат могут только администраторы — сотрудники школы. Чтобы стать модератором, откройте личное приглашение школы или попросите модератора ответить на ваше сообщение командой /link staff:<ваш номер в списке школы>.',
    );
    h.api.sendMessage(chat, s.people.oleg, '/settings strike_limit 5');
    await h.settle();
    expect(lastBotText(h, chat)).toBe(
      'Настройка «Допустимо предупреждений» изменена: 5, блокировка — за 6-е нарушение.',
    );
  });

  it('lets every administrator moderate until one is linked to staff, and /settings says so', async () => {
    h = await Harness.start();
    const { s, chat } = await withStaffAdmin(h, false);
    await openPrivateChat(h, s.teacher);
    h.api.sendMessage(chat, s.teacher, '/settings');
    await h.settle();
    expect(lastBotText(h, chat)).toBe(SENT_PRIVATELY('settings'));
    expect(lastPrivateText(h, s.teacher)).toContain('Сейчас модерируют все администраторы чата');
    const olegMessage = h.api.sendMessage(chat, s.people.oleg, 'Я Олег Сидорович');
    h.api.sendMessage(chat, s.teacher, '/link staff:T1', { replyTo: olegMessage.message_id });
    await h.settle();
    h.clock.advance(MINUTE);
    h.api.sendMessage(chat, s.teacher, '/settings strike_limit 5');
    await h.settle();
    // With a private chat open, the refusal goes there.
    expect(lastPrivateText(h, s.teacher)).toContain(
      'Модерировать этот чат могут только администраторы — сотрудники школы.',
    );
  });

  it('4.13.8: an administrator whose employment ended stops moderating at once; the API and the other administrators are told', async () => {
    h = await Harness.start();
    const { s, chat } = await withStaffAdmin(h, true);
    h.api.privateMessage(s.teacher, '/start');
    await h.settle();
    const answer = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: { events: [{ id: 'd-T1', type: 'staff.departed', staffId: 'T1' }] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.needsAttention).toEqual(
      expect.arrayContaining([
        { chat: { id: expect.any(Number), title: '7Б' }, person: { kind: 'staff', id: 'T1' } },
      ]),
    );
    await h.settle();
    expect(botTexts(h, s.teacher.id)).toEqual(
      expect.arrayContaining([expect.stringContaining('Олег Сидоров больше не работает в школе')]),
    );
    expect(h.api.member(chat, s.people.oleg).status).toBe('administrator');
    h.api.sendMessage(chat, s.people.oleg, '/settings strike_limit 6');
    await h.settle();
    expect(lastBotText(h, chat)).toContain(
      'Модерировать этот чат могут только администраторы — сотрудники школы.',
    );
  });
});
