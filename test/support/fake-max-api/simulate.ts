import type { FakeContext } from './context.js';
import { ScenarioError } from './errors.js';
import { Events } from './events.js';
import {
  ADMIN_PERMISSIONS,
  type AdminPermission,
  type ChatLike,
  type ChatRef,
  type MaxUser,
  type UserLike,
  type WireUpdate,
} from './types.js';
import { type ChatRecord, keyboardOf, type MessageRecord } from './world.js';

/** Deep-link payloads longer than this are dropped, not passed to the bot (schema, "Deep linking"). */
export const START_PAYLOAD_MAX_CHARS = 128;

/**
 * What people (and MAX itself) do, with the updates MAX sends the bot for each. Every helper checks that
 * MAX would allow it and throws {@link ScenarioError} otherwise.
 */
export class Simulation {
  private readonly events: Events;

  constructor(private readonly ctx: FakeContext) {
    this.events = new Events(ctx);
  }

  /** Registers a person (ids count up from 10000001). `privacy`: bots may not add them to chats. */
  createUser(
    firstName: string,
    lastName = '',
    options: { username?: string; privacy?: boolean } = {},
  ): MaxUser {
    return this.ctx.wire.user(this.ctx.world.createUser(firstName, lastName, options));
  }

  /**
   * Creates a group chat (ids -70000000000001, -70000000000002, …) with `owner` as owner and admin, and
   * `members` in it. `link`: a private (`https://max.ru/join/…`) or public join link; blocks hold only
   * where there is one. No updates: the bot is not there yet.
   */
  createChat(
    title: string,
    options: { owner: MaxUser; members?: readonly MaxUser[]; link?: 'private' | 'public' | false },
  ): ChatRef {
    const chat = this.ctx.world.createChat(title, options.link ? options.link : null);
    const owner = this.ctx.world.join(chat, options.owner.user_id, null, ALL_PERMISSIONS);
    owner.isOwner = true;
    chat.ownerId = options.owner.user_id;
    for (const member of options.members ?? [])
      this.ctx.world.join(chat, member.user_id, options.owner.user_id);
    return { chatId: chat.id, title };
  }

  /** Gives the chat a join link (`private` or `public`) or takes it away (`false`). */
  setLink(chatLike: ChatLike, link: 'private' | 'public' | false): string | null {
    const chat = this.ctx.world.requireChat(chatLike);
    this.ctx.world.setLink(chat, link || null);
    return chat.link;
  }

  /** A member (default the owner) adds the bot: `bot_added`; with `permissions` it is made admin at once. */
  addBot(chatLike: ChatLike, options: { by?: MaxUser; permissions?: readonly AdminPermission[] } = {}): void {
    const chat = this.ctx.world.requireChat(chatLike);
    if (this.ctx.world.botMember(chat)) throw new ScenarioError(`the bot is already in "${chat.title}"`);
    const by = this.adminOrOwner(chat, options.by);
    this.ctx.world.join(chat, this.ctx.world.bot.id, by);
    this.events.botAdded(chat, by);
    if (options.permissions)
      this.setBotPermissions(chat.id, options.permissions, { by: this.ctx.wire.userById(by) });
  }

  /** An admin (default the owner) changes the bot's rights: `bot_admin_permissions_changed`. `null` demotes it. */
  setBotPermissions(
    chatLike: ChatLike,
    permissions: readonly AdminPermission[] | null,
    options: { by?: MaxUser } = {},
  ): void {
    const chat = this.ctx.world.requireChat(chatLike);
    const member = this.ctx.world.botMember(chat);
    if (!member) throw new ScenarioError(`the bot is not in "${chat.title}"`);
    const by = this.adminOrOwner(chat, options.by);
    member.isAdmin = permissions !== null;
    member.permissions = permissions ? [...permissions] : null;
    this.events.botPermissionsChanged(chat, by);
  }

  /** An admin removes the bot: `bot_removed`; `GET /chats/{id}` then says `status: removed`. */
  removeBot(chatLike: ChatLike, options: { by?: MaxUser } = {}): void {
    const chat = this.ctx.world.requireChat(chatLike);
    if (!this.ctx.world.botMember(chat)) throw new ScenarioError(`the bot is not in "${chat.title}"`);
    const by = this.adminOrOwner(chat, options.by);
    chat.members.delete(this.ctx.world.bot.id);
    chat.botGone = 'removed';
    this.events.botRemoved(chat, by);
  }

