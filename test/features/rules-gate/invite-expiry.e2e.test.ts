import { afterEach, describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../../src/lib/clock.js';
import { Harness } from '../../support/harness.js';
import { classChat, lastBotText } from '../../support/school.js';

describe('4.11.2 invite links expire: unclaimed links are annulled', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('4.11.2: an /invite link expires after the chat’s invite_link_days (default 7) and is revoked then', async () => {
    h = await Harness.start();
    const c = await classChat(h);
    const invite = async () => {
      h?.api.sendMessage(c.chatId, c.teacher, '/invite');
      await h?.settle();
      const text = lastBotText(h as Harness, c.chatId);
      return { text, url: /https:\/\/t\.me\/\+\S+/.exec(text)?.[0] ?? '' };
    };
    const link = (url: string) => h?.api.inviteLinks(c.chatId).find((l) => l.invite_link === url);

    // The default: seven days, said in the chat and set on the platform's link.
    const weekly = await invite();
    expect(weekly.text).toMatch(/\nСсылка действует до .+, затем бот её отзовёт\.$/);
    const made = h.clock.now().getTime() / 1000;
    expect(link(weekly.url)?.expire_date).toBeGreaterThanOrEqual(Math.floor(made + 7 * 24 * 3600) - 60);
    expect(link(weekly.url)?.expire_date).toBeLessThanOrEqual(Math.ceil(made + 7 * 24 * 3600) + 60);

    // A chat's own term, in the allowed range only.
    h.api.sendMessage(c.chatId, c.teacher, '/settings invite_link_days 31');
    await h.settle();
    expect(lastBotText(h, c.chatId)).toBe(
      'Для настройки «Ссылка /invite действует» нужно целое число от 1 до 30.',
    );
    h.api.sendMessage(c.chatId, c.teacher, '/settings invite_link_days 2');
    await h.settle();
    const short = await invite();

    // Before the term the links work; after it the scheduled job revokes them on the platform.
    await h.advance(DAY);
    await h.app.jobs.run('expire-invitations');
    await h.settle();
    expect(link(short.url)?.is_revoked).toBe(false);
    await h.advance(DAY + HOUR);
    await h.app.jobs.run('expire-invitations');
    await h.settle();
    expect(link(short.url)?.is_revoked).toBe(true);
    expect(link(weekly.url)?.is_revoked).toBe(false);
    const late = h.api.createUser({ first_name: 'Поздний' });
    expect(() => h?.api.requestJoin(c.chatId, late, short.url)).toThrow();
    expect(h.api.callsTo('revokeChatInviteLink').filter((call) => call.ok)).toHaveLength(1);

    await h.advance(5 * DAY);
    await h.app.jobs.run('expire-invitations');
    await h.settle();
    expect(link(weekly.url)?.is_revoked).toBe(true);
    // Revoked once each, also when the job runs again.
    await h.app.jobs.run('expire-invitations');
    await h.settle();
    expect(h.api.callsTo('revokeChatInviteLink').filter((call) => call.ok)).toHaveLength(2);
  });
});
