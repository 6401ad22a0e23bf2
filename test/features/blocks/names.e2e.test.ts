import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../../support/harness.js';
import { classChat } from '../../support/school.js';

describe('4.13.5 a block announcement names the member without carrying their profile into the chat', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it.each([
    ['a link and a mention', { first_name: 'Реклама t.me/joinchat/abc', last_name: '@evil_admin' }],
    ['a web address', { first_name: 'https://casino.example', last_name: 'www.win.example' }],
    ['line breaks and reversed text', { first_name: 'Анна\n\nВнимание всем', last_name: '\u202Eавортеп' }],
  ])('names a member whose profile holds %s as plain text on one line', async (_case, profile) => {
    h = await Harness.start();
    const c = await classChat(h, { settings: { rules_gate: 'off' } });
    const member = h.api.createUser(profile) as User;
    h.api.addMember(c.chatId, member, { by: c.teacher });
    await h.settle();
    const greeting = h.api.lastBotMessage(c.chatId);
    for (const rule of [1, 2, 3, 4]) {
      const message = h.api.sendMessage(c.chatId, member, 'Реклама');
      h.api.sendMessage(c.chatId, c.teacher, `/strike ${rule}`, { replyTo: message.message_id });
      await h.settle();
    }
    const texts = [greeting, ...h.api.botMessages(c.chatId).slice(-4)];
    for (const message of texts) {
      const text = message?.text ?? '';
      // The only link the bot may post is its own: the way to a private chat with it.
      const links = (message?.entities ?? [])
        .filter((e) => e.type === 'url' || e.type === 'mention')
        .map((e) => text.slice(e.offset, e.offset + e.length));
      expect(
        links.filter((link) => !link.startsWith('https://t.me/class_moderator_bot?start=')),
        text,
      ).toEqual([]);
      expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    }
    const announcement = h.api.botMessages(c.chatId).at(-1)?.text ?? '';
    expect(announcement).toContain('-е нарушение, блокировка до');
    // The member's name stays on the announcement's first line.
    expect(announcement.split('\n')[0]).toContain('-е нарушение, блокировка до');
  });
});
