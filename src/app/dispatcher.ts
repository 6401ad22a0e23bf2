import type { ChatRecord } from '../db/repos/chats.js';
import { processedUpdates } from '../db/schema.js';
import { reapplyOnRejoin } from '../features/blocks/blocks.js';
import { loadChat, onBotMembership, onChatMigrated } from '../features/chats/chats.js';
import {
  isKnownMember,
  memberSeen,
  onMemberLeft,
  onMembersJoined,
  saveAccount,
} from '../features/membership/members.js';
import { isModerator, onMemberStatus } from '../features/membership/moderators.js';
import {
  admitNewcomers,
  type ButtonAnswer,
  onJoinRequest,
  onNewcomerLeft,
} from '../features/rules-gate/gate.js';
import { KeyedQueue } from '../lib/keyed-queue.js';
import type {
  ButtonPressed,
  ButtonSpec,
  ChatAddress,
  Delivery,
  InboundEvent,
  MessagePosted,
} from '../messenger/port.js';
import type { CommandContext, CommandSpec } from '../runtime/commands.js';
import type { Core, Work } from '../runtime/services.js';
import { routeButton } from './buttons.js';

/** Events of one chat are handled in order; this is the chat they belong to. */
function queueKey(event: InboundEvent): string {
  if (event.kind === 'chat_migrated') return `${event.chat.platform}:${event.toChatId}`;
  return `${event.chat.platform}:${event.chat.chatId}`;
}

