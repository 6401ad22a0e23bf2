import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../../support/harness.js';
import { api, school } from '../../support/roster.js';
import { passVoteClose } from '../../support/votes.js';

/** What the school's roster calls the people of 7Б, as the school's system spells them. */
const ROSTER_NAMES = {
  ivan: 'Иван Андреевич Петров-Водкин',
  anna: 'Анна Сергеевна Петрова-Водкина',
} as const;

/** The moderator's free-text reasons: they belong to the audit log and Anna's private chat only. */
const REASONS = [
  'грубила классному руководителю',
  'выложила фото чужого ребёнка',
  'реклама пирогов',
  'снова грубость',
];

describe('4.13.5–4.13.6 privacy: a parents’ chat of a school lives through a strike, a block, an apology and a vote', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('never shows a roster name or a moderator’s reason in the group', async () => {
    h = await Harness.start();
    const s = await school(h);
    const chatId = s.chats.parents7;
    const { anna, boris, vera } = s.people;
    // The school's system renames its records with full names (the roster's, not the messenger's).
    const renamed = await api(h, 'POST', '/api/v1/roster/events', {
      token: s.token,
      body: {
        events: [
          { id: 'r1', type: 'student.enrolled', studentId: 'S1', classCode: '7Б', name: ROSTER_NAMES.ivan },
          { id: 'r2', type: 'guardian.linked', guardianId: 'G1', studentId: 'S1', name: ROSTER_NAMES.anna },
        ],
      },
    });
    expect(renamed.status).toBe(200);
    h.api.privateMessage(s.teacher, '/start');
    h.api.privateMessage(anna, '/start');
    await h.settle();

    for (const [index, reason] of REASONS.entries()) {
      const message = h.api.sendMessage(chatId, anna, `Сообщение ${index + 1}`);
      h.api.sendMessage(chatId, s.teacher, `/strike ${(index % 4) + 1} ${reason}`, {
        replyTo: message.message_id,
      });
      await h.settle();
    }
    expect(h.api.member(chatId, anna).status).toBe('restricted');

    h.api.privateMessage(anna, '/apologize Простите, больше не повторится.');
    await h.settle();
    h.api.sendMessage(chatId, s.teacher, `/unblock ${anna.id}`);
    await h.settle();
    const vote = h.api
      .botMessages(chatId)
      .find((m) => (m.text ?? '').includes('голосование о досрочном снятии блокировки') && m.reply_markup);
    expect(vote).toBeDefined();
    const noObjection = vote?.reply_markup?.inline_keyboard[0]?.[1];
    const data = noObjection && 'callback_data' in noObjection ? noObjection.callback_data : '';
    for (const voter of [boris, vera] as User[])
      h.api.pressButton(chatId, vote?.message_id ?? 0, voter, data);
    await h.settle();
    await passVoteClose(h.db.database, h.clock);
    await h.app.jobs.run('close-due-votes');
    await h.settle();
    expect(h.api.member(chatId, anna).status).toBe('member');

    // Anna was told privately why; the group never was.
    const annaPrivate = h.api
      .botMessages(anna.id)
      .map((m) => m.text ?? '')
      .join('\n');
    expect(annaPrivate).toContain(REASONS[0]);
    // Everything the bot ever showed in the group (every version, even of messages it later deleted) and
    // what members left there: a moderator's /strike with its reason is removed once recorded.
    const group = h.api
      .messages(chatId)
      .filter((m) => m.fromBot || !m.deleted)
      .flatMap((m) => [m.text ?? '', ...m.history.map((version) => version.text ?? '')]);
    const groupText = group.join('\n');
    expect(group.length).toBeGreaterThan(8);
    for (const name of Object.values(ROSTER_NAMES)) expect(groupText).not.toContain(name);
    for (const reason of REASONS) expect(groupText).not.toContain(reason);
    // The bot's own messages name Anna only as the messenger shows her.
    const botText = h.api
      .botMessages(chatId)
      .map((m) => m.text ?? '')
      .join('\n');
    expect(botText).toContain('Анна Петрова');
  });
});
