import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdjustableClock, HOUR, MINUTE } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { type ChatAddress, MessengerError } from '../../../src/messenger/port.js';
import { VkMessenger } from '../../../src/messenger/vk/connector.js';
import { type ChatRef, FakeVkApi, ScenarioError, type VkUser } from '../../support/fake-vk-api/index.js';

let clock: AdjustableClock;
let api: FakeVkApi;
let vk: VkMessenger;

async function connect(options: { timeoutMs?: number; token?: string } = {}): Promise<VkMessenger> {
  const messenger = new VkMessenger({
    token: options.token ?? api.token,
    apiBaseUrl: api.apiBaseUrl,
    log: silentLogger,
    timeoutMs: options.timeoutMs ?? 3000,
    now: () => clock.now().getTime(),
  });
  await messenger.init();
  return messenger;
}

/** A chat with a teacher (owner), a parent, and the bot as an administrator. */
function classChat(options: { botAdmin?: boolean } = {}) {
  const teacher = api.createUser('Мария', 'Иванова', { screenName: 'maria_iv' });
  const parent = api.createUser('Пётр', 'Петров');
  const chat = api.createChat('8А', { owner: teacher });
  api.addMember(chat, parent, { by: teacher });
  api.addCommunity(chat, { by: teacher, admin: options.botAdmin ?? true });
  const address: ChatAddress = { platform: 'vk', platformChatId: String(chat.peerId) };
  return { teacher, parent, chat, address };
}

async function refusal(promise: Promise<unknown>): Promise<MessengerError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof MessengerError)) throw new Error(`expected a MessengerError, got ${String(error)}`);
  return error;
}

beforeEach(async () => {
  clock = new AdjustableClock();
  api = new FakeVkApi({ clock: () => clock.now() });
  await api.start();
  vk = await connect();
});

afterEach(async () => {
  await api.stop();
});

