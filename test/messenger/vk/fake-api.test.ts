import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdjustableClock, HOUR } from '../../../src/lib/clock.js';
import { FakeVkApi, ScenarioError } from '../../support/fake-vk-api/index.js';

// The fake's own behaviour, checked over raw HTTP the way vk-io calls it, so the connector's tests stand on
// something that acts like VK.

let clock: AdjustableClock;
let api: FakeVkApi;

async function call(method: string, params: Record<string, string | number> = {}, token = api.token) {
  const body = new URLSearchParams({ access_token: token, v: '5.199' });
  for (const [key, value] of Object.entries(params)) body.set(key, String(value));
  const response = await fetch(`${api.apiBaseUrl}/${method}`, { method: 'POST', body });
  return { status: response.status, text: await response.text() };
}

async function json(method: string, params: Record<string, string | number> = {}) {
  return JSON.parse((await call(method, params)).text) as {
    response?: unknown;
    error?: { error_code: number; error_msg: string; request_params: Array<{ key: string; value: string }> };
  };
}

function classChat() {
  const teacher = api.createUser('Мария', 'Иванова');
  const parent = api.createUser('Пётр', 'Петров');
  const chat = api.createChat('8А', { owner: teacher });
  api.addMember(chat, parent, { by: teacher });
  api.addCommunity(chat, { admin: true });
  return { teacher, parent, chat };
}

beforeEach(async () => {
  clock = new AdjustableClock();
  api = new FakeVkApi({ clock: () => clock.now() });
  await api.start();
});

afterEach(async () => {
  await api.stop();
});

