import { LRUCache } from 'lru-cache';
import type { Logger } from '../../lib/logger.js';
import type { InboundEvent, UserInfo } from '../port.js';
import type { VkMessenger } from './connector.js';
import {
  isChatPeer,
  type MappingContext,
  messageOf,
  referencedIds,
  titleChange,
  toEvent,
  type VkUpdate,
} from './updates.js';

/**
 * Reads VK events into the core's events, filling in what VK leaves out (people's names, chat titles,
 * the bot's own rights when it joins): looked up a few calls per batch and cached.
 */
export class VkEventReader {
  private readonly names = new LRUCache<number, { value: UserInfo; at: number }>({ max: 200_000 });
  private readonly titles = new LRUCache<number, { value: string; at: number }>({ max: 50_000 });

  constructor(
    private readonly messenger: VkMessenger,
    private readonly log: Logger,
    private readonly directoryTtlMs: number,
    private readonly now: () => Date,
  ) {}

  /**
   * The event with names, titles and (for the bot's own joining) its rights filled in. The caches are read
   * before the first await, so events prepared one after another see them in that order.
   */
  async prepare(update: VkUpdate): Promise<InboundEvent | undefined> {
    const { owners, chats } = referencedIds(update);
    const users = new Map<number, UserInfo>([[-this.messenger.groupId, this.messenger.self]]);
    for (const id of owners) {
      const known = this.names.get(id);
      if (known) users.set(id, known.value);
    }
    const titles = new Map<number, string>();
    for (const peerId of chats) {
      const known = this.titles.get(peerId);
      if (known) titles.set(peerId, known.value);
    }
    const context: MappingContext = { groupId: this.messenger.groupId, now: this.now(), users, titles };
    const message = messageOf(update);
    const joined = message?.action?.type.startsWith('chat_invite_user') ?? false;
    if (message && joined && (message.action?.member_id ?? message.from_id) === -this.messenger.groupId) {
      context.botIsAdmin = await this.messenger.isChatAdmin(message.peer_id);
    }
    return toEvent(update, context);
  }

  /**
   * Looks up the names and titles a batch needs and the cache lacks, a few calls for the whole batch.
   * A failed lookup is logged and the events go on with placeholders (better than losing a join).
   */
  async learn(updates: readonly VkUpdate[]): Promise<void> {
    const at = Date.now();
    const fresh = (entry: { at: number } | undefined) =>
      entry !== undefined && at - entry.at < this.directoryTtlMs;
    const self = -this.messenger.groupId;
    const owners = new Set<number>();
    const chats = new Set<number>();
    for (const update of updates) {
      const wanted = referencedIds(update);
      for (const id of wanted.owners) {
        if (id !== self && !fresh(this.names.get(id))) owners.add(id);
      }
      for (const peerId of wanted.chats) {
        if (isChatPeer(peerId) && !fresh(this.titles.get(peerId))) chats.add(peerId);
      }
    }
    const lookups: Array<[string, () => Promise<void>]> = [
      ['users.get', async () => this.remember(await this.messenger.lookupUsers([...owners]), at)],
      ['groups.getById', async () => this.remember(await this.messenger.lookupCommunities([...owners]), at)],
      [
        'messages.getConversationsById',
        async () => {
          const titles = await this.messenger.chatTitles([...chats]);
          for (const [peerId, title] of titles) this.titles.set(peerId, { value: title, at });
        },
      ],
    ];
    await Promise.all(
      lookups.map(([what, lookup]) =>
        lookup().catch((error: unknown) =>
          this.log.warn({ err: error }, `${what} failed; using placeholders`),
        ),
      ),
    );
  }

  noteRename(update: VkUpdate): void {
    const renamed = titleChange(update);
    if (renamed) this.titles.set(renamed.peerId, { value: renamed.title, at: Date.now() });
  }

  private remember(found: Map<number, UserInfo>, at: number): void {
    for (const [id, user] of found) this.names.set(id, { value: user, at });
  }
}