describe('VkMessenger', () => {
  it('is the community, with honest capabilities', () => {
    expect(vk.platform).toBe('vk');
    expect(vk.self).toEqual({
      userId: `-${api.groupId}`,
      firstName: 'Модератор класса',
      username: 'class_moderator',
      isBot: true,
    });
    expect(vk.capabilities).toEqual({
      joinRequests: false,
      timedMute: true,
      timedBan: false,
      messageLinks: false,
      readOnly: 'native',
      rights: 'admin',
      chatPermissions: false,
      revocableLinks: true,
    });
    expect(vk.isPrivateChat({ platform: 'vk', platformChatId: '100001' })).toBe(true);
    expect(vk.isPrivateChat({ platform: 'vk', platformChatId: '2000000001' })).toBe(false);
    expect(vk.messageLink({ platform: 'vk', platformChatId: '2000000001' }, '5')).toBeUndefined();
  });

  it('sends a reply with callback and link buttons, and answers the id VK gives the message in the chat', async () => {
    const { parent, chat, address } = classChat();
    const asked = api.sendMessage(chat, parent, 'Когда собрание?');
    const sent = await vk.send(address, 'Голосуем', {
      replyTo: String(asked),
      buttons: [
        [
          { text: 'За', data: 'vote:1:yes' },
          { text: 'Против', data: 'vote:1:no' },
        ],
        [{ text: 'Правила', url: 'https://school.example/rules' }],
      ],
    });
    const message = api.message(chat, Number(sent.messageId));
    expect(message).toMatchObject({ fromId: api.communityId, text: 'Голосуем', replyTo: asked });
    expect(message?.keyboard).toEqual({
      inline: true,
      buttons: [
        [
          { type: 'callback', label: 'За', payload: '{"d":"vote:1:yes"}' },
          { type: 'callback', label: 'Против', payload: '{"d":"vote:1:no"}' },
        ],
        [{ type: 'open_link', label: 'Правила', link: 'https://school.example/rules' }],
      ],
    });
    const randomIds = api.callsTo('messages.send').map((call) => call.params.random_id);
    await vk.send(address, 'Второе');
    expect(new Set([...randomIds, api.callsTo('messages.send').at(-1)?.params.random_id]).size).toBe(2);
  });

  it('writes to a person who allowed messages, and says when it may not', async () => {
    const parent = api.createUser('Ольга', 'Смирнова');
    const stranger = api.createUser('Иван', 'Иванов');
    api.privateMessage(parent, '/start');
    const sent = await vk.send({ platform: 'vk', platformChatId: String(parent.id) }, 'Здравствуйте');
    expect(api.message(parent.id, Number(sent.messageId))?.text).toBe('Здравствуйте');
    const error = await refusal(
      vk.send({ platform: 'vk', platformChatId: String(stranger.id) }, 'Здравствуйте'),
    );
    expect(error.code).toBe('CANNOT_MESSAGE_USER');
  });

  it('edits by conversation_message_id, replacing or removing the buttons', async () => {
    const { chat, address } = classChat();
    const { messageId } = await vk.send(address, 'Голосование', { buttons: [[{ text: 'За', data: 'yes' }]] });
    await vk.edit(address, messageId, 'Голосование (1 голос)', [[{ text: 'За (1)', data: 'yes' }]]);
    expect(api.message(chat, Number(messageId))).toMatchObject({
      text: 'Голосование (1 голос)',
      edits: ['Голосование'],
      keyboard: { buttons: [[{ label: 'За (1)' }]] },
    });
    await vk.edit(address, messageId, 'Голосование закрыто');
    expect(api.message(chat, Number(messageId))?.keyboard).toBeUndefined();
    expect((await refusal(vk.edit(address, '999', 'x'))).code).toBe('MESSAGE_GONE');
  });

  it("deletes someone's message for everyone, says MESSAGE_GONE the second time, and needs admin rights", async () => {
    const { parent, chat, address } = classChat();
    const rude = api.sendMessage(chat, parent, 'Грубость');
    await vk.delete(address, String(rude));
    expect(api.message(chat, rude)?.deleted).toBe('for_all');
    expect(api.callsTo('messages.delete').at(-1)?.params).toMatchObject({
      cmids: String(rude),
      delete_for_all: '1',
    });
    expect((await refusal(vk.delete(address, String(rude)))).code).toBe('MESSAGE_GONE');

    api.setCommunityAdmin(chat, false);
    const another = api.sendMessage(chat, parent, 'Ещё грубость');
    expect((await refusal(vk.delete(address, String(another)))).code).toBe('NOT_ENOUGH_RIGHTS');
    expect(api.message(chat, another)?.deleted).toBe(false);
  });

  it('mutes until a time (VK lifts it then), or until unmuted, and confirms each through the member list', async () => {
    const { parent, chat, address } = classChat();
    const until = new Date(clock.now().getTime() + 3 * HOUR);
    await vk.mute(address, String(parent.id), until);
    const muted = api.member(chat, parent);
    expect(muted?.isRestrictedToWrite).toBe(true);
    expect(Math.abs((muted?.restrictedUntil?.getTime() ?? 0) - until.getTime())).toBeLessThanOrEqual(1000);
    expect(() => api.sendMessage(chat, parent, 'Можно?')).toThrow(ScenarioError);
    expect(api.callsTo('messages.getConversationMembers').length).toBeGreaterThan(0);

    clock.advance(3 * HOUR + MINUTE);
    expect(api.member(chat, parent)?.isRestrictedToWrite).toBe(false);

    await vk.mute(address, String(parent.id));
    expect(api.member(chat, parent)?.restrictedUntil).toBeNull();
    await vk.unmute(address, String(parent.id));
    expect(api.member(chat, parent)?.isRestrictedToWrite).toBe(false);
    expect(api.sendMessage(chat, parent, 'Спасибо')).toBeGreaterThan(0);
  });

  it('sends at least a minute for a mute that is nearly over', async () => {
    const { parent, address } = classChat();
    await vk.mute(address, String(parent.id), new Date(clock.now().getTime() + 5000));
    expect(api.callsTo('messages.changeConversationMemberRestrictions').at(-1)?.params).toMatchObject({
      action: 'ro',
      for: '60',
    });
  });

  it.each<{ what: string; arrange: (c: ReturnType<typeof classChat>) => string; code: string }>([
    {
      what: 'the bot is not an administrator',
      arrange: ({ chat, parent }) => {
        api.setCommunityAdmin(chat, false);
        return String(parent.id);
      },
      code: 'NOT_ENOUGH_RIGHTS',
    },
    {
      what: 'the target is an administrator',
      arrange: ({ chat, parent }) => {
        api.setAdmin(chat, parent, true);
        return String(parent.id);
      },
      code: 'USER_IS_ADMIN',
    },
    {
      what: 'the target has left',
      arrange: ({ chat, parent }) => {
        api.removeMember(chat, parent);
        return String(parent.id);
      },
      code: 'USER_NOT_FOUND',
    },
    {
      what: 'VK rejects the undocumented method',
      arrange: ({ parent }) => {
        api.fail('messages.changeConversationMemberRestrictions', {
          errorCode: 3,
          msg: 'Unknown method passed',
        });
        return String(parent.id);
      },
      code: 'NOT_SUPERGROUP',
    },
    {
      what: 'VK says yes but nothing changes',
      arrange: ({ parent }) => {
        api.fail('messages.changeConversationMemberRestrictions', { response: { failed_member_ids: [] } });
        return String(parent.id);
      },
      code: 'NOT_SUPERGROUP',
    },
  ])('refuses a mute the core must handle otherwise when $what → $code', async ({ arrange, code }) => {
    const setup = classChat();
    const userId = arrange(setup);
    const error = await refusal(vk.mute(setup.address, userId, new Date(clock.now().getTime() + HOUR)));
    expect(error.code).toBe(code);
  });

  it('bans by removing (VK has no ban: they may come back), and unban changes nothing', async () => {
    const { teacher, parent, chat, address } = classChat();
    await vk.ban(address, String(parent.id), new Date(clock.now().getTime() + HOUR));
    expect(api.member(chat, parent)).toBeUndefined();
    expect(api.callsTo('messages.removeChatUser').at(-1)?.params).toMatchObject({
      chat_id: String(chat.chatId),
      member_id: String(parent.id),
    });
    expect(api.events.at(-1)?.object).toMatchObject({
      message: { action: { type: 'chat_kick_user', member_id: parent.id }, from_id: api.communityId },
    });
    await vk.ban(address, String(parent.id));
    const calls = api.calls.length;
    await vk.unban(address, String(parent.id));
    expect(api.calls.length).toBe(calls);
    expect((await refusal(vk.ban(address, String(teacher.id)))).code).toBe('NOT_ENOUGH_RIGHTS');
  });

  it("hands out the chat's one link, and revoking it makes a new one (only while it is still current)", async () => {
    const { teacher, chat, address } = classChat();
    const link = await vk.createJoinRequestLink(
      address,
      'для родителей',
      new Date(clock.now().getTime() + HOUR),
    );
    expect(link).toEqual({ url: api.inviteLink(chat) });
    expect(await vk.createJoinRequestLink(address, 'ещё')).toEqual(link);

    await vk.revokeLink(address, link.url);
    expect(api.revokedLinks(chat)).toEqual([link.url]);
    const fresh = api.inviteLink(chat);
    expect(fresh).not.toBe(link.url);
    expect(() => api.addMember(chat, api.createUser('Гость'), { viaLink: link.url })).toThrow(ScenarioError);

    await vk.revokeLink(address, link.url);
    expect(api.inviteLink(chat)).toBe(fresh);
    api.addMember(chat, api.createUser('Новый', 'Родитель'), { viaLink: fresh ?? '' });
    expect(api.members(chat).some((member) => member.invitedBy === teacher.id)).toBe(true);
  });

  it('has no join requests to approve or decline, and no command menus', async () => {
    const { parent, address } = classChat();
    expect((await refusal(vk.approve(address, String(parent.id)))).code).toBe('BAD_REQUEST');
    expect((await refusal(vk.decline(address, String(parent.id)))).code).toBe('BAD_REQUEST');
    const calls = api.calls.length;
    await vk.setCommandMenus({
      members: [{ command: 'rules', description: 'Правила' }],
      moderators: [],
      privateChats: [],
    });
    expect(api.calls.length).toBe(calls);
  });

  it('lists the owner and administrators with names, the bot among them, across pages', async () => {
    const { teacher, chat, address } = classChat();
    const crowd: VkUser[] = [];
    for (let i = 0; i < 230; i += 1) {
      const user = api.createUser(`Родитель${i}`, 'Тестов');
      api.addMember(chat, user, { by: teacher });
      crowd.push(user);
    }
    const lastOne = crowd.at(-1) as VkUser;
    api.setAdmin(chat, lastOne, true);
    const admins = await vk.listAdmins(address);
    expect(admins.map((admin) => [admin.user.userId, admin.status])).toEqual([
      [String(teacher.id), 'creator'],
      [`-${api.groupId}`, 'administrator'],
      [String(lastOne.id), 'administrator'],
    ]);
    expect(admins[0]?.user).toEqual({
      userId: String(teacher.id),
      firstName: 'Мария',
      lastName: 'Иванова',
      username: 'maria_iv',
      isBot: false,
    });
    expect(admins[1]?.user.isBot).toBe(true);
    expect(api.callsTo('messages.getConversationMembers')).toHaveLength(2);
  });

  it('cannot list administrators without being one', async () => {
    const { address } = classChat({ botAdmin: false });
    expect((await refusal(vk.listAdmins(address))).code).toBe('NOT_ENOUGH_RIGHTS');
  });

  it('answers a button press with a snackbar, once', async () => {
    const { parent, chat, address } = classChat();
    const { messageId } = await vk.send(address, 'Голосуем', {
      buttons: [[{ text: 'За', data: 'vote:yes' }]],
    });
    const eventId = api.pressButton(chat, Number(messageId), parent, '{"d":"vote:yes"}');
    const pressId = `${chat.peerId}:${parent.id}:${eventId}`;
    await vk.answerButton(pressId, 'Голос учтён', true);
    expect(api.eventAnswer(eventId)).toEqual({
      eventId,
      userId: parent.id,
      peerId: chat.peerId,
      eventData: { type: 'show_snackbar', text: 'Голос учтён' },
    });
    expect((await refusal(vk.answerButton(pressId, 'Ещё раз'))).code).toBe('CALLBACK_EXPIRED');
  });

  it('answers a press a minute old as expired, and a press without text without a snackbar', async () => {
    const { parent, chat, address } = classChat();
    const { messageId } = await vk.send(address, 'Голосуем', { buttons: [[{ text: 'За', data: 'yes' }]] });
    const late = api.pressButton(chat, Number(messageId), parent, { label: 'За' });
    const quiet = api.pressButton(chat, Number(messageId), parent, { label: 'За' });
    await vk.answerButton(`${chat.peerId}:${parent.id}:${quiet}`);
    expect(api.eventAnswer(quiet)).toEqual({ eventId: quiet, userId: parent.id, peerId: chat.peerId });
    clock.advance(61_000);
    expect((await refusal(vk.answerButton(`${chat.peerId}:${parent.id}:${late}`, 'Поздно'))).code).toBe(
      'CALLBACK_EXPIRED',
    );
  });
});

