import type { User } from 'telegraf/types';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatsRepository } from '../../../src/db/repos/chats.js';
import { createRosterRepository } from '../../../src/db/repos/roster.js';
import {
  decideAttachment,
  pendingAttachments,
  rotateSchoolCode,
} from '../../../src/features/schools/index.js';
import { Harness } from '../../support/harness.js';
import { api, school } from '../../support/roster.js';
import { classChat, lastBotText } from '../../support/school.js';

async function chatRow(h: Harness, chatId: number) {
  return createChatsRepository(h.db.database.db, 'ru').find('telegram', String(chatId));
}

describe('a school’s code only asks: a chat belongs to a school once the school confirms it', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  async function strangerChat(hh: Harness): Promise<{ chatId: number; owner: User }> {
    const c = await classChat(hh, { title: 'Чужой чат', settings: { class: '7Б', kind: 'parents' } });
    return { chatId: c.chatId, owner: c.teacher };
  }

  it('keeps a chat that asked with a leaked code outside the school until the school confirms', async () => {
    h = await Harness.start();
    const s = await school(h);
    const { chatId, owner } = await strangerChat(h);
    const code = await createRosterRepository(h.db.database.db).ensureSchoolCode(1);
    h.api.sendMessage(chatId, owner, `/settings school ${code}`);
    await h.settle();
    expect(lastBotText(h, chatId)).toContain('Запрос отправлен школе');
    expect((await chatRow(h, chatId))?.schoolId).toBeNull();
    const stats = await api(h, 'GET', '/api/v1/stats', { token: s.token });
    expect((stats.body.chats as Array<{ title: string }>).map((c) => c.title)).not.toContain('Чужой чат');
    expect((await pendingAttachments(h.app.services, 1)).map((p) => p.chat.title)).toEqual(['Чужой чат']);
  });

  it('lets the chat in when the school confirms, and tells the chat', async () => {
    h = await Harness.start();
    await school(h);
    const { chatId, owner } = await strangerChat(h);
    h.api.sendMessage(
      chatId,
      owner,
      `/settings school ${await createRosterRepository(h.db.database.db).ensureSchoolCode(1)}`,
    );
    await h.settle();
    const [request] = await pendingAttachments(h.app.services, 1);
    expect(await decideAttachment(h.app.services, 1, request?.id ?? 0, 'confirm')).toEqual({
      result: 'confirmed',
    });
    await h.settle();
    expect((await chatRow(h, chatId))?.schoolId).toBe(1);
    expect(lastBotText(h, chatId)).toBe('Школа «School» подтвердила запрос: теперь это чат школы.');
    expect(await decideAttachment(h.app.services, 1, request?.id ?? 0, 'reject')).toEqual({
      result: 'already',
    });
  });

  it('keeps a rejected chat out, and a request of another school is not found', async () => {
    h = await Harness.start();
    await school(h);
    const other = await createRosterRepository(h.db.database.db).createSchool('Другая школа', h.clock.now());
    const { chatId, owner } = await strangerChat(h);
    h.api.sendMessage(
      chatId,
      owner,
      `/settings school ${await createRosterRepository(h.db.database.db).ensureSchoolCode(1)}`,
    );
    await h.settle();
    const [request] = await pendingAttachments(h.app.services, 1);
    expect(await decideAttachment(h.app.services, other.id, request?.id ?? 0, 'confirm')).toEqual({
      result: 'not_found',
    });
    expect(await decideAttachment(h.app.services, 1, request?.id ?? 0, 'reject')).toEqual({
      result: 'rejected',
    });
    await h.settle();
    expect((await chatRow(h, chatId))?.schoolId).toBeNull();
    expect(lastBotText(h, chatId)).toContain('отклонила запрос');
  });

  it('refuses an old code once the school has a new one', async () => {
    h = await Harness.start();
    await school(h);
    const { chatId, owner } = await strangerChat(h);
    const old = await createRosterRepository(h.db.database.db).ensureSchoolCode(1);
    const fresh = await rotateSchoolCode(h.app.services, 1);
    expect(fresh).not.toBe(old);
    h.api.sendMessage(chatId, owner, `/settings school ${old}`);
    await h.settle();
    expect(lastBotText(h, chatId)).toBe(`Школы с кодом «${old}» нет. Код выдаёт администратор бота.`);
    expect(await pendingAttachments(h.app.services, 1)).toEqual([]);
  });

  it('does not remove departed families from a chat the school never confirmed', async () => {
    h = await Harness.start();
    const s = await school(h);
    const { chatId, owner } = await strangerChat(h);
    h.api.addMember(chatId, s.people.anna, { by: owner });
    await h.settle();
    const code = await createRosterRepository(h.db.database.db).ensureSchoolCode(1);
    h.api.sendMessage(chatId, owner, `/settings school ${code}`);
    await h.settle();
    const departure = { events: [{ id: 'd1', type: 'student.departed', studentId: 'S1' }] };
    expect((await api(h, 'POST', '/api/v1/roster/events', { token: s.token, body: departure })).status).toBe(
      200,
    );
    await h.settle();
    expect(h.api.member(chatId, s.people.anna).status).not.toBe('kicked');
    expect(h.api.member(s.chats.parents7, s.people.anna).status).toBe('kicked');
  });
});

describe('the school answers attachment requests through its API', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('lists the requests, confirms one, refuses another school’s token (404) and a bad id (400)', async () => {
    h = await Harness.start();
    const s = await school(h);
    const c = await classChat(h, { title: 'Новый чат' });
    const code = await createRosterRepository(h.db.database.db).ensureSchoolCode(1);
    h.api.sendMessage(c.chatId, c.teacher, `/settings school ${code}`);
    await h.settle();
    const listed = await api(h, 'GET', '/api/v1/attachments', { token: s.token });
    const attachments = listed.body.attachments as Array<{ id: number; chat: { title: string } }>;
    expect(attachments.map((a) => a.chat.title)).toEqual(['Новый чат']);
    const id = attachments[0]?.id ?? 0;
    const other = await createRosterRepository(h.db.database.db).createSchool('Лицей', h.clock.now());
    const otherToken = await createRosterRepository(h.db.database.db).createToken(
      other.id,
      'x',
      h.clock.now(),
    );
    expect((await api(h, 'POST', `/api/v1/attachments/${id}/confirm`, { token: otherToken })).status).toBe(
      404,
    );
    expect((await api(h, 'POST', '/api/v1/attachments/x1/confirm', { token: s.token })).status).toBe(400);
    const confirmed = await api(h, 'POST', `/api/v1/attachments/${id}/confirm`, { token: s.token });
    expect(confirmed).toEqual({ status: 200, body: { id, result: 'confirmed' } });
    expect((await chatRow(h, c.chatId))?.schoolId).toBe(1);
    const again = await api(h, 'POST', `/api/v1/attachments/${id}/reject`, { token: s.token });
    expect(again.body).toEqual({ id, result: 'already' });
  });

  it('gives the school a new code on request, and the old one stops working', async () => {
    h = await Harness.start();
    const s = await school(h);
    const old = await createRosterRepository(h.db.database.db).ensureSchoolCode(1);
    const rotated = await api(h, 'POST', '/api/v1/school/code', { token: s.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.code).not.toBe(old);
    expect(await createRosterRepository(h.db.database.db).schoolByCode(old)).toBeUndefined();
  });
});
