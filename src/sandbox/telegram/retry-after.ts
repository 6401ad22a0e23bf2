/**
 * The waits 429 answers asked for: after `429 Too Many Requests: retry after N` for a method and chat, a call of
 * the same method to the same chat within N seconds (by the fake's clock, which is the clock the bot under test
 * waits by) is an early retry. Chat is `chat_id` as the call sent it;
 * for answerCallbackQuery the chat of the pressed message; `''` for other methods without one.
 */
export class RetryAfterWindows {
  private readonly until = new Map<string, number>();

  constructor(private readonly clock: () => Date) {}

  /** Remembers a 429 answered with `retry_after` seconds. A longer wait already running is kept. */
  arm(method: string, chatId: string, seconds: number): void {
    const key = keyOf(method, chatId);
    const ends = this.clock().getTime() + seconds * 1000;
    if ((this.until.get(key) ?? 0) < ends) this.until.set(key, ends);
  }

  /** Milliseconds the caller should still have waited; 0 when the call is not early. */
  remaining(method: string, chatId: string): number {
    const key = keyOf(method, chatId);
    const ends = this.until.get(key);
    if (ends === undefined) return 0;
    const left = ends - this.clock().getTime();
    if (left > 0) return left;
    this.until.delete(key);
    return 0;
  }
}

function keyOf(method: string, chatId: string): string {
  return `${method.toLowerCase()}|${chatId}`;
}
