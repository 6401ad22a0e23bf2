import { setTimeout as sleep } from 'node:timers/promises';
import type { ResponseParameters } from 'telegraf/types';
import { ApiError, serverError, tooManyRequests } from './errors.js';
import type { FaultInjector } from './faults.js';
import type { RateLimiter } from './limits.js';
import { Described, type MethodContext, type MethodHandler, resolveMethod } from './methods/index.js';
import { ParamReader, type Params } from './params.js';
import type { RetryAfterWindows } from './retry-after.js';
import type { StatsCollector } from './stats.js';
import type { CallRecord } from './types.js';
import type { UpdateQueue } from './updates.js';
import type { WebhookDispatcher } from './webhook.js';
import type { World } from './world.js';

/** The JSON body of a Bot API answer. */
export type ApiBody =
  | { readonly ok: true; readonly result: unknown; readonly description?: string }
  | {
      readonly ok: false;
      readonly error_code: number;
      readonly description: string;
      readonly parameters?: ResponseParameters;
    };

/** What the HTTP layer should do with a call. */
export type Outcome =
  | {
      readonly kind: 'respond';
      readonly status: number;
      readonly body: ApiBody;
      readonly retryAfter?: number;
    }
  | { readonly kind: 'drop' };

export interface DispatcherDeps {
  readonly world: World;
  readonly updates: UpdateQueue;
  readonly webhook: WebhookDispatcher;
  readonly faults: FaultInjector;
  readonly limiter: RateLimiter;
  readonly retryAfter: RetryAfterWindows;
  /** Answer early retries with another 429 (they are counted either way). */
  readonly enforceRetryAfter: boolean;
  readonly clock: () => Date;
  readonly calls: CallRecord[];
  readonly stats: StatsCollector;
}

/** What the log adds to a call's outcome. */
interface LogNote {
  readonly lostAnswer?: CallRecord['lostAnswer'];
  readonly dropped?: string;
}

/**
 * One call from arrival to answer: method lookup (case-insensitive), early retries, queued faults and chaos, flood
 * limits, the method itself, indeterminate faults, and the call log. A status fault or a limit answers before the
 * method runs, so it never changes state; an indeterminate fault lets the method run and loses its answer.
 */
