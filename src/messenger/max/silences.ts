/**
 * MAX has no read-only state: the connector keeps who may only read, and the update source deletes such a
 * person's every new message at once. A silence is set by the core's `mute` (a block in mute mode, or a
 * newcomer behind the rules gate) and ended by `unmute` or its end time.
 */
export interface Silence {
  chatId: string;
  userId: string;
  /** No end: until unmuted (a newcomer who has not accepted the rules). */
  until: Date | undefined;
  /** Whether the person was told privately why their messages disappear (once per silence). */
  told: boolean;
}

export class Silences {
  private readonly entries = new Map<string, Silence>();

  constructor(private readonly now: () => number) {}

  private static key(chatId: string, userId: string): string {
    return `${chatId}:${userId}`;
  }

  set(chatId: string, userId: string, until: Date | undefined): void {
    const key = Silences.key(chatId, userId);
    const existing = this.entries.get(key);
    // The same silence again (a retried action) keeps its `told`.
    const same = existing && existing.until?.getTime() === until?.getTime();
    this.entries.set(key, { chatId, userId, until, told: same ? existing.told : false });
  }

  clear(chatId: string, userId: string): void {
    this.entries.delete(Silences.key(chatId, userId));
  }

  /** The person's silence in the chat now, if any (an expired one is forgotten). */
  get(chatId: string, userId: string): Silence | undefined {
    const key = Silences.key(chatId, userId);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until && entry.until.getTime() <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }
}
