import type { ChatRecord } from '../db/repos/chats.js';
import { createUpdatesRepository } from '../db/repos/updates.js';
import { checkGroupMessage } from '../features/assistance/index.js';
import { onMessageSuppressed, reapplyOnRejoin } from '../features/blocks/index.js';
import { chatsRepo, loadChat, onBotMembership, onChatMigrated } from '../features/chats/chats.js';
import { noteManualSanction } from '../features/membership/manual.js';
import {
  isKnownMember,
  memberSeen,
  onMemberLeft,
  onMembersJoined,
  readMember,
  saveAccount,
} from '../features/membership/members.js';
import { isModerator, onMemberStatus, type Standing, standingOf } from '../features/membership/moderators.js';
import { admitNewcomers, onJoinRequest, onNewcomerLeft } from '../features/rules-gate/index.js';
import { KeyedQueue } from '../lib/keyed-queue.js';
import { pause } from '../lib/pause.js';
import type {
  ButtonAnswerer,
  ButtonPressed,
  ButtonSpec,
  ChatAddress,
  ChatInfo,
  Delivery,
  InboundEvent,
  MessagePosted,
  Platform,
  UserInfo,
} from '../messenger/port.js';
import { MessengerError } from '../messenger/port.js';
import type { ButtonAnswer } from '../runtime/buttons.js';
import type { CommandContext, CommandSpec } from '../runtime/commands.js';
import { privateChatOf } from '../runtime/format.js';
import { answerPrivately, deleteCommand } from '../runtime/privately.js';
import type { Services, Work } from '../runtime/services.js';
import type { ButtonRouter } from './buttons.js';
import { storableEvent } from './inbound.js';

/** Why a moderator command was refused, by the sender's standing. */
const REFUSALS = {
  moderator: 'refusal.not_moderator',
  member: 'refusal.not_moderator',
  anonymous_admin: 'refusal.anonymous_admin',
  admin_not_staff: 'refusal.not_staff',
} as const satisfies Record<Standing, string>;

/** Events of one chat are handled in order; this is the chat they belong to. */
function queueKey(event: InboundEvent): string {
  if (event.kind === 'chat_migrated') return `${event.chat.platform}:${event.toChatId}`;
  return `${event.chat.platform}:${event.chat.platformChatId}`;
}

/** Pause before retry n: 250 ms doubling, at most 10 s (ten attempts take about 45 s). */
export function retryDelayMs(attempt: number): number {
  return Math.min(10_000, 250 * 2 ** (attempt - 1));
}

/**
 * The core's entry point: takes platform-neutral events from a connector, handles each chat's events in
 * order, and gives every state-changing event exactly one effect (its update key is recorded in the same
 * transaction; a redelivery is dropped). The returned promise settles when the effect is committed.
 */
export class Dispatcher {
  private readonly queue = new KeyedQueue();
  /** Each kind's counter and histogram, looked up once (prom-client hashes the labels on every call). */
  private readonly counted = new Map<
    string,
    { handled: { inc(): void }; seconds: { startTimer(): () => void } }
  >();
  private readonly commands = new Map<string, CommandSpec>();

  constructor(
    private readonly services: Services,
    commands: readonly CommandSpec[],
    private readonly routeButton: ButtonRouter,
    private readonly answerers: ReadonlyMap<Platform, ButtonAnswerer>,
  ) {
    for (const spec of commands) this.commands.set(spec.name, spec);
  }

  /**
   * Handles an event in its chat's order. A failure is retried in the event's place (the chat's later
   * events wait behind it, other chats go on) up to `delivery.attempts`, then the promise rejects and
   * the connector decides: polling tries again later, a webhook answers 500 so the platform redelivers.
   */
  readonly handle = (inbound: InboundEvent, delivery: Delivery = {}): Promise<void> => {
    const event = storableEvent(inbound);
    return this.queue.run(queueKey(event), async () => {
      const { metrics, log } = this.services;
      const attempts = Math.max(1, delivery.attempts ?? 1);
      const counted = this.metricsOf(event.kind);
      const timer = counted.seconds.startTimer();
      for (let attempt = 1; ; attempt += 1) {
        try {
          await this.process(event);
          counted.handled.inc();
          timer();
          return;
        } catch (error) {
          metrics.updateFailures.inc({ kind: event.kind });
          if (attempt >= attempts || delivery.signal?.aborted) throw error;
          log.warn({ err: error, kind: event.kind, attempt }, 'handling an event failed; retrying in order');
          // A 429's retry_after is a floor: the retry must not come sooner (its call would be refused again).
          const retryAfter =
            error instanceof MessengerError && error.code === 'RATE_LIMITED'
              ? (error.details.retryAfterSeconds ?? 0) * 1000
              : 0;
          await pause(Math.max(retryDelayMs(attempt), retryAfter), delivery.signal);
        }
      }
    });
  };

