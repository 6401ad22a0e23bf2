import { eq } from 'drizzle-orm';
import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLog, ballots as ballotsTable, blocks, votes } from '../../../src/db/schema.js';
import { DAY, HOUR, MINUTE } from '../../../src/lib/clock.js';
import type { RecordedMessage } from '../../support/fake-bot-api/index.js';
import { Harness } from '../../support/harness.js';
import { botTexts, type ClassChat, classChat, lastBotText } from '../../support/school.js';
import { sharedHarness } from '../../support/shared-harness.js';
import { passVoteClose } from '../../support/votes.js';

const PARENTS = ['Анна Петрова', 'Борис Смирнов', 'Вера Козлова', 'Галина Орлова', 'Денис Лебедев'];

/** Anna breaks the rules four times (the limit is 3): she is blocked (read-only) for 7 days. */
async function blockedAnna(
  h: Harness,
  settings: Record<string, string> = {},
): Promise<ClassChat & { anna: User }> {
  const c = await classChat(h, { parents: PARENTS, settings });
  const anna = c.parents[0] as User;
  for (const rule of [2, 2, 2, 3]) {
    const message = h.api.sendMessage(c.chatId, anna, 'Покупайте пироги');
    h.api.sendMessage(c.chatId, c.teacher, `/strike ${rule}`, { replyTo: message.message_id });
    await h.settle();
  }
  expect(h.api.member(c.chatId, anna).status).toBe('restricted');
  return { ...c, anna };
}

function voteMessage(h: Harness, chatId: number): RecordedMessage | undefined {
  return h.api
    .botMessages(chatId)
    .find((message) =>
      (message.text ?? '').includes(': голосование о досрочном снятии блокировки (п. 4.13.6'),
    );
}

function ballotData(message: RecordedMessage | undefined, which: 0 | 1): string {
  const button = message?.reply_markup?.inline_keyboard[0]?.[which];
  return button && 'callback_data' in button ? (button.callback_data ?? '') : '';
}

async function apologise(h: Harness, anna: User, text = 'Простите, пожалуйста, больше не повторится.') {
  h.api.privateMessage(anna, `/apologize ${text}`);
  await h.settle();
}

async function openVote(h: Harness, c: ClassChat, anna: User) {
  h.api.sendMessage(c.chatId, c.teacher, `/unblock ${anna.id}`);
  await h.settle();
  const message = voteMessage(h, c.chatId);
  expect(message).toBeDefined();
  return message;
}

/**
 * A vote nobody objects to, stage by stage as one chat lives it; each stage starts where the one before it
 * ended. First a moderator tries /unblock on Anna's message before she has apologised.
 */
async function unblockBeforeApology(h: Harness) {
  const c = await blockedAnna(h);
  const annaMessage = h.api.messages(c.chatId).find((m) => m.from.id === c.anna.id && !m.service);
  h.api.sendMessage(c.chatId, c.teacher, '/unblock', { replyTo: annaMessage?.message_id ?? 0 });
  await h.settle();
  return c;
}

/** … then Anna apologises in a private chat with the bot. */
async function apologyAfterRefusal(h: Harness) {
  const c = await unblockBeforeApology(h);
  await apologise(h, c.anna);
  return c;
}

/** … and the moderator answers the bot's announcement of the apology with /unblock. */
async function voteOnApology(h: Harness) {
  const c = await apologyAfterRefusal(h);
  const announcement = h.api.lastBotMessage(c.chatId);
  h.api.sendMessage(c.chatId, c.teacher, '/unblock', { replyTo: announcement?.message_id ?? 0 });
  await h.settle();
  return { ...c, vote: voteMessage(h, c.chatId) };
}

/**
 * … the moderator tries to open a second vote; Boris, Vera and Galina press «Не возражаю», and so does
 * Anna; the vote message is re-rendered twice, four seconds apart.
 */
async function votesCast(h: Harness) {
  const c = await voteOnApology(h);
  const [, boris, vera, galina] = c.parents as [User, User, User, User];
  h.api.sendMessage(c.chatId, c.teacher, `/unblock ${c.anna.id}`);
  await h.settle();
  const noObjection = ballotData(c.vote, 1);
  const presses = [boris, vera, galina].map((voter) =>
    h.api.pressButton(c.chatId, c.vote?.message_id ?? 0, voter, noObjection),
  );
  const own = h.api.pressButton(c.chatId, c.vote?.message_id ?? 0, c.anna, noObjection);
  await h.settle();
  await h.app.jobs.run('render-votes');
  h.clock.advance(4000);
  await h.app.jobs.run('render-votes');
  await h.settle();
  return { ...c, presses, own };
}

