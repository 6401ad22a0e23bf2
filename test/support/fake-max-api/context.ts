import { MAX_ERRORS } from './errors.js';
import type { SlidingWindowLimiter } from './faults.js';
import type { CallbackAnswerView, WireUpdate } from './types.js';
import type { UpdateQueue } from './updates.js';
import type { WebhookDeliverer } from './webhook.js';
import type { Wire } from './wire.js';
import type { ChatRecord, World } from './world.js';

/** Everything a method or a simulation helper works with. */
export interface FakeContext {
  readonly world: World;
  readonly wire: Wire;
  readonly queue: UpdateQueue;
  readonly webhooks: WebhookDeliverer;
  readonly answers: CallbackAnswerView[];
  readonly deletions: SlidingWindowLimiter;
  readonly counters: { tooManyRequests: number; deletionsThrottled: number; injectedFaults: number };
  readonly addingLiftsBlock: boolean;
  /** Sends an update to the bot: to its webhooks when it has any, else to the long-polling queue. */
  emit(update: WireUpdate): void;
}

/** Path parameters, query and body of one call. */
export interface Call {
  readonly path: Readonly<Record<string, string>>;
  readonly query: Query;
  readonly body: unknown;
  readonly signal: AbortSignal;
}

/** A method answers its 200 body or throws a {@link MaxApiError}. */
export type Method = (ctx: FakeContext, call: Call) => unknown;

/** Query parameters read the way the API reads them. */
export class Query {
  constructor(readonly raw: URLSearchParams) {}

  string(name: string): string | undefined {
    const value = this.raw.get(name);
    return value === null || value === '' ? undefined : value;
  }

  int(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const number = Number(value);
    if (!Number.isSafeInteger(number))
      throw MAX_ERRORS.payload(`Invalid value of parameter '${name}': ${value}`);
    return number;
  }

  requireInt(name: string): number {
    const value = this.int(name);
    if (value === undefined) throw MAX_ERRORS.payload(`Missing required parameter '${name}'`);
    return value;
  }

  requireString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw MAX_ERRORS.payload(`Missing required parameter '${name}'`);
    return value;
  }

  bool(name: string): boolean {
    return this.raw.get(name) === 'true';
  }

  /** A comma-separated list (`types=a,b`, `user_ids=1,2`). */
  list(name: string): string[] | undefined {
    const value = this.string(name);
    return value === undefined
      ? undefined
      : value
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean);
  }
}

export function pathInt(call: Call, name: string): number {
  const value = Number(call.path[name]);
  if (!Number.isSafeInteger(value)) throw MAX_ERRORS.payload(`Invalid path parameter '${name}'`);
  return value;
}

/** A group chat or dialog the bot is or was in, or 404 (a chat it never joined is not visible to it). */
export function knownChat(ctx: FakeContext, chatId: number): ChatRecord {
  const chat = ctx.world.chats.get(chatId);
  const neverJoined = chat?.type === 'chat' && !ctx.world.botMember(chat) && chat.botGone === undefined;
  if (!chat || neverJoined) throw MAX_ERRORS.notFound(`Chat ${chatId} not found`);
  return chat;
}

/** A chat the bot is in now: 404 for an unknown one, 403 `chat.denied` once it was removed or left. */
export function activeChat(ctx: FakeContext, chatId: number): ChatRecord {
  const chat = knownChat(ctx, chatId);
  if (chat.type === 'chat' && !ctx.world.botMember(chat)) throw MAX_ERRORS.notInChat(chatId);
  return chat;
}

export const SUCCESS = { success: true } as const;