export class Dispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  async call(
    calledAs: string,
    params: Params,
    via: CallRecord['via'],
    signal: AbortSignal,
  ): Promise<Outcome> {
    const { deps } = this;
    const at = deps.clock();
    const method = resolveMethod(calledAs);
    const name = method?.name ?? calledAs;
    const record = (outcome: Outcome, note: LogNote = {}): Outcome => {
      this.log({ method: name, calledAs, params, at, via }, outcome, note);
      return outcome;
    };
    if (!method) return record(failure(new ApiError(404, 'Not Found: method not found')));
    const reader = new ParamReader(params);
    const chatRef = reader.string('chat_id').trim();
    const windowRef = chatRef || this.queryChat(name, reader);

    const early = deps.retryAfter.remaining(name, windowRef);
    if (early > 0) {
      deps.stats.earlyRetry({
        method: name,
        chatId: windowRef,
        at,
        earlyByMs: early,
        refused: deps.enforceRetryAfter,
      });
      if (deps.enforceRetryAfter) return record(failure(tooManyRequests(Math.ceil(early / 1000))));
    }

    const fault = deps.faults.take(name, chatRef);
    if (fault?.kind === 'fail') {
      deps.stats.injected(fault.faultKind, name);
      return record(this.refuse(name, windowRef, fault.error));
    }
    if (fault?.kind === 'delay') {
      await sleep(fault.ms, undefined, { signal }).catch(() => undefined);
      if (fault.drop) {
        deps.stats.injected('timeoutDrop', name);
        return record({ kind: 'drop' }, { dropped: 'dropped by an injected timeout fault' });
      }
    }

    const buckets = deps.limiter.buckets(name);
    const chat = buckets.length > 0 ? deps.world.chatByRef(chatRef) : undefined;
    const isGroup = chat?.type === 'group' || chat?.type === 'supergroup';
    for (const bucket of buckets) {
      const wait = deps.limiter.retryAfter(bucket, chat?.id, isGroup);
      if (wait > 0) {
        deps.stats.rateLimited++;
        if (bucket === 'memberActions') deps.stats.rateLimitedMemberActions++;
        return record(this.refuse(name, windowRef, tooManyRequests(wait)));
      }
    }

    const answer = await this.run(method.handler, reader, signal);
    if (answer.body.ok) for (const bucket of buckets) deps.limiter.record(bucket, chat?.id);
    if (fault?.kind !== 'indeterminate') return record(answer);

    const body = answer.body;
    const lostAnswer = body.ok
      ? { ok: true }
      : { ok: false, errorCode: body.error_code, description: body.description };
    if (fault.lost.as === 'status') {
      deps.stats.injected('indeterminate5xx', name);
      return record(failure(serverError(fault.lost.status)), { lostAnswer });
    }
    deps.stats.injected('indeterminateTimeout', name);
    await sleep(fault.lost.holdMs, undefined, { signal }).catch(() => undefined);
    return record(
      { kind: 'drop' },
      { lostAnswer, dropped: 'answer lost by an injected indeterminate timeout (the call ran)' },
    );
  }

  // A button's answer names no chat; its 429 window is the chat of the pressed message (presses of two chats are
  // answered independently, so one chat's 429 does not make the other's answer early).
  private queryChat(method: string, reader: ParamReader): string {
    if (method !== 'answerCallbackQuery') return '';
    const query = this.deps.world.callbackQueries.get(reader.string('callback_query_id').trim());
    return query ? String(query.chatId) : '';
  }

  // A 429 asks the caller to wait: remember it, so that a call coming sooner counts as an early retry.
  private refuse(method: string, chatRef: string, error: ApiError): Outcome {
    const retryAfter = error.parameters?.retry_after;
    if (error.code === 429 && retryAfter !== undefined) this.deps.retryAfter.arm(method, chatRef, retryAfter);
    return failure(error);
  }

  private async run(
    handler: MethodHandler,
    reader: ParamReader,
    signal: AbortSignal,
  ): Promise<Extract<Outcome, { kind: 'respond' }>> {
    const { deps } = this;
    const context: MethodContext = {
      world: deps.world,
      updates: deps.updates,
      webhook: deps.webhook,
      signal,
    };
    try {
      const value = await handler(reader, context);
      const body: ApiBody =
        value instanceof Described
          ? { ok: true, result: value.result, description: value.description }
          : { ok: true, result: value };
      return { kind: 'respond', status: 200, body };
    } catch (error) {
      if (error instanceof ApiError) return failure(error);
      // A bug in the fake: answer 500 with the reason so the failing test shows it.
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      return failure(new ApiError(500, `Internal Server Error: fake Bot API crashed: ${reason}`));
    }
  }

  private log(
    base: Pick<CallRecord, 'method' | 'params' | 'at' | 'via'> & { readonly calledAs: string },
    outcome: Outcome,
    note: LogNote,
  ): void {
    const { calls, stats } = this.deps;
    stats.calls++;
    const { calledAs, ...rest } = base;
    const entry = {
      ...rest,
      ...(calledAs !== base.method && { calledAs }),
      ...(note.lostAnswer && { lostAnswer: note.lostAnswer }),
    };
    if (outcome.kind === 'drop') {
      stats.failedCalls++;
      calls.push({ ...entry, ok: false, description: note.dropped ?? 'dropped' });
      return;
    }
    const body = outcome.body;
    if (body.ok) {
      calls.push({ ...entry, ok: true });
      return;
    }
    stats.failedCalls++;
    if (body.error_code === 429) stats.tooManyRequests++;
    calls.push({ ...entry, ok: false, errorCode: body.error_code, description: body.description });
  }
}

function failure(error: ApiError): Extract<Outcome, { kind: 'respond' }> {
  const retryAfter = error.parameters?.retry_after;
  return {
    kind: 'respond',
    status: error.code,
    body: {
      ok: false,
      error_code: error.code,
      description: error.description,
      ...(error.parameters && { parameters: error.parameters }),
    },
    ...(retryAfter !== undefined && { retryAfter }),
  };
}
