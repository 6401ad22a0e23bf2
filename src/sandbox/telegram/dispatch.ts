import { setTimeout as sleep } from 'node:timers/promises';
import type { ResponseParameters } from 'telegraf/types';
import { ApiError } from './errors.js';
import type { FaultInjector, RateLimiter } from './faults.js';
import { Described, type MethodContext, resolveMethod } from './methods/index.js';
import { ParamReader, type Params } from './params.js';
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

/** Mutable counters behind {@link FakeBotApi.stats}. */
export interface Counters {
  calls: number;
  failedCalls: number;
  tooManyRequests: number;
  rateLimited: number;
  injectedFaults: number;
}

export interface DispatcherDeps {
  readonly world: World;
  readonly updates: UpdateQueue;
  readonly webhook: WebhookDispatcher;
  readonly faults: FaultInjector;
  readonly limiter: RateLimiter;
  readonly clock: () => Date;
  readonly calls: CallRecord[];
  readonly counters: Counters;
}

/**
 * One call from arrival to answer: method lookup (case-insensitive), queued faults and chaos, flood limits,
 * the method itself, and the call log. A status fault or a limit answers before the method runs, so it never
 * changes state.
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
    const record = (outcome: Outcome): Outcome => {
      this.log(name, calledAs, params, at, via, outcome);
      return outcome;
    };
    if (!method) return record(failure(new ApiError(404, 'Not Found: method not found')));
    const reader = new ParamReader(params);

    const fault = deps.faults.take(method.name, reader.string('chat_id').trim());
    if (fault?.kind === 'fail') {
      deps.counters.injectedFaults++;
      return record(failure(fault.error));
    }
    if (fault?.kind === 'delay') {
      await sleep(fault.ms, undefined, { signal }).catch(() => undefined);
      if (fault.drop) {
        deps.counters.injectedFaults++;
        return record({ kind: 'drop' });
      }
    }

    const counted = deps.limiter.counts(method.name);
    const chat = counted ? deps.world.chatByRef(reader.string('chat_id').trim()) : undefined;
    if (counted) {
      const wait = deps.limiter.retryAfter(chat?.id, chat?.type === 'group' || chat?.type === 'supergroup');
      if (wait > 0) {
        deps.counters.rateLimited++;
        return record(
          failure(new ApiError(429, `Too Many Requests: retry after ${wait}`, { retry_after: wait })),
        );
      }
    }

    const context: MethodContext = {
      world: deps.world,
      updates: deps.updates,
      webhook: deps.webhook,
      signal,
    };
    try {
      const value = await method.handler(reader, context);
      if (counted) deps.limiter.record(chat?.id);
      const body: ApiBody =
        value instanceof Described
          ? { ok: true, result: value.result, description: value.description }
          : { ok: true, result: value };
      return record({ kind: 'respond', status: 200, body });
    } catch (error) {
      if (error instanceof ApiError) return record(failure(error));
      // A bug in the fake: answer 500 with the reason so the failing test shows it.
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      return record(failure(new ApiError(500, `Internal Server Error: fake Bot API crashed: ${reason}`)));
    }
  }

  private log(
    method: string,
    calledAs: string,
    params: Params,
    at: Date,
    via: CallRecord['via'],
    outcome: Outcome,
  ): void {
    const { calls, counters } = this.deps;
    counters.calls++;
    const base = { method, ...(calledAs !== method && { calledAs }), params, at, via };
    if (outcome.kind === 'drop') {
      counters.failedCalls++;
      calls.push({ ...base, ok: false, description: 'dropped by an injected timeout fault' });
      return;
    }
    const body = outcome.body;
    if (body.ok) {
      calls.push({ ...base, ok: true });
      return;
    }
    counters.failedCalls++;
    if (body.error_code === 429) counters.tooManyRequests++;
    calls.push({ ...base, ok: false, errorCode: body.error_code, description: body.description });
  }
}

function failure(error: ApiError): Outcome {
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
