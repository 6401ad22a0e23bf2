import type { Db } from '../db/client.js';
import { type PacingWindow, settlePacingSlots, takePacingSlots } from '../db/repos/pacing.js';
import { isMemberLane, pacingKeyOf } from './enqueue.js';

/**
 * Keeps message sends inside Telegram's limits so a burst does not earn 429s: about 30 messages a
 * second overall, one a second in a chat and 20 a minute in a group. Sliding windows over real time:
 * {@link SharedPacer} keeps them in the database, shared by every replica; {@link Pacer} in the process.
 */
export interface PacingLimits {
  globalPerSecond: number;
  chatPerSecond: number;
  groupPerMinute: number;
}

export const TELEGRAM_LIMITS: PacingLimits = { globalPerSecond: 30, chatPerSecond: 1, groupPerMinute: 20 };

/**
 * Windows are this much longer than the limits say (10 ms a second). A slot counts from its call's answer,
 * and the platform counted the call no later than it answered, so the next call — sent a window after that
 * answer — arrives a window after it at least; the 1% is for the clocks' granularity. (It was 5% while a
 * slot counted from when its call was sent; 1,000 lifts under limits took a second longer with it.)
 */
const MARGIN = 1.01;

/** A send counted in a window: when it was sent, or answered once it has been (`open` until then). */
interface Stamp {
  at: number;
  open: boolean;
}

class SlidingWindow {
  private stamps: Stamp[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /**
   * Milliseconds until one more event fits. A send not yet answered counts as happening now: the
   * platform counts it when it arrives, which on a busy machine may be well after it was sent, so the
   * window it frees is not known until its answer.
   */
  delay(now: number): number {
    if (this.stamps.some((stamp) => !stamp.open && stamp.at <= now - this.windowMs)) {
      this.stamps = this.stamps.filter((stamp) => stamp.open || stamp.at > now - this.windowMs);
    }
    if (this.stamps.length < this.limit) return 0;
    const times = this.stamps.map((stamp) => (stamp.open ? Math.max(stamp.at, now) : stamp.at));
    times.sort((a, b) => a - b);
    return Math.max(0, (times[times.length - this.limit] ?? now) + this.windowMs - now);
  }

  /** How many more events fit now. */
  room(now: number): number {
    return this.delay(now) > 0 ? 0 : this.limit - this.stamps.length;
  }

  record(now: number): Stamp {
    const stamp = { at: now, open: true };
    this.stamps.push(stamp);
    return stamp;
  }

  remove(stamp: Stamp): void {
    this.stamps = this.stamps.filter((kept) => kept !== stamp);
  }

  get empty(): boolean {
    return this.stamps.length === 0;
  }
}

/** Closes the stamps of one send at the time of its answer (never earlier than they were taken). */
function answeredAt(stamps: Stamp[], now: number): void {
  for (const stamp of stamps) {
    stamp.at = Math.max(stamp.at, now);
    stamp.open = false;
  }
}

/**
 * What the outbox asks before a message: `wait` 0 to send now (the slot is taken), or how long to wait;
 * `answered` is called once the platform has answered the message's call.
 */
export interface MessagePacer {
  reserve(lane: string, group: boolean): Promise<{ wait: number; answered?: () => Promise<void> }>;
  /**
   * Messages the bot's overall window has room for now as this process sees it (`free`, Infinity
   * without limits), and when it has room again if none (`wait`, ms): the outbox claims no more
   * messages than that, rather than claiming them all and putting back the rest.
   */
  messageRoom?(): { free: number; wait: number };
}

/** The pacing keys of a lane: its bot's (the platform's, which leads the lane) and its own. */
function windowsOf(limits: PacingLimits, lane: string, group: boolean): PacingWindow[] {
  const platform = lane.slice(0, lane.indexOf(':'));
  // Member actions are counted apart from messages, with the same figures (as the fake counts them).
  const bot = isMemberLane(lane) ? `${platform}:bot:members` : `${platform}:bot`;
  return [
    { key: bot, limit: limits.globalPerSecond, windowMs: Math.ceil(1000 * MARGIN) },
    { key: `${lane}:s`, limit: limits.chatPerSecond, windowMs: Math.ceil(1000 * MARGIN) },
    ...(group
      ? [{ key: `${lane}:m`, limit: limits.groupPerMinute, windowMs: Math.ceil(60_000 * MARGIN) }]
      : []),
  ];
}

/**
 * The limits kept in the database (the `pacing_slots` windows): two replicas together stay within
 * them, as one would. With the embedded database (one process) it is the same code.
 */
export class SharedPacer implements MessagePacer {
  /**
   * This process's own sends: a lower bound of the shared windows, so a message this process alone
   * has no room for waits without asking the database.
   */
  private readonly own: Pacer;
  /** The same for member actions, whose overall limit is counted apart. */
  private readonly ownMembers: Pacer;
  /** Until when the shared overall window for messages said it is full. */
  private messagesShutUntil = 0;

  constructor(
    private readonly db: Db,
    private readonly limits: PacingLimits | null,
  ) {
    this.own = new Pacer(limits);
    this.ownMembers = new Pacer(limits);
  }