describe('FakeVkApi', () => {
  it('answers error 6 past 20 requests a second per token, and not when the limit is off', async () => {
    const burst = await Promise.all(Array.from({ length: 25 }, () => json('groups.getById')));
    expect(burst.filter((answer) => answer.error?.error_code === 6)).toHaveLength(5);
    expect(api.stats()).toMatchObject({ tooManyRequests: 5, maxCallsPerSecond: 20 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    api.setRateLimit(false);
    const free = await Promise.all(Array.from({ length: 25 }, () => json('groups.getById')));
    expect(free.every((answer) => answer.response !== undefined)).toBe(true);
  });

  it('answers errors as VK does: HTTP 200, code, text and the parameters without the token', async () => {
    const answer = await call('messages.send', { peer_id: 2_000_000_999, random_id: 5, message: 'x' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({
      error: {
        error_code: 917,
        error_msg: "You don't have access to this chat",
        request_params: [
          { key: 'method', value: 'messages.send' },
          { key: 'oauth', value: '1' },
          { key: 'v', value: '5.199' },
          { key: 'peer_id', value: '2000000999' },
          { key: 'random_id', value: '5' },
          { key: 'message', value: 'x' },
        ],
      },
    });
    expect((await json('groups.getById', {})).response).toBeDefined();
    expect(JSON.parse((await call('groups.getById', {}, 'wrong')).text).error.error_code).toBe(5);
    expect(JSON.parse((await call('messages.nope')).text).error.error_code).toBe(3);
  });

  it('answers messages.send per peer with peer_ids, and a bare message id (0 in a chat) with peer_id', async () => {
    const { chat } = classChat();
    expect(
      (await json('messages.send', { peer_ids: chat.peerId, random_id: 11, message: 'a' })).response,
    ).toEqual([{ peer_id: chat.peerId, message_id: 0, conversation_message_id: 3 }]);
    expect(
      (await json('messages.send', { peer_id: chat.peerId, random_id: 12, message: 'b' })).response,
    ).toBe(0);
    expect(
      (await json('messages.send', { peer_ids: 2_000_000_500, random_id: 13, message: 'c' })).response,
    ).toEqual([
      {
        peer_id: 2_000_000_500,
        message_id: 0,
        conversation_message_id: 0,
        error: { code: 917, description: "You don't have access to this chat" },
      },
    ]);
  });

  it('drops a repeated random_id and answers the original message', async () => {
    const { chat } = classChat();
    const first = await json('messages.send', { peer_ids: chat.peerId, random_id: 777, message: 'once' });
    const again = await json('messages.send', { peer_ids: chat.peerId, random_id: 777, message: 'once' });
    expect(again.response).toEqual(first.response);
    expect(api.communityMessages(chat)).toHaveLength(1);
    expect((await json('messages.send', { peer_ids: chat.peerId, message: 'x' })).error?.error_code).toBe(
      100,
    );
  });

  it('keeps a restricted member from posting until the restriction ends by the clock, even after rejoining', async () => {
    const { teacher, parent, chat } = classChat();
    const answer = await json('messages.changeConversationMemberRestrictions', {
      peer_id: chat.peerId,
      member_ids: `${parent.id},${teacher.id}`,
      action: 'ro',
      for: 3600,
    });
    expect(answer.response).toEqual({ failed_member_ids: [teacher.id] });
    expect(() => api.sendMessage(chat, parent, 'можно?')).toThrow(/read-only/);
    api.removeMember(chat, parent);
    api.addMember(chat, parent, { by: teacher });
    expect(() => api.sendMessage(chat, parent, 'а теперь?')).toThrow(ScenarioError);
    clock.advance(HOUR + 1000);
    expect(api.sendMessage(chat, parent, 'спасибо')).toBeGreaterThan(0);
  });

  it('refuses admin-only methods to a community that is only a member', async () => {
    const { chat, parent } = classChat();
    api.setCommunityAdmin(chat, false);
    expect((await json('messages.getConversationMembers', { peer_id: chat.peerId })).error?.error_code).toBe(
      917,
    );
    expect((await json('messages.getInviteLink', { peer_id: chat.peerId })).error?.error_code).toBe(919);
    expect(
      (await json('messages.removeChatUser', { chat_id: chat.chatId, member_id: parent.id })).error
        ?.error_code,
    ).toBe(925);
    expect(
      (
        await json('messages.changeConversationMemberRestrictions', {
          peer_id: chat.peerId,
          member_ids: parent.id,
          action: 'ro',
        })
      ).error?.error_code,
    ).toBe(925);
  });

  it('keeps one invite link per chat; reset makes a new one and the old stops working', async () => {
    const { chat } = classChat();
    const first = (await json('messages.getInviteLink', { peer_id: chat.peerId })).response as {
      link: string;
    };
    expect((await json('messages.getInviteLink', { peer_id: chat.peerId })).response).toEqual(first);
    const second = (await json('messages.getInviteLink', { peer_id: chat.peerId, reset: 1 })).response as {
      link: string;
    };
    expect(second.link).not.toBe(first.link);
    expect(() => api.addMember(chat, api.createUser('Гость'), { viaLink: first.link })).toThrow(
      ScenarioError,
    );
    api.addMember(chat, api.createUser('Гость', 'Второй'), { viaLink: second.link });
    expect(api.events.at(-1)?.object).toMatchObject({
      message: { action: { type: 'chat_invite_user_by_link' } },
    });
  });

  it('serves Bots Long Poll: events after ts, again for the same ts, failed 2 and 1', async () => {
    const server = (await json('groups.getLongPollServer', { group_id: api.groupId })).response as {
      server: string;
      key: string;
      ts: string;
    };
    const poll = async (ts: string, key = server.key) =>
      (await fetch(`${server.server}?act=a_check&key=${key}&ts=${ts}&wait=0`)).json() as Promise<{
        ts?: string;
        updates?: Array<{ type: string; group_id: number; event_id: string }>;
        failed?: number;
      }>;
    classChat();
    const first = await poll(server.ts);
    expect(first.updates?.map((update) => update.type)).toEqual(['message_new']);
    expect(first.updates?.[0]).toMatchObject({ group_id: api.groupId, event_id: expect.any(String) });
    expect(await poll(server.ts)).toEqual(first);
    expect(await poll(first.ts ?? '')).toEqual({ ts: first.ts, updates: [] });
    expect(await poll(first.ts ?? '', 'stale')).toEqual({ failed: 2 });
    expect(await poll('999')).toEqual({ failed: 1, ts: first.ts });
  });

  it('holds a long poll until an event comes', async () => {
    const server = (await json('groups.getLongPollServer', { group_id: api.groupId })).response as {
      server: string;
      key: string;
      ts: string;
    };
    const held = fetch(`${server.server}?act=a_check&key=${server.key}&ts=${server.ts}&wait=10`).then(
      (response) => response.json() as Promise<{ updates: unknown[] }>,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    classChat();
    const started = Date.now();
    expect((await held).updates).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('answers an HTTP error page or closes the connection when told to', async () => {
    api.fail('groups.getById', { status: 502 });
    const page = await call('groups.getById');
    expect(page.status).toBe(502);
    expect(() => JSON.parse(page.text)).toThrow();
    api.fail('groups.getById', { timeoutMs: 0, drop: true });
    await expect(call('groups.getById')).rejects.toThrow();
    expect((await json('groups.getById')).response).toBeDefined();
  });
});
