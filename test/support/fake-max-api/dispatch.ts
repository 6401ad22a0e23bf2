import { setTimeout as sleep } from 'node:timers/promises';
import { type Call, type FakeContext, type Method, Query } from './context.js';
import { MAX_ERRORS, MaxApiError } from './errors.js';
import type { Chaos, FaultQueue, SlidingWindowLimiter } from './faults.js';
import type { ApiRequest, Outcome } from './http.js';
import { BOT_METHODS } from './methods-bot.js';
import { CHAT_METHODS } from './methods-chats.js';
import { MESSAGE_METHODS } from './methods-messages.js';
import type { CallRecord, Fault, InjectedFault } from './types.js';

interface Route {
  /** `METHOD /path/{template}`. */
  readonly name: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly run: Method;
}

const ROUTES: readonly Route[] = Object.entries({ ...BOT_METHODS, ...MESSAGE_METHODS, ...CHAT_METHODS }).map(
  ([name, run]) => {
    const [method = 'GET', template = '/'] = name.split(' ');
    const params: string[] = [];
    const source = template.replace(/\{(\w+)\}/g, (_, param: string) => {
      params.push(param);
      return param === 'chatId' ? '(-?\\d+)' : '([^/]+)';
    });
    return { name, method, pattern: new RegExp(`^${source}$`), params, run };
  },
);

/** The route names the fake serves, e.g. for `fail(route, …)`. */
export const ROUTE_NAMES: readonly string[] = ROUTES.map((route) => route.name);

export interface DispatchState {
  readonly token: string;
  readonly limiter: SlidingWindowLimiter;
  readonly faults: FaultQueue;
  chaos: Chaos | undefined;
  readonly calls: CallRecord[];
  readonly injected: InjectedFault[];
}

/**
 * One request's way through the fake, in the order MAX would meet it: the token (`Authorization` header,
 * no `Bearer`), the per-token rate limit, an injected fault (queued first, then chaos), then the method.
 */
export async function dispatch(
  ctx: FakeContext,
  state: DispatchState,
  request: ApiRequest,
  signal: AbortSignal,
): Promise<Outcome> {
  const arrivedAt = performance.now();
  const found = match(request.method, request.path);
  const routeName = found?.route.name ?? `${request.method} ${request.path}`;
  const query = Object.fromEntries(request.query);
  const log = (status: number, extra: { code?: string; fault?: string; applied?: boolean } = {}): void => {
    state.calls.push({
      route: routeName,
      path: request.path,
      query,
      body: request.body,
      arrivedAt,
      status,
      applied: extra.applied ?? false,
      ...(extra.code !== undefined && { code: extra.code }),
      ...(extra.fault !== undefined && { fault: extra.fault }),
    });
  };
  const refuse = (error: MaxApiError, fault?: string): Outcome => {
    log(error.status, { code: error.code, ...(fault !== undefined && { fault }) });
    return { kind: 'json', status: error.status, body: error.toJSON() };
  };

  if (request.authorization !== state.token) return refuse(MAX_ERRORS.token());
  if (!found) return refuse(MAX_ERRORS.noPath(request.path));
  if (!state.limiter.admit(state.token, arrivedAt)) {
    ctx.counters.tooManyRequests += 1;
    return refuse(MAX_ERRORS.tooMany(), 'rate-limit');
  }
  const queued = state.faults.take(routeName);
  const fault: Fault | undefined = queued ?? state.chaos?.draw(routeName);
  const faultName = fault && `${queued ? 'queued' : 'chaos'}:${fault.kind}`;
  if (fault) {
    ctx.counters.injectedFaults += 1;
    state.injected.push({ route: routeName, fault, source: queued ? 'queued' : 'chaos' });
    if (fault.kind === 'error') {
      return refuse(
        new MaxApiError(fault.status, fault.code ?? 'internal.error', fault.message ?? 'Injected failure'),
        faultName,
      );
    }
    if (fault.kind === 'page') {
      log(fault.status, { fault: faultName ?? 'page' });
      return { kind: 'page', status: fault.status };
    }
    if (fault.kind === 'drop') {
      log(0, { fault: faultName ?? 'drop' });
      return { kind: 'drop' };
    }
    // A client that gives up early does not stop MAX: the call still runs once the delay is over.
    if (fault.kind === 'delay') await sleep(fault.ms);
  }

  const call: Call = {
    path: found.params,
    query: new Query(request.query),
    body: request.body,
    signal,
  };
  let body: unknown;
  try {
    if (request.bodyError !== undefined)
      throw MAX_ERRORS.payload(`Can't deserialize body: ${request.bodyError}`);
    body = await found.route.run(ctx, call);
  } catch (error) {
    if (error instanceof MaxApiError) return refuse(error, faultName);
    log(500, { code: 'internal.error', ...(faultName !== undefined && { fault: faultName }) });
    return { kind: 'json', status: 500, body: MAX_ERRORS.internal().toJSON() };
  }
  if (fault?.kind === 'lost') {
    const status = fault.status ?? 502;
    if (status === 'drop') {
      log(0, { fault: faultName ?? 'lost', applied: true });
      return { kind: 'drop' };
    }
    log(status, { fault: faultName ?? 'lost', applied: true });
    return { kind: 'page', status };
  }
  log(200, { applied: true, ...(faultName !== undefined && { fault: faultName }) });
  return { kind: 'json', status: 200, body };
}

function match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const found = route.pattern.exec(path);
    if (!found) continue;
    const params = Object.fromEntries(
      route.params.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]),
    );
    return { route, params };
  }
  return undefined;
}
