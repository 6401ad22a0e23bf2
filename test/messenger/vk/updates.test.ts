import { describe, expect, it } from 'vitest';
import type { UserInfo } from '../../../src/messenger/port.js';
import {
  decodePressId,
  encodePressId,
  type MappingContext,
  parseCommand,
  referencedIds,
  titleChange,
  toEvent,
  updateKey,
  type VkUpdate,
} from '../../../src/messenger/vk/updates.js';

const GROUP = 220_000_001;
const PEER = 2_000_000_007;
const anna: UserInfo = { userId: '1001', firstName: 'Анна', lastName: 'Петрова', isBot: false };
const boris: UserInfo = { userId: '1002', firstName: 'Борис', isBot: false };
const bot: UserInfo = {
  userId: `-${GROUP}`,
  firstName: 'Модератор',
  username: 'class_moderator',
  isBot: true,
};
const now = new Date('2026-11-29T10:00:00Z');
const date = 1_795_000_000;

const context = (extra: Partial<MappingContext> = {}): MappingContext => ({
  groupId: GROUP,
  now,
  users: new Map([
    [1001, anna],
    [1002, boris],
    [-GROUP, bot],
  ]),
  titles: new Map([[PEER, '7Б родители']]),
  ...extra,
});

const chat = { platform: 'vk', platformChatId: String(PEER), type: 'supergroup', title: '7Б родители' };

function messageNew(message: Record<string, unknown>, eventId = 'ev1'): VkUpdate {
  return {
    type: 'message_new',
    group_id: GROUP,
    event_id: eventId,
    v: '5.199',
    object: {
      message: { date, peer_id: PEER, from_id: 1001, conversation_message_id: 41, text: '', ...message },
      client_info: { keyboard: true, inline_keyboard: true },
    },
  };
}

function press(payload: unknown, extra: Record<string, unknown> = {}): VkUpdate {
  return {
    type: 'message_event',
    group_id: GROUP,
    event_id: 'ev9',
    object: {
      user_id: 1002,
      peer_id: PEER,
      event_id: 'e7f3a1',
      payload,
      conversation_message_id: 40,
      ...extra,
    },
  };
}

describe('parseCommand', () => {
  it.each([
    ['/rules', { name: 'rules', args: '' }],
    ['/Strike 2 грубость', { name: 'strike', args: '2 грубость' }],
    [`[club${GROUP}|@class_moderator] /strike 2`, { name: 'strike', args: '2' }],
    [`[club${GROUP}|Модератор], /rules`, { name: 'rules', args: '' }],
    [`[public${GROUP}|@class_moderator] /help`, { name: 'help', args: '' }],
    ['[club999|@other_bot] /strike 2', undefined],
    ['[id1002|Борис], /rules', undefined],
    ['/setrules\n1. Be nice\n2. No ads', { name: 'setrules', args: '1. Be nice\n2. No ads' }],
    ['/rules, please', undefined],
    ['not a /command', undefined],
    ['/', undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseCommand(text, GROUP)).toEqual(expected);
  });
});