/** … and the vote closes when its 24 hours are up. */
async function closedWithoutObjection(h: Harness) {
  const c = await votesCast(h);
  await passVoteClose(h.db.database, h.clock);
  await h.settle();
  await h.app.jobs.run('close-due-votes');
  await h.settle();
  return c;
}

/** The vote message as it is now (edits included). */
function current(h: Harness, chatId: number, vote: RecordedMessage | undefined) {
  return h.api.messages(chatId).find((m) => m.message_id === vote?.message_id);
}

describe('4.13.6 early reinstatement: an apology, a vote and no objection', () => {
  describe('before the member has apologised', () => {
    const story = sharedHarness(unblockBeforeApology);

    it('refuses to open a vote and says the member has not apologised yet', () => {
      const { h, state: c } = story;
      expect(lastBotText(h, c.chatId)).toContain(
        'Анна Петрова: извинений пока нет, поэтому голосование открыть нельзя',
      );
    });
  });

  describe('once the member apologises in a private chat', () => {
    const story = sharedHarness(apologyAfterRefusal);

    it('tells the member the apology was passed on to the chat', () => {
      const { h, state: c } = story;
      expect(h.api.lastBotMessage(c.anna.id)?.text).toContain('Ваши извинения переданы в чат «7Б»');
    });

    it('posts the apology in the chat and says how a moderator opens the vote', () => {
      const { h, state: c } = story;
      expect(lastBotText(h, c.chatId)).toBe(
        'Анна Петрова приносит извинения участникам чата:\n«Простите, пожалуйста, больше не повторится.»\nМодераторы, чтобы открыть голосование о досрочном снятии блокировки, ответьте на это сообщение командой /unblock.',
      );
    });
  });

  describe('when a moderator answers the apology with /unblock', () => {
    const story = sharedHarness(voteOnApology);

    it('opens a vote naming the member, the rules broken and the apology', () => {
      const { vote } = story.state;
      expect(vote?.text).toContain(
        'Анна Петрова: голосование о досрочном снятии блокировки (п. 4.13.6 положения).',
      );
      expect(vote?.text).toContain('за нарушение правил: 2, 3.');
      expect(vote?.text).toContain('Извинения: «Простите, пожалуйста, больше не повторится.»');
    });

    it('offers the buttons «Возражаю» and «Не возражаю», both at 0', () => {
      const { vote } = story.state;
      expect(vote?.reply_markup?.inline_keyboard[0]?.map((b) => b.text)).toEqual([
        'Возражаю · 0',
        'Не возражаю · 0',
      ]);
    });

    it('refuses to open a second vote while this one runs', async () => {
      const { h, state: c } = story;
      h.api.sendMessage(c.chatId, c.teacher, `/unblock ${c.anna.id}`);
      await h.settle();
      expect(lastBotText(h, c.chatId)).toMatch(/^Анна Петрова: голосование о снятии блокировки уже идёт/);
    });
  });

  describe('while members vote', () => {
    const story = sharedHarness(votesCast);

    it('takes each member’s vote and says it can be changed until the close', () => {
      const { h, state: c } = story;
      for (const press of c.presses) {
        expect(h.api.callbackAnswer(press)?.text).toBe(
          'Ваш голос учтён: «Не возражаю». До конца голосования его можно изменить.',
        );
      }
    });

    it('does not let the blocked member vote on their own unblocking', () => {
      const { h, state: c } = story;
      expect(h.api.callbackAnswer(c.own)).toEqual({
        text: 'Голосовать о снятии собственной блокировки нельзя.',
        show_alert: true,
      });
    });

    it('shows the live count on the vote message, edited at most once every few seconds', () => {
      const { h, state: c } = story;
      const live = current(h, c.chatId, c.vote);
      expect(live?.text).toContain('Возражают: 0. Не возражают: 3.');
      expect(live?.history.length).toBeLessThanOrEqual(3);
    });
  });

  describe('when the vote closes with no objection', () => {
    const story = sharedHarness(closedWithoutObjection);

    it('lifts the block at once and tells the chat the member can write again', () => {
      const { h, state: c } = story;
      expect(h.api.member(c.chatId, c.anna).status).toBe('member');
      expect(lastBotText(h, c.chatId)).toBe(
        'Голосование завершено, возражений нет (не возражают: 3). Анна Петрова: блокировка снята досрочно, можно снова писать в чат.',
      );
    });

    it('shows the result on the vote message and takes its buttons away', () => {
      const { h, state: c } = story;
      const closed = current(h, c.chatId, c.vote);
      expect(closed?.text).toContain('Итог: возражений нет — блокировка снята досрочно.');
      expect(closed?.reply_markup).toBeUndefined();
    });

    it('keeps the early lift, the tally and every vote on record', async () => {
      const { h } = story;
      const [block] = await h.db.database.db.select().from(blocks);
      expect(block).toMatchObject({ status: 'lifted', liftReason: 'vote' });
      const [row] = await h.db.database.db.select().from(votes);
      expect(row).toMatchObject({ status: 'closed', outcome: 'unblocked', objections: 0, noObjections: 3 });
      const casts = await h.db.database.db.select().from(auditLog).where(eq(auditLog.action, 'vote_cast'));
      expect(casts).toHaveLength(3);
    });
  });
});