  private metricsOf(kind: string) {
    let counted = this.counted.get(kind);
    if (!counted) {
      const { metrics } = this.services;
      counted = { handled: metrics.updates.labels(kind), seconds: metrics.updateSeconds.labels(kind) };
      this.counted.set(kind, counted);
    }
    return counted;
  }

  /** Resolves when no event is queued or being handled. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  get busy(): number {
    return this.queue.size;
  }

  private async isModeratorIn(info: ChatInfo, user: UserInfo): Promise<boolean> {
    const { services } = this;
    const chat =
      services.cachedChat(info.platform, info.platformChatId) ??
      (await services.transact((work) => loadChat(services, work, info)));
    return isModerator(services, chat, { kind: 'user', user });
  }

  /** The bot never acts on what it did itself (a platform may echo its own actions back). */
  private fromSelf(event: InboundEvent): boolean {
    const self = this.services.platform(event.chat.platform).self.userId;
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
    const { services } = this;
    if (this.fromSelf(event)) return;
    switch (event.kind) {
      case 'message':
        return event.chat.type === 'private' ? this.onPrivateMessage(event) : this.onGroupMessage(event);
      case 'bot_membership':
        return this.once(event, (work) => onBotMembership(services, work, event));
      case 'chat_migrated':
        return this.once(event, (work) => onChatMigrated(services, work, event));
      case 'members_joined': {
        // Someone a moderator added themselves is let in by that moderator (asked before the transaction).
        const addedBy = event.via === 'added' ? event.by : undefined;
        const byModerator = addedBy ? await this.isModeratorIn(event.chat, addedBy) : false;
        return this.once(event, async (work) => {
          const chat = await loadChat(services, work, event.chat);
          const joined = await onMembersJoined(services, work, chat, event);
          for (const account of joined) await reapplyOnRejoin(work, chat, account.id, account.platformUserId);
          await admitNewcomers(services, work, chat, joined, { byModerator });
        });
      }
      case 'member_left':
        return this.once(event, async (work) => {
          const chat = await loadChat(services, work, event.chat);
          const account = await onMemberLeft(services, work, chat, event);
          if (account) await onNewcomerLeft(services, work, chat, account.id);
          await noteManualSanction(services, work, chat, event);
        });
      case 'member_status':
        return this.once(event, async (work) => {
          const chat = await loadChat(services, work, event.chat);
          await onMemberStatus(services, work, chat, event);
          await noteManualSanction(services, work, chat, event);
        });
      case 'button':
        return this.onButton(event);
      case 'join_request':
        return this.once(event, (work) => onJoinRequest(services, work, event));
      case 'message_suppressed':
        return this.once(event, (work) => onMessageSuppressed(services, work, event));
    }
  }

  /**
   * Runs a state-changing event's effect in one transaction with its update key. A redelivered event
   * finds its key recorded and changes nothing.
   */
  private async once(event: InboundEvent, effect: (work: Work) => Promise<void>): Promise<void> {
    await this.services.transact(async (work) => {
      const updates = createUpdatesRepository(work.tx);
      if (!(await updates.firstDelivery(event.chat.platform, event.updateKey, work.now))) {
        this.services.metrics.duplicates.inc();
        return;
      }
      await effect(work);
    });
  }

  private commandOf(event: MessagePosted): CommandSpec | undefined {
    const spec = event.command ? this.commands.get(event.command.name) : undefined;
    if (spec) this.services.metrics.commands.inc({ command: spec.name });
    return spec;
  }

  /** Routes a button press by its data and answers it once the effect is committed. */
  private async onButton(event: ButtonPressed): Promise<void> {
    const { services } = this;
    let answer: ButtonAnswer | undefined;
    const routed = this.routeButton.find(event);
    const prepared = await routed?.route.prepare?.(services, event, routed.groups);
    await this.once(event, async (work) => {
      answer = await this.routeButton.handle(services, work, event, routed, prepared);
    });
    try {
      const answerer = this.answerers.get(event.chat.platform);
      await answerer?.answerButton(event.pressId, answer?.text, answer?.alert);
    } catch (error) {
      // An unanswered press only leaves a spinner on the button for a while; the effect is committed.
      services.log.warn({ err: error }, 'could not answer a button press');
    }
  }