describe('toEvent', () => {
  it('maps a reply with a command to a message with the replied one and its sender', () => {
    const event = toEvent(
      messageNew({
        text: `[club${GROUP}|@class_moderator] /strike 2 грубость`,
        reply_message: {
          conversation_message_id: 40,
          from_id: 1002,
          text: 'Грубое сообщение',
          date: date - 60,
        },
      }),
      context(),
    );
    expect(event).toEqual({
      updateKey: 'ev1',
      at: new Date(date * 1000),
      kind: 'message',
      chat,
      sender: { kind: 'user', user: anna },
      messageId: '41',
      text: `[club${GROUP}|@class_moderator] /strike 2 грубость`,
      command: { name: 'strike', args: '2 грубость' },
      replyTo: {
        messageId: '40',
        text: 'Грубое сообщение',
        at: new Date((date - 60) * 1000),
        sender: { kind: 'user', user: boris },
      },
    });
  });

  it('maps a private message to a private chat titled with the person', () => {
    expect(toEvent(messageNew({ peer_id: 1001, text: 'Здравствуйте' }), context())).toMatchObject({
      kind: 'message',
      chat: { platform: 'vk', platformChatId: '1001', type: 'private', title: 'Анна Петрова' },
      sender: { kind: 'user', user: anna },
    });
  });

  it('uses placeholders for people and chats the directory does not know', () => {
    const event = toEvent(
      messageNew({ from_id: 5555, peer_id: 2_000_000_099, text: 'hi' }),
      context({ users: new Map() }),
    );
    expect(event).toMatchObject({
      chat: { platformChatId: '2000000099', title: 'chat 99', type: 'supergroup' },
      sender: { kind: 'user', user: { userId: '5555', firstName: 'id5555', isBot: false } },
    });
    expect(toEvent(messageNew({ from_id: -777, text: 'I am a bot' }), context())).toMatchObject({
      sender: { kind: 'user', user: { userId: '-777', firstName: 'club777', isBot: true } },
    });
  });

  type JoinCase = {
    what: string;
    action: Record<string, unknown>;
    from: number;
    expected: Record<string, unknown>;
  };
  it.each<JoinCase>([
    {
      what: 'added by a member',
      action: { type: 'chat_invite_user', member_id: 1002 },
      from: 1001,
      expected: { kind: 'members_joined', members: [boris], via: 'added', by: anna, messageId: '41' },
    },
    {
      what: 'back on their own',
      action: { type: 'chat_invite_user', member_id: 1002 },
      from: 1002,
      expected: { kind: 'members_joined', members: [boris], via: 'link' },
    },
    {
      what: 'by the link, newcomer in from_id only',
      action: { type: 'chat_invite_user_by_link' },
      from: 1002,
      expected: { kind: 'members_joined', members: [boris], via: 'link' },
    },
    {
      what: 'by the link, with member_id',
      action: { type: 'chat_invite_user_by_link', member_id: 1002 },
      from: 1002,
      expected: { kind: 'members_joined', members: [boris], via: 'link' },
    },
    {
      what: 'accepted from a request',
      action: { type: 'chat_invite_user_by_message_request', member_id: 1002 },
      from: 1001,
      expected: { kind: 'members_joined', members: [boris], via: 'request' },
    },
    {
      what: 'removed by an administrator',
      action: { type: 'chat_kick_user', member_id: 1002 },
      from: 1001,
      expected: { kind: 'member_left', member: boris, status: 'kicked', by: anna },
    },
    {
      what: 'left on their own',
      action: { type: 'chat_kick_user', member_id: 1002 },
      from: 1002,
      expected: { kind: 'member_left', member: boris, status: 'left' },
    },
    {
      what: 'removed by the bot itself',
      action: { type: 'chat_kick_user', member_id: 1002 },
      from: -GROUP,
      expected: { kind: 'member_left', member: boris, status: 'kicked', by: bot },
    },
  ])('$what', ({ action, from, expected }) => {
    const event = toEvent(messageNew({ from_id: from, action }), context());
    expect(event).toMatchObject({ ...expected, chat, updateKey: 'ev1', at: new Date(date * 1000) });
    if (expected.kind === 'members_joined' && !('by' in expected)) expect(event).not.toHaveProperty('by');
    if (expected.kind === 'member_left' && !('by' in expected)) expect(event).not.toHaveProperty('by');
  });

  it.each([
    { botIsAdmin: true, status: 'administrator', rights: true },
    { botIsAdmin: false, status: 'member', rights: false },
  ])(
    'maps the bot joining (admin: $botIsAdmin) to its membership with rights',
    ({ botIsAdmin, status, rights }) => {
      const event = toEvent(
        messageNew({ action: { type: 'chat_invite_user', member_id: -GROUP } }),
        context({ botIsAdmin }),
      );
      expect(event).toEqual({
        updateKey: 'ev1',
        at: new Date(date * 1000),
        kind: 'bot_membership',
        chat,
        by: anna,
        status,
        previous: 'left',
        rights: { canRestrictMembers: rights, canDeleteMessages: rights, canInviteUsers: rights },
      });
    },
  );

  it('maps the bot being removed to its membership, kicked', () => {
    expect(
      toEvent(messageNew({ action: { type: 'chat_kick_user', member_id: -GROUP } }), context()),
    ).toMatchObject({
      kind: 'bot_membership',
      status: 'kicked',
      previous: 'member',
      by: anna,
      rights: { canRestrictMembers: false, canDeleteMessages: false, canInviteUsers: false },
    });
  });

  it.each([
    ['a parsed payload (as VK delivers it)', { d: 'vote:1:no' }],
    ['a JSON string payload (as VK documents it)', '{"d":"vote:1:no"}'],
  ])('maps a press with %s to a button event carrying an answerable press id', (_what, payload) => {
    const event = toEvent(press(payload), context());
    expect(event).toEqual({
      updateKey: 'ev9',
      at: now,
      kind: 'button',
      chat,
      user: boris,
      messageId: '40',
      data: 'vote:1:no',
      pressId: `${PEER}:1002:e7f3a1`,
    });
  });

  it.each([
    ['a chat rename', messageNew({ action: { type: 'chat_title_update', text: 'Новое имя' } })],
    ['a pin', messageNew({ action: { type: 'chat_pin_message', member_id: 1001 } })],
    ['a press of a button that is not ours', press({ command: 'start' })],
    ['a press with a broken payload', press('{not json')],
    ['an event type the bot does not use', { type: 'message_reply', group_id: GROUP, object: {} }],
    ['a message_new without a message', { type: 'message_new', group_id: GROUP, object: { foo: 1 } }],
  ])('ignores %s', (_what, update) => {
    expect(toEvent(update as VkUpdate, context())).toBeUndefined();
  });
});

describe('update keys, press ids and lookups', () => {
  it.each([
    ['the event_id when VK sends one', messageNew({}, 'abc123'), 'abc123'],
    [
      'peer and cmid for a message without one',
      { ...messageNew({}), event_id: undefined },
      `message_new:${PEER}:41`,
    ],
    [
      'the press id for a press without one',
      { ...press({ d: 'x' }), event_id: undefined },
      'message_event:e7f3a1',
    ],
  ])('uses %s', (_what, update, key) => {
    expect(updateKey(update as VkUpdate)).toBe(key);
  });

  it('encodes what answering a press needs and decodes it back', () => {
    const pressId = encodePressId({ event_id: 'a:b:c', user_id: 1002, peer_id: PEER });
    expect(decodePressId(pressId)).toEqual({ eventId: 'a:b:c', userId: 1002, peerId: PEER });
    expect(decodePressId('telegram-callback-id')).toBeUndefined();
  });

  it('names the people and chats an event needs, and a rename', () => {
    expect(
      referencedIds(
        messageNew({
          from_id: 1001,
          action: { type: 'chat_invite_user', member_id: 1002 },
          reply_message: { conversation_message_id: 1, from_id: -5, text: '' },
        }),
      ),
    ).toEqual({ owners: [1001, 1002, -5], chats: [PEER] });
    expect(referencedIds(messageNew({ peer_id: 1001 }))).toEqual({ owners: [1001], chats: [] });
    expect(referencedIds(press({ d: 'x' }))).toEqual({ owners: [1002], chats: [PEER] });
    expect(titleChange(messageNew({ action: { type: 'chat_title_update', text: '8А' } }))).toEqual({
      peerId: PEER,
      title: '8А',
    });
  });
});
