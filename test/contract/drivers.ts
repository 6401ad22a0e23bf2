import type { AdjustableClock } from '../../src/lib/clock.js';
import { ALLOWED_UPDATES } from '../../src/messenger/telegram/updates.js';
import { FakeBotApi } from '../support/fake-bot-api/index.js';
import { FakeMaxApi, type MaxUser, MODERATOR_PERMISSIONS } from '../support/fake-max-api/index.js';
import { FakeVkApi } from '../support/fake-vk-api/index.js';

/** A person on the platform under test. */
export interface Person {
  id: number;
  name: string;
}

/** A message id: a number on Telegram and VK, MAX's `mid` string on MAX. */
export type MessageRef = number | string;

export interface BotMessage {
  id: MessageRef;
  text: string;
  labels: string[];
}

/**
 * What the contract suite needs from a platform's fake: chats with a teacher (an administrator), parents
 * and the bot as an administrator; people posting, replying and pressing buttons; and what the bot did.
 * One driver per connector; the suite is the same for both.
 */
/** What a platform has that not every platform has: a scenario needing one is skipped, with the reason, where it is missing. */
export interface PlatformTraits {
  /** Administrators may post as the chat itself (Telegram's «Анонимность»); VK and MAX have no such thing. */
  anonymousAdmins: boolean;
  /** A link can make joins wait for the bot (Telegram); elsewhere a link lets people straight in. */
  joinRequests: boolean;
  /** The bot can revoke the link it gave (Telegram; VK by resetting the chat's link); MAX's link is the chat's own. */
  revocableLinks: boolean;
}

/** Each platform's traits, known before its fake starts (a scenario skips on them). */
export const TRAITS = {
  telegram: { anonymousAdmins: true, joinRequests: true, revocableLinks: true },
  vk: { anonymousAdmins: false, joinRequests: false, revocableLinks: true },
  max: { anonymousAdmins: false, joinRequests: false, revocableLinks: false },
} as const satisfies Record<string, PlatformTraits>;

export interface Driver {
  readonly platform: 'telegram' | 'vk' | 'max';
  readonly traits: PlatformTraits;
  /** The environment that points the bot at this fake. */
  env(): Record<string, string>;
  start(): Promise<void>;
  stop(): Promise<void>;
  person(first: string, last: string): Person;
  /** A chat the teacher created, with the parents in it, the bot an administrator, and `admins` made administrators too. */
  classChat(title: string, teacher: Person, parents: Person[], options?: { admins?: Person[] }): number;
  /** An administrator posting anonymously, as the chat (only where `traits.anonymousAdmins`). */
  postAnonymously?(chat: number, text: string): void;
  /** The person follows a link: a join request where `traits.joinRequests`, else straight into the chat. */
  joinByLink(chat: number, person: Person, url: string): void;
  /** Whether the link still lets people in (not revoked, not expired). */
  linkWorks(chat: number, url: string): boolean;
  /** The person is a member of the chat (in it, whatever their rights). */
  member(chat: number, person: Person): boolean;
  addNewcomer(chat: number, person: Person, by: Person): void;
  post(chat: number, person: Person, text: string, replyTo?: MessageRef): MessageRef;
  privateMessage(person: Person, text: string): void;
  botMessages(chat: number): BotMessage[];
  privateTexts(person: Person): string[];
  /** What the bot sent a person privately, with the buttons (a press takes `person.id` as the chat). */
  privateMessages(person: Person): BotMessage[];
  press(chat: number, messageId: MessageRef, person: Person, label: string): void;
  /**
   * The person can read but not write (a block's mute or the rules gate). On MAX, where read-only is
   * emulated, this posts a probe and says whether the bot deleted it within a second.
   */
  readOnly(chat: number, person: Person): boolean | Promise<boolean>;
  /** The person is out of the chat. */
  removed(chat: number, person: Person): boolean;
  /** An administrator (`by`) removes the person by hand in the messenger, not through the bot. */
  removeByHand(chat: number, person: Person, by: Person): void;
  /** Members as a whole may not write (the chat's default permissions), where a platform has them. */
  chatReadOnly?(chat: number): boolean;
  pendingUpdates(): number;
  /** Every text the bot has sent so far, in the chats and private chats this driver made. */
  everyBotText(): string[];
}