  /**
   * Someone joins: added by a member (`by`, `inviter_id` = them) or by the join link (`by: 'link'`,
   * `inviter_id` null). A blocked person cannot come by link; an admin adding them lifts the block unless
   * the fake was built with `addingLiftsBlock: false`.
   */
  addMember(
    chatLike: ChatLike,
    user: MaxUser,
    options: { by: MaxUser | 'link'; permissions?: readonly AdminPermission[] },
  ): void {
    const chat = this.ctx.world.requireChat(chatLike);
    if (chat.members.has(user.user_id))
      throw new ScenarioError(`${name(user)} is already in "${chat.title}"`);
    let inviter: number | null = null;
    if (options.by === 'link') {
      if (!chat.link) throw new ScenarioError(`"${chat.title}" has no join link`);
      if (chat.blocked.has(user.user_id))
        throw new ScenarioError(`${name(user)} is blocked in "${chat.title}"`);
    } else {
      inviter = options.by.user_id;
      if (!chat.members.has(inviter))
        throw new ScenarioError(`${name(options.by)} is not in "${chat.title}"`);
      if (chat.blocked.has(user.user_id)) {
        if (!this.ctx.addingLiftsBlock)
          throw new ScenarioError(`${name(user)} is blocked in "${chat.title}"`);
        chat.blocked.delete(user.user_id);
      }
    }
    this.ctx.world.join(
      chat,
      user.user_id,
      inviter,
      options.permissions ? [...options.permissions] : undefined,
    );
    this.events.userAdded(chat, user.user_id, inviter);
  }

  /** An admin removes a member (`admin_id` = them); `block` as `DELETE …/members?block=true` would. */
  removeMember(chatLike: ChatLike, user: MaxUser, options: { by: MaxUser; block?: boolean }): void {
    const chat = this.ctx.world.requireChat(chatLike);
    this.requireMember(chat, user);
    if (!chat.members.get(options.by.user_id)?.isAdmin) {
      throw new ScenarioError(`${name(options.by)} is not an admin of "${chat.title}"`);
    }
    if (options.block && chat.link) chat.blocked.add(user.user_id);
    chat.members.delete(user.user_id);
    this.events.userRemoved(chat, user.user_id, options.by.user_id);
  }

  /** A member leaves (`admin_id` null). */
  leave(chatLike: ChatLike, user: MaxUser): void {
    const chat = this.ctx.world.requireChat(chatLike);
    this.requireMember(chat, user);
    chat.members.delete(user.user_id);
    this.events.userRemoved(chat, user.user_id, null);
  }

  /** The owner makes a member an admin (or not, with `null`). MAX sends no update for people. */
  setAdmin(chatLike: ChatLike, user: MaxUser, permissions: readonly AdminPermission[] | null): void {
    const chat = this.ctx.world.requireChat(chatLike);
    const member = this.requireMember(chat, user);
    if (member.isOwner) throw new ScenarioError('the owner is always an admin');
    member.isAdmin = permissions !== null;
    member.permissions = permissions ? [...permissions] : null;
  }

  /** A member posts (a command is just text starting with `/`): `message_created`. Returns the mid. */
  post(chatLike: ChatLike, user: MaxUser, text: string, options: { replyTo?: string } = {}): string {
    const chat = this.ctx.world.requireChat(chatLike);
    this.requireMember(chat, user);
    return this.write(chat, user, text, options.replyTo).mid;
  }

  /** A person writes to the bot in their dialog (opening it if needed): `message_created`. */
  postPrivate(user: MaxUser, text: string, options: { replyTo?: string } = {}): string {
    const dialog = this.ctx.world.dialogWith(user.user_id);
    dialog.dialogStatus = 'active';
    return this.write(dialog, user, text, options.replyTo).mid;
  }

  /** A member edits their message: `message_edited`. */
  edit(mid: string, user: UserLike, text: string): void {
    const record = this.liveMessage(mid);
    if (record.senderId !== userId(user)) throw new ScenarioError(`${mid} is not theirs to edit`);
    record.edits.push(record.text);
    record.text = text;
    this.events.messageEdited(record);
  }

  /** A message is deleted by its author or a chat admin: `message_removed` with `user_id` = who did it. */
  deleteMessage(mid: string, by: UserLike): void {
    const record = this.liveMessage(mid);
    const chat = this.ctx.world.chatOf(record);
    const id = userId(by);
    if (record.senderId !== id && !chat.members.get(id)?.isAdmin)
      throw new ScenarioError(`${id} may not delete ${mid}`);
    record.deleted = true;
    record.deletedBy = id;
    this.events.messageRemoved(record, id);
  }

