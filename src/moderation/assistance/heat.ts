/**
 * When a chat runs hot (4.13.4: remind everyone of the rules when a discussion gets out of hand): many
 * messages within a few minutes, from several people, some of them flagged. Pure: the caller keeps the
 * window and the time of the last reminder.
 */

export const HEAT = { people: 3, reminderEveryMs: 6 * 60 * 60 * 1000 } as const;

export interface HeatThresholds {
  messages: number;
  minutes: number;
  flagged: number;
}

export interface HeatEntry {
  at: number;
  user: string;
  flagged: boolean;
}

/** Adds a message to the window (dropping what fell out of it); true when the chat is now hot. */
export function noteHeat(window: HeatEntry[], entry: HeatEntry, thresholds: HeatThresholds): boolean {
  const since = entry.at - thresholds.minutes * 60_000;
  while (window.length > 0 && (window[0] as HeatEntry).at <= since) window.shift();
  window.push(entry);
  if (window.length > thresholds.messages * 2) window.splice(0, window.length - thresholds.messages * 2);
  if (window.length < thresholds.messages) return false;
  // Flagged messages first: a busy chat where nothing was flagged (nearly every message) stops here,
  // without counting people.
  let flagged = 0;
  for (const item of window) if (item.flagged) flagged += 1;
  if (flagged < thresholds.flagged) return false;
  return new Set(window.map((item) => item.user)).size >= HEAT.people;
}