export function telegramDriver(clock: AdjustableClock): Driver {
  const api = new FakeBotApi({ clock: () => clock.now(), allowedUpdates: [...ALLOWED_UPDATES] });
  const users = new Map<number, import('telegraf/types').User>();
  const chats = new Set<number>();
  return {
    platform: 'telegram',
    traits: TRAITS.telegram,
    env: () => ({ BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot }),
    start: () => api.start(),
    stop: () => api.stop(),
    person(first, last) {
      const user = api.createUser({ first_name: first, last_name: last });
      users.set(user.id, user);
      return { id: user.id, name: `${first} ${last}` };
    },
    classChat(title, teacher, parents, options = {}) {
      const chat = api.createChat({ type: 'supergroup', title });
      chats.add(chat.id);
      api.addMember(chat.id, users.get(teacher.id) as never, { status: 'creator' });
      for (const parent of parents)
        api.addMember(chat.id, users.get(parent.id) as never, { by: users.get(teacher.id) as never });
      for (const admin of options.admins ?? []) {
        api.addMember(chat.id, users.get(admin.id) as never, { by: users.get(teacher.id) as never });
        api.promote(
          chat.id,
          users.get(admin.id) as never,
          { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
          users.get(teacher.id) as never,
        );
      }
      api.addBot(chat.id, {
        by: users.get(teacher.id) as never,
        status: 'administrator',
        rights: { can_restrict_members: true, can_delete_messages: true, can_invite_users: true },
      });
      return chat.id;
    },
    addNewcomer(chat, person, by) {
      api.addMember(chat, users.get(person.id) as never, { by: users.get(by.id) as never });
    },
    post(chat, person, text, replyTo) {
      return api.sendMessage(
        chat,
        users.get(person.id) as never,
        text,
        replyTo ? { replyTo: Number(replyTo) } : {},
      ).message_id;
    },
    privateMessage(person, text) {
      api.privateMessage(users.get(person.id) as never, text);
    },
    postAnonymously(chat, text) {
      api.sendMessage(chat, { senderChat: chat }, text);
    },
    joinByLink(chat, person, url) {
      api.requestJoin(chat, users.get(person.id) as never, url);
    },
    linkWorks(chat, url) {
      const link = api.inviteLinks(chat).find((l) => l.invite_link === url);
      return (
        link !== undefined &&
        !link.is_revoked &&
        (link.expire_date ?? Infinity) * 1000 > clock.now().getTime()
      );
    },
    member(chat, person) {
      return ['member', 'restricted', 'administrator', 'creator'].includes(
        api.member(chat, person.id).status,
      );
    },
    botMessages(chat) {
      return api.botMessages(chat).map((message) => ({
        id: message.message_id,
        text: message.text ?? '',
        labels: (message.reply_markup?.inline_keyboard ?? []).flat().map((button) => button.text),
      }));
    },
    privateTexts(person) {
      return api.botMessages(person.id).map((message) => message.text ?? '');
    },
    privateMessages(person) {
      return this.botMessages(person.id);
    },
    press(chat, messageId, person, label) {
      const message = api.botMessages(chat).find((m) => m.message_id === messageId);
      const button = (message?.reply_markup?.inline_keyboard ?? [])
        .flat()
        .find((b) => b.text.startsWith(label));
      if (!button || !('callback_data' in button))
        throw new Error(`no button "${label}" on message ${messageId}`);
      api.pressButton(chat, Number(messageId), users.get(person.id) as never, button.callback_data ?? '');
    },
    readOnly(chat, person) {
      const member = api.member(chat, person.id);
      return member.status === 'restricted' && member.permissions?.can_send_messages === false;
    },
    removed(chat, person) {
      return ['kicked', 'left'].includes(api.member(chat, person.id).status);
    },
    removeByHand(chat, person, by) {
      api.removeMember(chat, users.get(person.id) as never, users.get(by.id) as never, { ban: true });
    },
    chatReadOnly: (chat) => api.chat(chat).permissions?.can_send_messages === false,
    pendingUpdates: () => api.pendingUpdates().length,
    everyBotText: () =>
      [...chats, ...users.keys()].flatMap((id) => api.botMessages(id).map((message) => message.text ?? '')),
  };
}

export function vkDriver(clock: AdjustableClock): Driver {
  const api = new FakeVkApi({ clock: () => clock.now(), requestsPerSecond: 1000 });
  const users = new Map<number, ReturnType<FakeVkApi['createUser']>>();
  const chats = new Set<number>();
  return {
    platform: 'vk',
    traits: TRAITS.vk,
    env: () => ({ VK_TOKEN: api.token, VK_API_ROOT: api.apiBaseUrl, VK_GROUP_ID: String(api.groupId) }),
    start: () => api.start(),
    stop: () => api.stop(),
    person(first, last) {
      const user = api.createUser(first, last);
      users.set(user.id, user);
      // People who talk to a community bot allow it to write to them.
      api.allowMessages(user);
      return { id: user.id, name: `${first} ${last}` };
    },
    classChat(title, teacher, parents, options = {}) {
      const owner = users.get(teacher.id) as ReturnType<FakeVkApi['createUser']>;
      const chat = api.createChat(title, { owner });
      for (const parent of parents) api.addMember(chat, users.get(parent.id) as never, { by: owner });
      for (const admin of options.admins ?? [])
        api.addMember(chat, users.get(admin.id) as never, { by: owner, admin: true });
      api.addCommunity(chat, { by: owner, admin: true });
      chats.add(chat.peerId);
      return chat.peerId;
    },
    addNewcomer(chat, person, by) {
      api.addMember(chat, users.get(person.id) as never, { by: users.get(by.id) as never });
    },
    post(chat, person, text, replyTo) {
      return api.sendMessage(
        chat,
        users.get(person.id) as never,
        text,
        replyTo ? { replyTo: Number(replyTo) } : {},
      );
    },
    privateMessage(person, text) {
      api.privateMessage(users.get(person.id) as never, text);
    },
    joinByLink(chat, person, url) {
      api.addMember(chat, users.get(person.id) as never, { viaLink: url });
    },
    linkWorks(chat, url) {
      return api.inviteLink(chat) === url;
    },
    member(chat, person) {
      return api.member(chat, person.id) !== undefined;
    },
    botMessages(chat) {
      return api
        .communityMessages(chat)
        .filter((m) => m.deleted === false)
        .map((message) => ({
          id: message.cmid,
          text: message.text,
          labels: (message.keyboard?.buttons ?? []).flat().map((button) => button.label),
        }));
    },
    privateTexts(person) {
      return api.communityMessages(person.id).map((message) => message.text);
    },
    privateMessages(person) {
      return this.botMessages(person.id);
    },
    press(chat, messageId, person, label) {
      const message = api.communityMessages(chat).find((m) => m.cmid === messageId);
      const button = (message?.keyboard?.buttons ?? []).flat().find((b) => b.label.startsWith(label));
      if (!button) throw new Error(`no button "${label}" on message ${messageId}`);
      api.pressButton(chat, Number(messageId), users.get(person.id) as never, { label: button.label });
    },
    readOnly(chat, person) {
      return api.member(chat, person.id)?.isRestrictedToWrite === true;
    },
    removed(chat, person) {
      return api.member(chat, person.id) === undefined;
    },
    removeByHand(chat, person, by) {
      api.removeMember(chat, users.get(person.id) as never, users.get(by.id) as never);
    },
    // `ts` of the latest long poll is the last event the bot confirmed by asking for the next ones.
    pendingUpdates: () => api.events.length - Number(api.pollRequests.at(-1)?.ts ?? 0),
    // Deleted messages too: a greeting removed later was still read.
    everyBotText: () =>
      [...chats, ...users.keys()].flatMap((id) => api.communityMessages(id).map((message) => message.text)),
  };
}

/** How long the bot may take to delete a silenced member's message (the bound). */
export const EMULATED_READ_ONLY_MS = 1000;

export function maxDriver(clock: AdjustableClock): Driver & { api: FakeMaxApi } {
  const api = new FakeMaxApi({ clock: () => clock.now(), requestsPerSecond: false });
  const users = new Map<number, MaxUser>();
  const user = (person: Person) => users.get(person.id) as MaxUser;
  const started = new Set<number>();
  return {
    api,
    platform: 'max',
    traits: TRAITS.max,
    env: () => ({ MAX_TOKEN: api.token, MAX_API_ROOT: api.baseUrl }),
    start: () => api.start(),
    stop: () => api.stop(),
    person(first, last) {
      const created = api.sim.createUser(first, last);
      users.set(created.user_id, created);
      return { id: created.user_id, name: `${first} ${last}` };
    },
    classChat(title, teacher, parents, options = {}) {
      // A private join link: MAX honours block=true only in chats with one.
      const chat = api.sim.createChat(title, {
        owner: user(teacher),
        members: [...parents, ...(options.admins ?? [])].map(user),
        link: 'private',
      });
      for (const admin of options.admins ?? []) api.sim.setAdmin(chat, user(admin), MODERATOR_PERMISSIONS);
      api.sim.addBot(chat, { by: user(teacher), permissions: MODERATOR_PERMISSIONS });
      return chat.chatId;
    },
    addNewcomer(chat, person, by) {
      api.sim.addMember(chat, user(person), { by: user(by) });
    },
    post(chat, person, text, replyTo) {
      return api.sim.post(chat, user(person), text, replyTo ? { replyTo: String(replyTo) } : {});
    },
    privateMessage(person, text) {
      // A person first opens the bot's chat (Start), then writes.
      if (!started.has(person.id)) {
        started.add(person.id);
        api.sim.startBot(user(person));
      }
      api.sim.postPrivate(user(person), text);
    },
    joinByLink(chat, person, url) {
      if (api.inspect.chat(chat).link !== url) throw new Error(`"${url}" is not the chat's link`);
      api.sim.addMember(chat, user(person), { by: 'link' });
    },
    linkWorks(chat, url) {
      return api.inspect.chat(chat).link === url;
    },
    member(chat, person) {
      return api.inspect.member(chat, person.id) !== undefined;
    },
    botMessages(chat) {
      return api.inspect.botMessages(chat).map((message) => ({
        id: message.mid,
        text: message.text ?? '',
        labels: (message.keyboard ?? []).flat().map((button) => button.text),
      }));
    },
    privateTexts(person) {
      return api.inspect
        .privateMessages(person.id)
        .filter((message) => message.senderId === api.bot.user_id)
        .map((message) => message.text ?? '');
    },
    privateMessages(person) {
      return api.inspect
        .privateMessages(person.id)
        .filter((message) => message.senderId === api.bot.user_id && !message.deleted)
        .map((message) => ({
          id: message.mid,
          text: message.text ?? '',
          labels: (message.keyboard ?? []).flat().map((button) => button.text),
        }));
    },
    press(_chat, messageId, person, label) {
      const message = api.inspect.message(String(messageId));
      const button = (message?.keyboard ?? []).flat().find((b) => b.text.startsWith(label));
      if (!button) throw new Error(`no button "${label}" on message ${messageId}`);
      api.sim.press(String(messageId), user(person), { text: button.text });
    },
    async readOnly(chat, person) {
      const mid = api.sim.post(chat, user(person), 'Проверка');
      const deadline = Date.now() + EMULATED_READ_ONLY_MS;
      while (Date.now() < deadline) {
        if (api.inspect.message(mid)?.deleted) return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return api.inspect.message(mid)?.deleted === true;
    },
    removed(chat, person) {
      return api.inspect.member(chat, person.id) === undefined;
    },
    removeByHand(chat, person, by) {
      api.sim.removeMember(chat, user(person), { by: user(by) });
    },
    pendingUpdates: () => api.inspect.pendingUpdates.length,
    // Everything the bot sent, edited or answered to a press, as sent (deleted messages too).
    everyBotText: () =>
      ['POST /messages', 'PUT /messages', 'POST /answers'].flatMap((route) =>
        api.inspect.callsTo(route).map((call) => JSON.stringify(call.body)),
      ),
  };
}