describe('VkMessenger under faults', () => {
  let chat: ChatRef;
  let address: ChatAddress;
  let teacher: VkUser;
  beforeEach(() => {
    ({ chat, address, teacher } = classChat());
  });

  it.each<{ what: string; fault: Parameters<FakeVkApi['fail']>[1]; code: string; retryable: boolean }>([
    {
      what: 'error 10',
      fault: { errorCode: 10, msg: 'Internal server error' },
      code: 'SERVER',
      retryable: true,
    },
    { what: 'HTTP 502', fault: { status: 502 }, code: 'SERVER', retryable: true },
    { what: 'error 9', fault: { errorCode: 9, msg: 'Flood control' }, code: 'RATE_LIMITED', retryable: true },
    { what: 'a dropped connection', fault: { timeoutMs: 0, drop: true }, code: 'NETWORK', retryable: true },
    {
      what: 'error 917',
      fault: { errorCode: 917, msg: "You don't have access to this chat" },
      code: 'BOT_NOT_IN_CHAT',
      retryable: false,
    },
    {
      what: 'error 100',
      fault: { errorCode: 100, msg: 'One of the parameters specified was missing or invalid' },
      code: 'BAD_REQUEST',
      retryable: false,
    },
  ])('maps $what to $code', async ({ fault, code, retryable }) => {
    api.fail('messages.edit', fault);
    const error = await refusal(vk.edit(address, '1', 'x'));
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
  });

  it('gives up on a call that takes longer than its timeout, as NETWORK', async () => {
    const impatient = await connect({ timeoutMs: 300 });
    api.fail('messages.edit', { timeoutMs: 1000 });
    const started = Date.now();
    const error = await refusal(impatient.edit(address, '1', 'x'));
    expect(error.code).toBe('NETWORK');
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('retries a send that timed out with the same random_id, so VK keeps one message', async () => {
    const impatient = await connect({ timeoutMs: 400 });
    api.fail('messages.send', { timeoutMs: 1500 });
    const sent = await impatient.send(address, 'Один раз');
    expect(api.communityMessages(chat).map((message) => message.text)).toEqual(['Один раз']);
    expect(api.message(chat, Number(sent.messageId))?.text).toBe('Один раз');
    const attempts = api.callsTo('messages.send');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.params.random_id).toBe(attempts[1]?.params.random_id);
  });

  it('maps an error VK reports for the one peer of a send', async () => {
    api.removeCommunity(chat, teacher);
    const error = await refusal(vk.send(address, 'Есть кто?'));
    expect(error.code).toBe('BOT_NOT_IN_CHAT');
  });

  it('says UNAUTHORIZED for a token VK does not accept', async () => {
    expect((await refusal(connect({ token: 'vk1.a.wrong' }))).code).toBe('UNAUTHORIZED');
  });

  it('lets vk-io wait out an error 6 and send once', async () => {
    api.fail('messages.send', { errorCode: 6, msg: 'Too many requests per second' });
    const sent = await vk.send(address, 'После паузы');
    expect(api.message(chat, Number(sent.messageId))?.text).toBe('После паузы');
    expect(api.callsTo('messages.send')).toHaveLength(2);
  });

  it('paces 60 quick sends under 20 requests a second, without error 6', async () => {
    const started = Date.now();
    const sent = await Promise.all(Array.from({ length: 60 }, (_, i) => vk.send(address, `Сообщение ${i}`)));
    expect(new Set(sent.map((message) => message.messageId)).size).toBe(60);
    expect(api.communityMessages(chat)).toHaveLength(60);
    expect(api.stats().tooManyRequests).toBe(0);
    expect(api.stats().maxCallsPerSecond).toBeLessThanOrEqual(20);
    expect(Date.now() - started).toBeGreaterThan(2500);
  }, 20_000);
});