  private async onGroupMessage(event: MessagePosted): Promise<void> {
    const { services } = this;
    const { sender } = event;
    const spec = this.commandOf(event);
    const cached = services.cachedChat(event.chat.platform, event.chat.platformChatId);
    if (!spec) {
      // An ordinary message: nothing to record unless the chat or the person is news to us.
      if (sender.kind !== 'user' || sender.user.isBot) return;
      if (!cached || cached.title !== event.chat.title || !isKnownMember(services, cached, sender.user)) {
        await services.transact(async (work) => {
          const chat = await loadChat(services, work, event.chat);
          await memberSeen(services, work, chat, sender.user, event.at);
        });
      }
      // Help for the moderator: a local check, after the message is recorded; it never throws.
      await checkGroupMessage(
        services,
        event,
        services.cachedChat(event.chat.platform, event.chat.platformChatId),
      );
      return;
    }
    if (sender.kind === 'channel' || (sender.kind === 'user' && sender.user.isBot)) return;
    const chat = cached ?? (await services.transact((work) => loadChat(services, work, event.chat)));
    // Roles are read before the transaction: reading them may ask the platform.
    const standing = await standingOf(services, chat, sender);
    const moderator = standing === 'moderator';
    const replyAuthor = event.replyTo?.sender;
    const replyAuthorIsModerator =
      spec.actsOnReplyAuthor && replyAuthor ? await isModerator(services, chat, replyAuthor) : false;
    await services.transact(async (work) => {
      // One statement records the update's key, takes the chat's lock (a group command holds it to its
      // commit) and reads the chat as committed, not as cached: another replica may have changed it
      // within the cache's half minute (the school confirmed it, a setting changed).
      // The sender's account and standing are read in the same round trip: the two statements go to
      // the transaction's connection together (PostgreSQL runs them in order, so the read still comes
      // after the lock). A redelivery wastes the read.
      const [{ fresh, chat: locked }, read] = await Promise.all([
        chatsRepo(services, work).firstDeliveryLocking(
          event.updateKey,
          event.chat.platform,
          event.chat.platformChatId,
          work.now,
        ),
        sender.kind === 'user' ? readMember(work, chat.id, chat.platform, sender.user.userId) : undefined,
      ]);
      if (!fresh) {
        services.metrics.duplicates.inc();
        return;
      }
      const current =
        locked && locked.title === event.chat.title && locked.type === event.chat.type
          ? locked
          : await loadChat(services, work, event.chat);
      if (current === locked) {
        const { rulesVersion: _, ...record } = locked;
        work.afterCommit(() => services.rememberChat(record));
      }
      const account =
        sender.kind === 'user'
          ? await memberSeen(
              services,
              work,
              current,
              sender.user,
              event.at,
              current.id === chat.id ? read : undefined,
            )
          : undefined;
      const ctx = this.context(work, event, current, account, moderator, replyAuthorIsModerator);
      if (spec.where === 'private') return ctx.refuse(ctx.t('refusal.private_only'));
      if (spec.audience === 'moderator' && !moderator) return ctx.refuse(ctx.t(REFUSALS[standing]));
      await spec.run({ ...ctx, chat: current });
    });
  }

  private async onPrivateMessage(event: MessagePosted): Promise<void> {
    const { services } = this;
    const { sender } = event;
    if (sender.kind !== 'user' || sender.user.isBot) return;
    const spec = this.commandOf(event);
    await this.once(event, async (work) => {
      const account = await saveAccount(services, work, event.chat.platform, sender.user, {
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
    const { services } = this;
    const language =
      chat?.settings.language ??
      services.texts.languageFor(event.sender.kind === 'user' ? event.sender.user.languageCode : undefined);
    const address: ChatAddress = { platform: event.chat.platform, platformChatId: event.chat.platformChatId };
    const reply = async (text: string, buttons?: ButtonSpec[][]) => {
      await work.enqueue(
        {
          type: 'send',
          chat: address,
          text,
          options: { replyTo: event.messageId, ...(buttons ? { buttons } : {}) },
        },
        { chatId: chat?.id ?? null },
      );
    };
    return {
      services,
      work,
      event,
      address,
      chat,
      account,
      isModerator: moderator,
      replyAuthorIsModerator,
      language,
      t: services.texts.t(language),
      reply,
      answerPrivately: async (text, options = {}) => {
        if (!chat) return reply(text);
        const command = event.command?.name ?? '';
        const answer = { chat, account, text, command, commandMessageId: event.messageId, ...options };
        await answerPrivately(services, work, answer);
      },
      refuse: async (text, options = {}) => {
        if (!chat || moderator) return reply(text);
        const t = services.texts.t(language);
        const key = `${chat.id}:${account?.id ?? 'anonymous'}`;
        const { answer, suppressed } = services.refusals.take(key, work.now.getTime());
        const full = suppressed > 0 ? `${text}\n${t('refusal.more', { count: suppressed })}` : text;
        // Best effort, never reported: the refused person's command is not worth a failure report.
        const deleteRefused = () => deleteCommand(work, chat, event.messageId);
        if (account?.privateChatOpen) {
          await deleteRefused();
          if (answer) {
            const note = t('refusal.in_private', { title: chat.title, text: full });
            await work.enqueue({ type: 'send', chat: privateChatOf(account), text: note });
          }
          return;
        }
        if (options.quietInGroup) {
          await deleteRefused();
          return;
        }
        if (answer) await reply(full);
      },
    };
  }
}
