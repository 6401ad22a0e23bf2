import { LRUCache } from 'lru-cache';
import type { HeatEntry } from '../../moderation/assistance/heat.js';
import type { Services } from '../../runtime/services.js';

/**
 * What the flagger keeps in memory per process: recent messages per member (flooding), suggestions
 * sent per chat in the last minute (at most 3, then one summary), and each chat's dismissals.
 */

export const SUGGESTION_RATE = { perMinute: 3, windowMs: 60_000 } as const;

interface ChatState {
  heat: HeatEntry[];
  /** When this process last recalled the rules here (the database has the durable time). */
  remindedAt?: number;
  /** Quiet-hours reminders this process already handled: the night's start and the authors. */
  quietNight?: { night: string; users: Set<string> };
  recent: Map<string, number[]>;
  sent: number[];
  summarized: boolean;
  dismissed?: { patterns: Set<string>; members: Map<string, Set<string>>; loadedAt: number };
}

/**
 * Chats' states, the most recently active first; a chat pushed out (past `cacheSizes.chatStates`, sized
 * to the heap) starts its windows over when it is next heard from — it loses minutes of counting, never a
 * suggestion already sent or a reminder's durable time.
 */
const states = new WeakMap<Services, LRUCache<number, ChatState>>();

export function chatState(services: Services, chatId: number): ChatState {
  let chats = states.get(services);
  if (!chats) {
    chats = new LRUCache({ max: services.cacheSizes.chatStates });
    states.set(services, chats);
  }
  let state = chats.get(chatId);
  if (!state) {
    state = { heat: [], recent: new Map(), sent: [], summarized: false };
    chats.set(chatId, state);
  }
  return state;
}

/**
 * Notes a member's message; true when it makes a flood by the chat's threshold (`/settings flood`),
 * then the window starts over. No threshold (`off`): never a flood.
 */
export function noteForFlood(
  state: ChatState,
  userId: string,
  now: number,
  flood: { messages: number; windowMs: number } | undefined,
): boolean {
  if (!flood) return false;
  const times = (state.recent.get(userId) ?? []).filter((at) => now - at < flood.windowMs);
  times.push(now);
  if (times.length >= flood.messages) {
    state.recent.set(userId, []);
    return true;
  }
  state.recent.set(userId, times);
  if (state.recent.size > 500) state.recent.delete(state.recent.keys().next().value as string);
  return false;
}

/** Whether a suggestion or the summary could still go out now (checked before any database work). */
export function suggestionSlotOpen(state: ChatState, now: number): boolean {
  const recent = state.sent.filter((at) => now - at < SUGGESTION_RATE.windowMs);
  return recent.length < SUGGESTION_RATE.perMinute || recent.length === 0 || !state.summarized;
}

/** Whether another suggestion may go out now: 'send', 'summary' (the first one over), or 'quiet'. */
export function takeSuggestionSlot(state: ChatState, now: number): 'send' | 'summary' | 'quiet' {
  state.sent = state.sent.filter((at) => now - at < SUGGESTION_RATE.windowMs);
  if (state.sent.length === 0) state.summarized = false;
  if (state.sent.length < SUGGESTION_RATE.perMinute) {
    state.sent.push(now);
    return 'send';
  }
  if (state.summarized) return 'quiet';
  state.summarized = true;
  return 'summary';
}

export function forgetDismissals(services: Services, chatId: number): void {
  const state = states.get(services)?.get(chatId);
  if (state) delete state.dismissed;
}