  /**
   * A person presses a callback button of a bot message, found by its payload or `{ text }`:
   * `message_callback`. A message deleted meanwhile (their app had not caught up) comes with `message: null`.
   * Returns the callback_id.
   */
  press(mid: string, user: MaxUser, button: string | { text: string }): string {
    const record = this.ctx.world.messagesByMid.get(mid);
    if (!record || record.senderId !== this.ctx.world.bot.id)
      throw new ScenarioError(`${mid} is not a bot message`);
    const chat = this.ctx.world.chatOf(record);
    const sees = chat.type === 'dialog' ? chat.dialogUserId === user.user_id : chat.members.has(user.user_id);
    if (!sees) throw new ScenarioError(`${name(user)} cannot see ${mid}`);
    const found = keyboardOf(record)
      ?.flat()
      .find(
        (b) =>
          b.type === 'callback' &&
          (typeof button === 'string' ? b.payload === button : b.text === button.text),
      );
    if (!found) throw new ScenarioError(`${mid} has no callback button ${JSON.stringify(button)}`);
    const callback = this.ctx.world.newCallback(user.user_id, record, found.payload ?? '');
    this.events.callback(callback, record);
    return callback.callbackId;
  }

  /**
   * A person opens `https://max.ru/<bot>?start=<payload>` (or presses Start): `bot_started`. A payload
   * over 128 characters is dropped, as MAX does. Returns the dialog's chat_id.
   */
  startBot(user: MaxUser, payload?: string): number {
    const dialog = this.ctx.world.dialogWith(user.user_id);
    dialog.dialogStatus = 'active';
    const passed =
      payload !== undefined && [...payload].length <= START_PAYLOAD_MAX_CHARS ? payload : undefined;
    this.events.botStarted(dialog, user.user_id, passed);
    return dialog.id;
  }

  /** A person stops (blocks) the bot: `bot_stopped`; sending to them then fails with `chat.denied`. */
  stopBot(user: MaxUser): void {
    const dialog = this.ctx.world.dialogWith(user.user_id);
    dialog.dialogStatus = 'suspended';
    this.events.botStopped(dialog, user.user_id);
  }

  /**
   * Sends an update as given (its `timestamp` filled in if missing), whatever its shape: for testing how a
   * bot takes update types it does not know, missing fields and other bad input.
   */
  rawUpdate(update: Record<string, unknown>): void {
    this.ctx.emit({ timestamp: this.ctx.world.now(), update_type: 'unknown', ...update } as WireUpdate);
  }

  /** A member renames the chat: `chat_title_changed`. */
  renameChat(chatLike: ChatLike, title: string, by: MaxUser): void {
    const chat = this.ctx.world.requireChat(chatLike);
    this.requireMember(chat, by);
    chat.title = title;
    this.events.titleChanged(chat, by.user_id);
  }

  private write(chat: ChatRecord, user: MaxUser, text: string, replyTo: string | undefined): MessageRecord {
    if (replyTo !== undefined && this.liveMessage(replyTo).chatId !== chat.id) {
      throw new ScenarioError(`${replyTo} is not in this chat`);
    }
    const record = this.ctx.world.post(chat, user.user_id, text, {
      ...(replyTo !== undefined && { link: { type: 'reply' as const, mid: replyTo } }),
    });
    this.events.messageCreated(record);
    return record;
  }

  private liveMessage(mid: string): MessageRecord {
    const record = this.ctx.world.messagesByMid.get(mid);
    if (!record || record.deleted) throw new ScenarioError(`no live message ${mid}`);
    return record;
  }

  private requireMember(chat: ChatRecord, user: MaxUser) {
    const member = chat.members.get(user.user_id);
    if (!member) throw new ScenarioError(`${name(user)} is not in "${chat.title}"`);
    return member;
  }

  private adminOrOwner(chat: ChatRecord, by: MaxUser | undefined): number {
    const id = by?.user_id ?? chat.ownerId;
    if (id === null || id === undefined || !chat.members.get(id)?.isAdmin) {
      throw new ScenarioError(`nobody to do it in "${chat.title}" (give an admin as "by")`);
    }
    return id;
  }
}

const ALL_PERMISSIONS: AdminPermission[] = [...ADMIN_PERMISSIONS];

function name(user: MaxUser): string {
  return `${user.first_name} ${user.last_name ?? ''}`.trim();
}

function userId(user: UserLike): number {
  return typeof user === 'number' ? user : user.user_id;
}
