import type { FakeContext } from './context.js';
import type { DispatchState } from './dispatch.js';
import type {
  CallbackAnswerView,
  CallRecord,
  ChatLike,
  ChatView,
  InjectedFault,
  MemberView,
  MessageView,
  PollRequest,
  Stats,
  WebhookDelivery,
  WireUpdate,
} from './types.js';
import { keyboardOf, type MemberRecord, type MessageRecord } from './world.js';

/** The read side: what the world looks like now and what the bot did to it. */
export class Inspection {
  constructor(
    private readonly ctx: FakeContext,
    private readonly state: DispatchState,
    private readonly emitted: readonly WireUpdate[],
  ) {}

  chat(chatLike: ChatLike): ChatView {
    const chat = this.ctx.world.requireChat(chatLike);
    return {
      chatId: chat.id,
      title: chat.title,
      link: chat.link,
      isPublic: chat.isPublic,
      status: this.ctx.world.botMember(chat) ? 'active' : (chat.botGone ?? 'removed'),
      blocked: [...chat.blocked],
    };
  }

  /** Every message of a group chat, deleted ones too, oldest first. */
  messages(chatLike: ChatLike): MessageView[] {
    return this.ctx.world.requireChat(chatLike).messages.map(messageView);
  }

  /** Messages the bot sent to a group chat and has not deleted. */
  botMessages(chatLike: ChatLike): MessageView[] {
    return this.messages(chatLike).filter((m) => m.senderId === this.ctx.world.bot.id && !m.deleted);
  }

  /** The bot's dialog with a person (both sides), oldest first. */
  privateMessages(user: number | { readonly user_id: number }): MessageView[] {
    const id = typeof user === 'number' ? user : user.user_id;
    return this.ctx.world.dialogs.get(id)?.messages.map(messageView) ?? [];
  }

  message(mid: string): MessageView | undefined {
    const record = this.ctx.world.messagesByMid.get(mid);
    return record && messageView(record);
  }

  members(chatLike: ChatLike): MemberView[] {
    return [...this.ctx.world.requireChat(chatLike).members.values()].map(memberView);
  }

  /** A person's membership now, or undefined when they are not in the chat. */
  member(chatLike: ChatLike, user: number | { readonly user_id: number }): MemberView | undefined {
    const id = typeof user === 'number' ? user : user.user_id;
    const member = this.ctx.world.requireChat(chatLike).members.get(id);
    return member && memberView(member);
  }

  isBlocked(chatLike: ChatLike, user: number | { readonly user_id: number }): boolean {
    const id = typeof user === 'number' ? user : user.user_id;
    return this.ctx.world.requireChat(chatLike).blocked.has(id);
  }

  /** Answers to a button press, in order. */
  callbackAnswers(callbackId: string): CallbackAnswerView[] {
    return this.ctx.answers.filter((answer) => answer.callbackId === callbackId);
  }

  /** Every update MAX sent the bot (by webhook or into the polling queue), in order. */
  get updates(): readonly WireUpdate[] {
    return this.emitted;
  }

  /** Updates still in the polling queue: not yet committed by a later marker. */
  get pendingUpdates(): readonly WireUpdate[] {
    return this.ctx.queue.pending;
  }

  get pollRequests(): readonly PollRequest[] {
    return this.ctx.queue.requests;
  }

  get webhookDeliveries(): readonly WebhookDelivery[] {
    return this.ctx.webhooks.deliveries;
  }

  /** Delivery attempts of each update, by its number. */
  deliveryAttempts(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const d of this.ctx.webhooks.deliveries)
      counts.set(d.updateNumber, (counts.get(d.updateNumber) ?? 0) + 1);
    return counts;
  }

  /** Every API call in order of arrival. */
  get calls(): readonly CallRecord[] {
    return this.state.calls;
  }

  callsTo(route: string): CallRecord[] {
    return this.state.calls.filter((call) => call.route === route);
  }

  /** Calls per route, e.g. `{ 'POST /messages': 3 }`. */
  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const call of this.state.calls) counts[call.route] = (counts[call.route] ?? 0) + 1;
    return counts;
  }

  get injectedFaults(): readonly InjectedFault[] {
    return this.state.injected;
  }

  stats(): Stats {
    return {
      calls: this.state.calls.length,
      tooManyRequests: this.ctx.counters.tooManyRequests,
      deletionsThrottled: this.ctx.counters.deletionsThrottled,
      injectedFaults: this.ctx.counters.injectedFaults,
      maxCallsPerSecond: this.state.limiter.maxPerSecond,
    };
  }
}

function messageView(record: MessageRecord): MessageView {
  const keyboard = keyboardOf(record);
  return {
    mid: record.mid,
    seq: record.seq,
    chatId: record.chatId,
    senderId: record.senderId,
    text: record.text,
    timestamp: record.timestamp,
    ...(record.link?.type === 'reply' && { replyTo: record.link.mid }),
    ...(keyboard && { keyboard }),
    ...(record.format && { format: record.format }),
    edits: [...record.edits],
    deleted: record.deleted,
    ...(record.deletedBy !== undefined && { deletedBy: record.deletedBy }),
  };
}

function memberView(member: MemberRecord): MemberView {
  return {
    userId: member.userId,
    isOwner: member.isOwner,
    isAdmin: member.isAdmin,
    permissions: member.permissions ? [...member.permissions] : null,
    inviterId: member.inviterId,
    joinTime: member.joinTime,
  };
}
