import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpServer } from '../../../src/http/server.js';
import { createLogger, type Logger, silentLogger } from '../../../src/lib/logger.js';
import type { EventSink, InboundEvent } from '../../../src/messenger/port.js';
import { VkMessenger } from '../../../src/messenger/vk/connector.js';
import { VkUpdateSource, type VkUpdateSourceOptions } from '../../../src/messenger/vk/update-source.js';
import { FakeVkApi } from '../../support/fake-vk-api/index.js';
import { waitFor } from '../../support/net.js';

let api: FakeVkApi;
let vk: VkMessenger;
let source: VkUpdateSource | undefined;
let http: HttpServer | undefined;

/** A logger whose JSON lines the test can read. */
function capturingLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger('warn', stream), lines };
}

/**
 * The sink of the core: records each event, and fails where the test says. Like the core it tries an
 * event up to `delivery.attempts` times, pausing `pauseMs` between tries unless the signal cuts in.
 */
function recordingSink(
  failing: (event: InboundEvent, attempt: number) => boolean = () => false,
  pauseMs = 10,
) {
  const handled: InboundEvent[] = [];
  const attempts = new Map<string, number>();
  const sink: EventSink = async (event, delivery = {}) => {
    for (let tried = 1; ; tried += 1) {
      const attempt = (attempts.get(event.updateKey) ?? 0) + 1;
      attempts.set(event.updateKey, attempt);
      if (!failing(event, attempt)) {
        handled.push(event);
        return;
      }
      if (tried >= (delivery.attempts ?? 1) || delivery.signal?.aborted) {
        throw new Error(`handling ${event.kind} failed`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pauseMs);
        delivery.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return { sink, handled, attempts };
}

function polling(sink: EventSink, options: VkUpdateSourceOptions = {}, log: Logger = silentLogger) {
  source = new VkUpdateSource(vk, sink, log, { pollWaitSeconds: 1, retryDelayMs: 20, ...options });
  return source;
}

function classChat() {
  const teacher = api.createUser('Мария', 'Иванова');
  const parent = api.createUser('Пётр', 'Петров');
  const chat = api.createChat('8А', { owner: teacher });
  api.addMember(chat, parent, { by: teacher });
  return { teacher, parent, chat };
}

beforeEach(async () => {
  api = new FakeVkApi();
  await api.start();
  vk = new VkMessenger({ token: api.token, apiBaseUrl: api.apiBaseUrl, log: silentLogger, timeoutMs: 3000 });
  await vk.init();
});

afterEach(async () => {
  await source?.stop();
  source = undefined;
  await http?.close();
  http = undefined;
  await api.stop();
});

describe('VkUpdateSource over Bots Long Poll', () => {
  it('delivers events in order, with names, titles and the bot’s rights filled in', async () => {
    const { sink, handled } = recordingSink();
    await polling(sink).startPolling();
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    const late = api.createUser('Ольга', 'Смирнова');
    api.addMember(chat, late, { by: teacher });
    const asked = api.sendMessage(chat, parent, 'Когда собрание?');
    api.sendMessage(chat, teacher, `[club${api.groupId}|@class_moderator] /strike 2 грубость`, {
      replyTo: asked,
    });
    api.removeMember(chat, late, teacher);
    await waitFor(() => handled.length === 5, 'five events');

    const title = { platform: 'vk', platformChatId: String(chat.peerId), type: 'supergroup', title: '8А' };
    expect(handled.map((event) => event.kind)).toEqual([
      'bot_membership',
      'members_joined',
      'message',
      'message',
      'member_left',
    ]);
    expect(handled[0]).toMatchObject({
      chat: title,
      status: 'administrator',
      rights: { canRestrictMembers: true, canDeleteMessages: true, canInviteUsers: true },
      by: { userId: String(teacher.id), firstName: 'Мария', lastName: 'Иванова' },
    });
    expect(handled[1]).toMatchObject({
      members: [{ userId: String(late.id), firstName: 'Ольга', lastName: 'Смирнова', isBot: false }],
      via: 'added',
    });
    expect(handled[3]).toMatchObject({
      command: { name: 'strike', args: '2 грубость' },
      replyTo: { messageId: String(asked), sender: { kind: 'user', user: { firstName: 'Пётр' } } },
    });
    expect(handled[4]).toMatchObject({
      kind: 'member_left',
      status: 'kicked',
      member: { firstName: 'Ольга' },
    });
    expect(new Set(handled.map((event) => event.updateKey)).size).toBe(5);
  });

  it('sees a bot that is not an administrator yet as a plain member without rights', async () => {
    const { sink, handled } = recordingSink();
    await polling(sink).startPolling();
    const { teacher, chat } = classChat();
    api.addCommunity(chat, { by: teacher });
    await waitFor(() => handled.length === 1, 'the bot joining');
    expect(handled[0]).toMatchObject({
      kind: 'bot_membership',
      status: 'member',
      rights: { canRestrictMembers: false, canDeleteMessages: false, canInviteUsers: false },
    });
  });

  it('retries an event whose handling failed before asking past it, so nothing after it is confirmed', async () => {
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    const { sink, handled, attempts } = recordingSink(
      (event, attempt) => event.kind === 'message' && attempt < 3,
    );
    const seenWhenHandled: string[][] = [];
    const observing: EventSink = async (event, delivery) => {
      seenWhenHandled.push(api.pollRequests.map((request) => request.ts));
      await sink(event, delivery);
    };
    await polling(observing).startPolling();
    const before = api.events.length;
    api.sendMessage(chat, parent, 'Первое');
    api.sendMessage(chat, teacher, 'Второе');
    await waitFor(() => handled.length === 2, 'both messages');
    expect(handled.map((event) => (event.kind === 'message' ? event.text : '')).sort()).toEqual([
      'Второе',
      'Первое',
    ]);
    expect([...attempts.values()]).toEqual([3, 3]);
    // Every attempt ran while the poll still asked from before the batch.
    const after = String(before + 2);
    for (const seen of seenWhenHandled) expect(seen).not.toContain(after);
    await waitFor(() => api.pollRequests.some((request) => request.ts === after), 'the batch confirmed');
  });

  it('gives up on an event after maxAttempts with a log line, and goes on', async () => {
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    const { log, lines } = capturingLogger();
    const { sink, handled, attempts } = recordingSink(
      (event) => event.kind === 'message' && event.text === 'ломается',
    );
    await polling(sink, { maxAttempts: 3 }, log).startPolling();
    api.sendMessage(chat, parent, 'ломается');
    await waitFor(() => lines.some((line) => line.msg === 'giving up on a VK event'), 'the give-up line');
    api.sendMessage(chat, parent, 'следующее');
    await waitFor(() => handled.length === 1, 'the next message');
    expect([...attempts.values()][0]).toBe(3);
    expect(lines.find((line) => line.msg === 'giving up on a VK event')).toMatchObject({
      attempts: 3,
      level: 50,
    });
  });

  it('gets a new key when VK expires it, keeping its place so nothing in between is skipped', async () => {
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    const { sink, handled } = recordingSink();
    await polling(sink).startPolling();
    await waitFor(() => api.pollRequests.length > 0, 'the first poll');
    api.expireLongPollKey();
    // The first attempt at a new key fails: the message arrives while the source is without one.
    api.fail('groups.getLongPollServer', { errorCode: 10, msg: 'Internal server error' });
    await waitFor(() => api.pollRequests.some((request) => request.failed === 2), 'the expired key noticed');
    api.sendMessage(chat, parent, 'после смены ключа');
    await waitFor(() => handled.length === 1, 'the message after the new key');
    expect(api.callsTo('groups.getLongPollServer').map((call) => call.errorCode)).toEqual([
      undefined,
      10,
      undefined,
    ]);
  });

  it('looks names up once per batch and keeps chat titles current from renames', async () => {
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    const { sink, handled } = recordingSink();
    await polling(sink).startPolling();
    api.sendMessage(chat, parent, 'раз');
    await waitFor(() => handled.length === 1, 'the first message');
    api.sendMessage(chat, parent, 'два');
    api.renameChat(chat, '8А (2026)', teacher);
    api.sendMessage(chat, parent, 'три');
    await waitFor(() => handled.length === 3, 'three messages');
    // The parent once; the teacher only when the rename named them.
    expect(api.callsTo('users.get').map((call) => call.params.user_ids)).toEqual([
      String(parent.id),
      String(teacher.id),
    ]);
    expect(api.callsTo('messages.getConversationsById')).toHaveLength(1);
    expect(handled.map((event) => event.kind === 'message' && event.chat.title)).toEqual([
      '8А',
      '8А',
      '8А (2026)',
    ]);
  });

  it('goes on with placeholders when names cannot be looked up', async () => {
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    api.fail('users.get', { errorCode: 10, msg: 'Internal server error' });
    const { sink, handled } = recordingSink();
    await polling(sink).startPolling();
    api.sendMessage(chat, parent, 'привет');
    await waitFor(() => handled.length === 1, 'the message');
    expect(handled[0]).toMatchObject({
      sender: { user: { userId: String(parent.id), firstName: `id${parent.id}` } },
    });
  });

  it('starts from a saved ts, so what arrived while it was down is delivered', async () => {
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    let saved: string | undefined = String(api.events.length);
    api.sendMessage(chat, parent, 'пока бот спал');
    const { sink, handled } = recordingSink();
    const cursor = {
      load: async () => saved,
      save: async (ts: string) => {
        saved = ts;
      },
    };
    await polling(sink, { cursor }).startPolling();
    await waitFor(() => handled.length === 1, 'the message from the downtime');
    expect(saved).toBe(String(api.events.length));
  });

  it('leaves a batch that stop() cut short unconfirmed, so it comes again after a restart', async () => {
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    let saved: string | undefined;
    const cursor = {
      load: async () => saved,
      save: async (ts: string) => {
        saved = ts;
      },
    };
    const failing = recordingSink((event) => event.kind === 'message', 10_000);
    const first = polling(failing.sink, { cursor });
    await first.startPolling();
    saved = String(api.events.length);
    api.sendMessage(chat, parent, 'во время остановки');
    await waitFor(() => failing.attempts.size === 1, 'the first failed attempt');
    await first.stop();
    expect(saved).toBe(String(api.events.length - 1));

    const { sink, handled } = recordingSink();
    await polling(sink, { cursor }).startPolling();
    await waitFor(() => handled.length === 1, 'the message again after the restart');
    expect(handled[0]).toMatchObject({ kind: 'message', text: 'во время остановки' });
  });
});

describe('VkUpdateSource over the Callback API', () => {
  const secret = 's3cr3t-value';

  async function serve(sink: EventSink, options: VkUpdateSourceOptions = {}) {
    source = new VkUpdateSource(vk, sink, silentLogger, {
      callback: { confirmation: api.confirmationCode, secret },
      ...options,
    });
    const callbackSource = source;
    http = new HttpServer(silentLogger);
    http.inbound({
      method: 'POST',
      path: '/vk',
      handle: (request) => callbackSource.handleCallback(request.body),
    });
    const port = await http.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${port}/vk`;
  }

  it('confirms the server, then answers ok for each event once it is handled', async () => {
    const { sink, handled } = recordingSink();
    const url = await serve(sink);
    expect(await api.setCallbackServer(url, { secret })).toBe(true);
    expect(api.callbackDeliveries[0]).toMatchObject({
      type: 'confirmation',
      status: 200,
      body: api.confirmationCode,
    });
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    api.sendMessage(chat, parent, '/rules');
    await api.callbackIdle();
    expect(handled.map((event) => event.kind)).toEqual(['bot_membership', 'message']);
    expect(api.callbackDeliveries.slice(1).map((delivery) => [delivery.status, delivery.body])).toEqual([
      [200, 'ok'],
      [200, 'ok'],
    ]);
  });

  it('is not confirmed by a server that answers another code', async () => {
    source = new VkUpdateSource(vk, recordingSink().sink, silentLogger, {
      callback: { confirmation: 'something-else', secret },
    });
    const wrong = source;
    http = new HttpServer(silentLogger);
    http.inbound({
      method: 'POST',
      path: '/vk',
      handle: (request) => wrong.handleCallback(request.body),
    });
    const port = await http.listen(0, '127.0.0.1');
    expect(await api.setCallbackServer(`http://127.0.0.1:${port}/vk`, { secret })).toBe(false);
  });

  it('refuses events with a wrong secret (VK resends them, then gives up) and handles none', async () => {
    const { sink, handled } = recordingSink();
    const url = await serve(sink);
    await api.setCallbackServer(url, { secret: 'not-the-secret' });
    const { teacher, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    await api.callbackIdle();
    expect(handled).toEqual([]);
    expect(api.callbackDeliveries.slice(1).map((delivery) => delivery.status)).toEqual([
      403, 403, 403, 403, 403,
    ]);
  });

  it('answers 500 while handling fails, so VK resends, and ok once the effect is committed', async () => {
    const committed: string[] = [];
    // Three tries within a request fail, so VK is asked to resend; its resend succeeds.
    const { sink, handled } = recordingSink((event, attempt) => event.kind === 'message' && attempt <= 4);
    const url = await serve(async (event, delivery) => {
      await sink(event, delivery);
      committed.push(event.updateKey);
    });
    await api.setCallbackServer(url, { secret });
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    api.sendMessage(chat, parent, '/rules');
    await api.callbackIdle();
    const messageEvent = api.events.at(-1);
    const statuses = api.callbackDeliveries
      .filter((delivery) => delivery.eventId === messageEvent?.event_id)
      .map((delivery) => [delivery.status, delivery.body]);
    expect(statuses).toEqual([
      [500, 'retry'],
      [200, 'ok'],
    ]);
    expect(handled.filter((event) => event.kind === 'message')).toHaveLength(1);
    expect(committed).toContain(messageEvent?.event_id);
  });

  it('answers ok to an event that keeps failing after maxAttempts, with the event given up', async () => {
    const { sink } = recordingSink((event) => event.kind === 'message');
    const url = await serve(sink, { maxAttempts: 2 });
    await api.setCallbackServer(url, { secret });
    const { teacher, parent, chat } = classChat();
    api.addCommunity(chat, { by: teacher, admin: true });
    api.sendMessage(chat, parent, 'всегда ломается');
    await api.callbackIdle();
    const last = api.events.at(-1)?.event_id;
    expect(
      api.callbackDeliveries
        .filter((delivery) => delivery.eventId === last)
        .map((delivery) => delivery.status),
    ).toEqual([500, 200]);
  });

  it('tells requests that are not events of this community apart', async () => {
    source = new VkUpdateSource(vk, recordingSink().sink, silentLogger, {
      callback: { confirmation: 'conf', secret },
    });
    expect(await source.handleCallback('{nope')).toEqual({ status: 400, body: 'not json' });
    expect(await source.handleCallback('[]')).toMatchObject({ status: 400 });
    expect(await source.handleCallback(JSON.stringify({ type: 'confirmation', group_id: 1 }))).toMatchObject({
      status: 403,
    });
    expect(
      await source.handleCallback(JSON.stringify({ type: 'confirmation', group_id: api.groupId })),
    ).toEqual({
      status: 200,
      body: 'conf',
    });
    expect(
      await source.handleCallback(JSON.stringify({ type: 'message_new', group_id: api.groupId, object: {} })),
    ).toEqual({ status: 403, body: 'wrong secret' });
  });
});