  messageRoom(): { free: number; wait: number } {
    const shut = this.messagesShutUntil - Date.now();
    return shut > 0 ? { free: 0, wait: shut } : this.own.overallRoom();
  }

  async reserve(laneName: string, group: boolean) {
    if (!this.limits) return { wait: 0 };
    // Member actions are paced per chat, though each member's wait in a lane of their own.
    const lane = pacingKeyOf(laneName);
    const messages = !isMemberLane(lane);
    const shut = messages ? this.messagesShutUntil - Date.now() : 0;
    if (shut > 0) return { wait: shut };
    const own = messages ? this.own : this.ownMembers;
    const ownWait = own.delay(lane, group);
    if (ownWait > 0) return { wait: ownWait };
    // Held here while the database is asked: this process's other sends meanwhile see the slot taken,
    // rather than all asking the database for the same free slot and all but one told to wait (with a
    // thousand lifts due, two hundred such round trips a second for thirty lifts, 2026-11-30).
    const held = own.hold(lane, group);
    const windows = windowsOf(this.limits, lane, group);
    const { wait, takenAt, waitFor } = await takePacingSlots(this.db, windows).catch((error: unknown) => {
      held.release();
      throw error;
    });
    if (wait > 0 || takenAt === undefined) {
      held.release();
      // The shared overall window for messages is full (other replicas' sends, or answers it counted
      // later than this process did): no message asks again, nor is claimed, before it has room.
      if (messages && waitFor === windows[0]?.key) this.messagesShutUntil = Date.now() + wait;
      return { wait };
    }
    const sent = held.answered;
    const keys = windows.map((window) => window.key);
    return {
      wait: 0,
      // This process counts the slot from when the database has it counted, no sooner: counted from the
      // answer while the database counts it a moment later, it would see room the database does not
      // give, and claim sends only to put them back.
      answered: () => settlePacingSlots(this.db, keys, takenAt).finally(sent),
    };
  }
}

export class Pacer {
  private readonly global: SlidingWindow | undefined;
  private readonly lanes = new Map<string, { second: SlidingWindow; minute: SlidingWindow | undefined }>();

  constructor(
    private readonly limits: PacingLimits | null,
    private readonly now: () => number = Date.now,
  ) {
    this.global = limits ? new SlidingWindow(limits.globalPerSecond, 1000 * MARGIN) : undefined;
  }

  /**
   * Takes a slot for a message to `lane` and returns 0, or returns how long to wait (taking nothing).
   * `group` lanes also get the per-group limit.
   */
  reserve(lane: string, group: boolean): number {
    const wait = this.delay(lane, group);
    if (wait === 0) this.record(lane, group)();
    return wait;
  }

  /** Room in the overall window now, and how long until there is some if none. */
  overallRoom(): { free: number; wait: number } {
    if (!this.global) return { free: Number.POSITIVE_INFINITY, wait: 0 };
    const now = this.now();
    return { free: this.global.room(now), wait: this.global.delay(now) };
  }

  /** How long until a message to `lane` fits (0: now), taking nothing. */
  delay(lane: string, group: boolean): number {
    if (!this.global) return 0;
    const now = this.now();
    const windows = this.windows(lane, group);
    if (!windows) return 0;
    return Math.max(this.global.delay(now), windows.second.delay(now), windows.minute?.delay(now) ?? 0);
  }

  /**
   * Counts a message sent to `lane` now; it counts as happening now until the returned function says
   * it was answered (then at that time).
   */
  record(lane: string, group: boolean): () => void {
    return this.hold(lane, group).answered;
  }

  /** {@link record}, or `release` to give the slot back untaken (the shared windows had no room). */
  hold(lane: string, group: boolean): { answered(): void; release(): void } {
    const windows = this.windows(lane, group);
    if (!this.global || !windows) return { answered: () => {}, release: () => {} };
    const now = this.now();
    const taken: Array<[SlidingWindow, Stamp]> = [
      [this.global, this.global.record(now)],
      [windows.second, windows.second.record(now)],
    ];
    if (windows.minute) taken.push([windows.minute, windows.minute.record(now)]);
    if (this.lanes.size > 5000) this.prune(now);
    return {
      answered: () =>
        answeredAt(
          taken.map(([, stamp]) => stamp),
          this.now(),
        ),
      release: () => {
        for (const [window, stamp] of taken) window.remove(stamp);
      },
    };
  }

  private windows(lane: string, group: boolean) {
    if (!this.limits) return undefined;
    let windows = this.lanes.get(lane);
    if (!windows) {
      windows = {
        second: new SlidingWindow(this.limits.chatPerSecond, 1000 * MARGIN),
        minute: group ? new SlidingWindow(this.limits.groupPerMinute, 60_000 * MARGIN) : undefined,
      };
      this.lanes.set(lane, windows);
    }
    return windows;
  }

  private prune(now: number): void {
    for (const [lane, windows] of this.lanes) {
      const idle = (window: SlidingWindow | undefined) =>
        !window || (window.delay(now) === 0 && window.empty);
      if (idle(windows.second) && idle(windows.minute)) this.lanes.delete(lane);
    }
  }
}