describe('4.13.6 early reinstatement: apology and objection vote', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('keeps the block to its term when one member objects, even after changing votes', async () => {
    h = await Harness.start();
    const c = await blockedAnna(h);
    const { anna } = c;
    const [, boris, vera, galina, denis] = c.parents as [User, User, User, User, User];
    await apologise(h, anna);
    const vote = await openVote(h, c, anna);
    const object = ballotData(vote, 0);
    const noObjection = ballotData(vote, 1);
    for (const voter of [boris, vera, galina])
      h.api.pressButton(c.chatId, vote?.message_id ?? 0, voter, noObjection);
    h.api.pressButton(c.chatId, vote?.message_id ?? 0, denis, object);
    h.api.pressButton(c.chatId, vote?.message_id ?? 0, vera, object);
    h.api.pressButton(c.chatId, vote?.message_id ?? 0, vera, noObjection);
    await h.settle();
    // The final edit of the vote message fails, so its buttons stay and a late press is answered.
    h.api.fail('editMessageText', { status: 400, description: "Bad Request: message can't be edited" });
    await passVoteClose(h.db.database, h.clock);
    await h.settle();
    await h.app.jobs.run('close-due-votes');
    await h.settle();
    expect(h.api.member(c.chatId, anna).status).toBe('restricted');
    expect(lastBotText(h, c.chatId)).toMatch(
      /^Голосование завершено: возражают — 1, не возражают — 3\. Анна Петрова: блокировка сохраняется до .+\.$/,
    );
    const late = h.api.pressButton(c.chatId, vote?.message_id ?? 0, boris, object);
    await h.settle();
    expect(h.api.callbackAnswer(late)?.text).toBe('Голосование уже завершено.');
    const [row] = await h.db.database.db.select().from(votes);
    expect(row).toMatchObject({ outcome: 'kept', objections: 1, noObjections: 3 });
    // The term still ends on time.
    await h.advance(7 * DAY);
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    expect(h.api.member(c.chatId, anna).status).toBe('member');
  });

  it('refuses votes from people who joined after the vote opened', async () => {
    h = await Harness.start();
    const c = await blockedAnna(h, { rules_gate: 'off' });
    const { anna } = c;
    await apologise(h, anna);
    const vote = await openVote(h, c, anna);
    const newcomer = h.api.createUser({ first_name: 'Эдуард' });
    h.api.addMember(c.chatId, newcomer, { by: c.teacher });
    await h.settle();
    const press = h.api.pressButton(c.chatId, vote?.message_id ?? 0, newcomer, ballotData(vote, 0));
    await h.settle();
    expect(h.api.callbackAnswer(press)).toEqual({
      text: 'Голосовать могут те, кто был в чате, когда голосование открылось.',
      show_alert: true,
    });
    await passVoteClose(h.db.database, h.clock);
    await h.settle();
    await h.app.jobs.run('close-due-votes');
    await h.settle();
    expect(h.api.member(c.chatId, anna).status).toBe('member');
  });

  it('refuses a vote from someone who is not in the chat (4.13.6: the chat’s members decide)', async () => {
    h = await Harness.start();
    const c = await blockedAnna(h, { rules_gate: 'off' });
    await apologise(h, c.anna);
    const vote = await openVote(h, c, c.anna);
    // A press from someone the bot never saw and who is not in the chat (as an attacker would send it).
    const stranger = h.api.createUser({ first_name: 'Незнакомец' });
    await h.bot.updates?.dispatch({
      update_id: 990_001,
      callback_query: {
        id: '990001',
        from: stranger,
        chat_instance: '1',
        data: ballotData(vote, 0),
        message: {
          message_id: vote?.message_id ?? 0,
          date: vote?.date ?? 0,
          chat: h.api.chat(c.chatId),
          text: vote?.text,
        },
      },
    } as never);
    await h.settle();
    const ballots = await h.db.database.db.select().from(ballotsTable);
    expect(ballots).toEqual([]);
    await passVoteClose(h.db.database, h.clock);
    await h.settle();
    await h.app.jobs.run('close-due-votes');
    await h.settle();
    expect(h.api.member(c.chatId, c.anna).status).toBe('member');
  });

  it('counts a member from before the bot, whom the platform confirms', async () => {
    h = await Harness.start();
    const c = await blockedAnna(h, { rules_gate: 'off' });
    await apologise(h, c.anna);
    const vote = await openVote(h, c, c.anna);
    // Boris has been in the chat since before the bot came: the bot never saw him join or write.
    const boris = c.parents[1] as User;
    const press = h.api.pressButton(c.chatId, vote?.message_id ?? 0, boris, ballotData(vote, 0));
    await h.settle();
    expect(h.api.callbackAnswer(press)?.text).toContain('Ваш голос учтён: «Возражаю».');
    expect(h.api.calls.filter((call) => call.method === 'getChatMember').length).toBeGreaterThan(0);
  });

  it('4.13.6: does not close a vote at night: one due at midnight closes at 08:00', async () => {
    h = await Harness.start();
    // Noon in Moscow (UTC+3), so that 12 hours later it is midnight.
    const now = h.clock.now();
    const noon = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 9, 0));
    h.clock.advanceTo(noon);
    const c = await blockedAnna(h, { vote_hours: '12' });
    await apologise(h, c.anna);
    const vote = await openVote(h, c, c.anna);
    expect(vote?.text).toContain('08:00');
    h.clock.advanceTo(new Date(noon.getTime() + 12 * HOUR + 30 * MINUTE));
    await h.app.jobs.run('close-due-votes');
    await h.settle();
    expect(h.api.member(c.chatId, c.anna).status).toBe('restricted');
    h.clock.advanceTo(new Date(noon.getTime() + 20 * HOUR + MINUTE));
    await h.app.jobs.run('close-due-votes');
    await h.settle();
    expect(h.api.member(c.chatId, c.anna).status).toBe('member');
  });

  it('closes the vote after a restart', async () => {
    h = await Harness.start();
    const c = await blockedAnna(h);
    const { anna } = c;
    await apologise(h, anna);
    const vote = await openVote(h, c, anna);
    h.api.pressButton(c.chatId, vote?.message_id ?? 0, c.parents[1] as User, ballotData(vote, 1));
    await h.settle();
    await h.bot.stop();
    await passVoteClose(h.db.database, h.clock);
    await h.restart();
    await h.app.jobs.run('close-due-votes');
    await h.settle();
    expect(h.api.member(c.chatId, anna).status).toBe('member');
    expect(lastBotText(h, c.chatId)).toContain('Голосование завершено, возражений нет (не возражают: 1).');
  });

  it('closes the vote as moot when the block ends first', async () => {
    h = await Harness.start();
    const c = await blockedAnna(h, { block_days: '1', vote_hours: '48' });
    const { anna } = c;
    await apologise(h, anna);
    const vote = await openVote(h, c, anna);
    await h.advance(DAY + MINUTE);
    await h.app.jobs.run('lift-due-blocks');
    await h.settle();
    expect(h.api.messages(c.chatId).find((m) => m.message_id === vote?.message_id)?.text).toContain(
      'Голосование закрыто: блокировка уже снята.',
    );
    const [row] = await h.db.database.db.select().from(votes);
    expect(row).toMatchObject({ status: 'closed', outcome: 'moot' });
    await h.advance(2 * DAY);
    await h.app.jobs.run('close-due-votes');
    await h.settle();
    expect(botTexts(h, c.chatId).filter((text) => text.startsWith('Голосование завершено'))).toHaveLength(0);
  });

  it('asks which chat an apology is for when the member is blocked in several', async () => {
    h = await Harness.start();
    const first = await blockedAnna(h);
    const { anna } = first;
    const second = h.api.createChat({ type: 'supergroup', title: '7Б — родители' });
    h.api.addMember(second.id, first.teacher, { status: 'creator' });
    h.api.addMember(second.id, anna, { by: first.teacher });
    h.api.addBot(second.id, {
      by: first.teacher,
      status: 'administrator',
      rights: { can_restrict_members: true },
    });
    await h.settle();
    for (let i = 0; i < 4; i += 1) {
      const message = h.api.sendMessage(second.id, anna, 'Ещё реклама');
      h.api.sendMessage(second.id, first.teacher, '/strike 2', { replyTo: message.message_id });
      await h.settle();
    }
    h.api.privateMessage(anna, '/apologize Извините меня все');
    await h.settle();
    const chooser = h.api.lastBotMessage(anna.id);
    expect(chooser?.text).toBe(
      'У вас блокировка в нескольких чатах. Участникам какого чата адресованы извинения?',
    );
    const titles = chooser?.reply_markup?.inline_keyboard.map((row) => row[0]?.text);
    expect(titles).toEqual(['7Б', '7Б — родители']);
    const target = chooser?.reply_markup?.inline_keyboard[1]?.[0];
    h.api.pressButton(
      anna.id,
      chooser?.message_id ?? 0,
      anna,
      target && 'callback_data' in target ? (target.callback_data ?? '') : '',
    );
    await h.settle();
    expect(lastBotText(h, second.id)).toContain(
      'Анна Петрова приносит извинения участникам чата:\n«Извините меня все»',
    );
    expect(botTexts(h, first.chatId).some((text) => text.includes('приносит извинения'))).toBe(false);
    expect(h.api.lastBotMessage(anna.id)?.text).toContain('Ваши извинения переданы в чат «7Б — родители»');
  });

  it('4.13.6: takes no one else’s words for the member’s apology', async () => {
    h = await Harness.start();
    const c = await blockedAnna(h);
    const { anna } = c;
    const pasted = h.api.sendMessage(c.chatId, c.teacher, 'Анна просила передать: «Прошу прощения у всех»');
    h.api.sendMessage(c.chatId, c.teacher, `/unblock ${anna.id}`, { replyTo: pasted.message_id });
    await h.settle();
    expect(voteMessage(h, c.chatId)).toBeUndefined();
    expect(lastBotText(h, c.chatId)).toContain('извинений пока нет');
    const apologies = await h.db.database.db.select().from(auditLog).where(eq(auditLog.action, 'apology'));
    expect(apologies).toEqual([]);
  });

  it('4.13.6: tells a blocked member privately the term, the rules, the reason and how to apologise', async () => {
    h = await Harness.start();
    const c = await classChat(h, { parents: PARENTS });
    const anna = c.parents[0] as User;
    h.api.privateMessage(anna, '/start');
    await h.settle();
    for (const [rule, reason] of [
      [1, ''],
      [2, ''],
      [2, ''],
      [3, ' реклама в чате класса'],
    ]) {
      const message = h.api.sendMessage(c.chatId, anna, 'Покупайте пироги');
      h.api.sendMessage(c.chatId, c.teacher, `/strike ${rule}${reason}`, { replyTo: message.message_id });
      await h.settle();
    }
    const notice = h.api.lastBotMessage(anna.id)?.text ?? '';
    expect(notice).toMatch(/^Чат «7Б»: у вас блокировка до /);
    expect(notice).toContain('Нарушены правила: 1, 2, 3.');
    expect(notice).toContain('Причина: реклама в чате класса.');
    expect(notice).toContain('/apologize');
    expect(botTexts(h, c.chatId).join('\n')).not.toContain('реклама в чате класса');
  });

  it('4.13.6: gives a blocked member with no private chat the link to one, which answers with the block', async () => {
    h = await Harness.start();
    const c = await blockedAnna(h);
    const announcement = lastBotText(h, c.chatId);
    expect(announcement).toContain('https://t.me/class_moderator_bot?start=blocked');
    h.api.privateMessage(c.anna, '/start blocked');
    await h.settle();
    expect(h.api.lastBotMessage(c.anna.id)?.text).toMatch(/^Чат «7Б»: у вас блокировка до .*\/apologize/s);
  });

  it('answers /apologize from someone who is not blocked', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    h.api.privateMessage(c.parents[1] as User, '/apologize Простите');
    h.api.privateMessage(c.parents[2] as User, '/apologize');
    await h.settle();
    expect(h.api.lastBotMessage((c.parents[1] as User).id)?.text).toBe(
      'Сейчас у вас нет блокировки ни в одном чате.',
    );
    expect(h.api.lastBotMessage((c.parents[2] as User).id)?.text).toContain(
      'Напишите извинение вместе с командой',
    );
  });
});