/** Pause before retry n: 250 ms doubling, at most 10 s (ten attempts take about 45 s). */
export function retryDelayMs(attempt: number): number {
  return Math.min(10_000, 250 * 2 ** (attempt - 1));
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The core's entry point: takes platform-neutral events from a connector, handles each chat's events in
 * order, and gives every state-changing event exactly one effect (its update key is recorded in the same
 * transaction; a redelivery is dropped). The returned promise settles when the effect is committed.
 */
export class Dispatcher {
  private readonly queue = new KeyedQueue();
  private readonly commands = new Map<string, CommandSpec>();

  constructor(
    private readonly core: Core,
    commands: readonly CommandSpec[],
  ) {
    for (const spec of commands) this.commands.set(spec.name, spec);
  }

  /**
   * Handles an event in its chat's order. A failure is retried in the event's place (the chat's later
   * events wait behind it, other chats go on) up to `delivery.attempts`, then the promise rejects and
   * the connector decides: polling tries again later, a webhook answers 500 so the platform redelivers.
   */
  readonly handle = (event: InboundEvent, delivery: Delivery = {}): Promise<void> =>
    this.queue.run(queueKey(event), async () => {
      const { metrics, log } = this.core;
      const attempts = Math.max(1, delivery.attempts ?? 1);
      for (let attempt = 1; ; attempt += 1) {
        try {
          await this.process(event);
          metrics.inc('ccm_updates_total', 'Updates handled, by kind.', { kind: event.kind });
          return;
        } catch (error) {
          metrics.inc('ccm_update_failures_total', 'Updates whose handling failed (they are retried).', {
            kind: event.kind,
          });
          if (attempt >= attempts || delivery.signal?.aborted) throw error;
          log.warn({ err: error, kind: event.kind, attempt }, 'handling an event failed; retrying in order');
          await pause(retryDelayMs(attempt), delivery.signal);
        }
      }
    });

  /** Resolves when no event is queued or being handled. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  get busy(): number {
    return this.queue.size;
  }

  /** The bot never acts on what it did itself (a platform may echo its own actions back). */
  private fromSelf(event: InboundEvent): boolean {
    const self = this.core.messenger(event.chat.platform).self.userId;
    switch (event.kind) {
      case 'message':
        return event.sender.kind === 'user' && event.sender.user.userId === self;
      case 'button':
      case 'join_request':
        return event.user.userId === self;
      default:
        return false;
    }
  }

  private async process(event: InboundEvent): Promise<void> {
    const { core } = this;
    if (this.fromSelf(event)) return;
    switch (event.kind) {
      case 'message':
        return event.chat.type === 'private' ? this.onPrivateMessage(event) : this.onGroupMessage(event);
      case 'bot_membership':
        return this.once(event, (work) => onBotMembership(core, work, event));
      case 'chat_migrated':
        return this.once(event, (work) => onChatMigrated(core, work, event));
      case 'members_joined':
        return this.once(event, async (work) => {
          const chat = await loadChat(core, work, event.chat);
          const joined = await onMembersJoined(core, work, chat, event);
          for (const account of joined) await reapplyOnRejoin(work, chat, account.id, account.platformUserId);
          await admitNewcomers(core, work, chat, joined);
        });
      case 'member_left':
        return this.once(event, async (work) => {
          const chat = await loadChat(core, work, event.chat);
          const account = await onMemberLeft(core, work, chat, event);
          if (account) await onNewcomerLeft(core, work, chat, account.id);
        });
      case 'member_status':
        return this.once(event, async (work) => {
          const chat = await loadChat(core, work, event.chat);
          await onMemberStatus(core, work, chat, event);
        });
      case 'button':
        return this.onButton(event);
      case 'join_request':
        return this.once(event, (work) => onJoinRequest(core, work, event));
    }
  }

  /**
   * Runs a state-changing event's effect in one transaction with its update key. A redelivered event
   * finds its key recorded and changes nothing.
   */
  private async once(event: InboundEvent, effect: (work: Work) => Promise<void>): Promise<void> {
    await this.core.transact(async (work) => {
      const fresh = await work.tx
        .insert(processedUpdates)
        .values({ platform: event.chat.platform, updateKey: event.updateKey, processedAt: work.now })
        .onConflictDoNothing()
        .returning({ key: processedUpdates.updateKey });
      if (fresh.length === 0) {
        this.core.metrics.inc('ccm_updates_duplicate_total', 'Redelivered updates dropped.');
        return;
      }
      await effect(work);
    });
  }

  private commandOf(event: MessagePosted): CommandSpec | undefined {
    const spec = event.command ? this.commands.get(event.command.name) : undefined;
    if (spec)
      this.core.metrics.inc('ccm_commands_total', 'Commands received, by name.', { command: spec.name });
    return spec;
  }

  /** Routes a button press by its data and answers it once the effect is committed. */
  private async onButton(event: ButtonPressed): Promise<void> {
    const { core } = this;
    let answer: ButtonAnswer | undefined;
    await this.once(event, async (work) => {
      answer = await routeButton(core, work, event);
    });
    try {
      await core.messenger(event.chat.platform).answerButton(event.pressId, answer?.text, answer?.alert);
    } catch (error) {
      // An unanswered press only leaves a spinner on the button for a while; the effect is committed.
      core.log.warn({ err: error }, 'could not answer a button press');
    }
  }

  private async onGroupMessage(event: MessagePosted): Promise<void> {
    const { core } = this;
    const { sender } = event;
    const spec = this.commandOf(event);
    const cached = core.cachedChat(event.chat.platform, event.chat.chatId);
    if (!spec) {
      // An ordinary message: nothing to record unless the chat or the person is news to us.
      if (sender.kind !== 'user' || sender.user.isBot) return;
      if (cached && cached.title === event.chat.title && isKnownMember(core, cached, sender.user)) return;
      await core.transact(async (work) => {
        const chat = await loadChat(core, work, event.chat);
        await memberSeen(core, work, chat, sender.user);
      });
      return;
    }
    if (sender.kind === 'channel' || (sender.kind === 'user' && sender.user.isBot)) return;
    const chat = cached ?? (await core.transact((work) => loadChat(core, work, event.chat)));
    // Roles are read before the transaction: reading them may ask the platform.
    const moderator = await isModerator(core, chat, sender);
    const replyAuthor = event.replyTo?.sender;
    const replyAuthorIsModerator =
      spec.actsOnReplyAuthor && replyAuthor ? await isModerator(core, chat, replyAuthor) : false;
    await this.once(event, async (work) => {
      const account = sender.kind === 'user' ? await memberSeen(core, work, chat, sender.user) : undefined;
      const ctx = this.context(work, event, chat, account, moderator, replyAuthorIsModerator);
      if (spec.where === 'private') return ctx.reply(ctx.t('refusal.private_only'));
      if (spec.audience === 'moderator' && !moderator) return ctx.reply(ctx.t('refusal.not_moderator'));
      await spec.run({ ...ctx, chat });
    });
  }

  private async onPrivateMessage(event: MessagePosted): Promise<void> {
    const { core } = this;
    const { sender } = event;
    if (sender.kind !== 'user' || sender.user.isBot) return;
    const spec = this.commandOf(event);
    await this.once(event, async (work) => {
      const account = await saveAccount(core, work, event.chat.platform, sender.user, {
        privateChatOpen: true,
      });
      const ctx = this.context(work, event, undefined, account, false, false);
      if (!spec) {
        if (event.command) await ctx.reply(ctx.t('bot.private_hello'));
        return;
      }
      if (!spec.runPrivate) return ctx.reply(ctx.t('refusal.group_only'));
      await spec.runPrivate(ctx);
    });
  }

  private context(
    work: Work,
    event: MessagePosted,
    chat: ChatRecord | undefined,
    account: CommandContext['account'],
    moderator: boolean,
    replyAuthorIsModerator: boolean,
  ): CommandContext {
    const { core } = this;
    const language =
      chat?.settings.language ??
      core.texts.languageFor(event.sender.kind === 'user' ? event.sender.user.languageCode : undefined);
    const address: ChatAddress = { platform: event.chat.platform, chatId: event.chat.chatId };
    return {
      core,
      work,
      event,
      address,
      chat,
      account,
      isModerator: moderator,
      replyAuthorIsModerator,
      language,
      t: core.texts.t(language),
      reply: async (text: string, buttons?: ButtonSpec[][]) => {
        await work.enqueue(
          {
            type: 'send',
            chat: address,
            text,
            options: { replyTo: event.messageId, ...(buttons ? { buttons } : {}) },
          },
          { chatId: chat?.id ?? null },
        );
      },
    };
  }
}
