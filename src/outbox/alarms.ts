/**
 * Calls `ring` at each time asked for, with one timer: the earliest pending one. Times within `granularityMs`
 * of each other ring together (a claim round serves them all), so a hundred actions put back for a hundred
 * slightly different waits make a handful of rounds, not a hundred.
 */
export class Alarms {
  /** Pending times, rounded up to the granularity, earliest first. */
  private readonly times: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor: number | undefined;

  constructor(
    private readonly ring: () => void,
    private readonly granularityMs = 10,
    private readonly now: () => number = Date.now,
  ) {}

  /** Rings at `time` (ms since the epoch) or at most `granularityMs` later. */
  at(time: number): void {
    const rounded = Math.ceil(time / this.granularityMs) * this.granularityMs;
    let index = this.times.length;
    while (index > 0 && (this.times[index - 1] as number) > rounded) index -= 1;
    if (this.times[index - 1] === rounded) return;
    this.times.splice(index, 0, rounded);
    this.arm();
  }

  clear(): void {
    this.times.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = undefined;
  }

  private arm(): void {
    const next = this.times[0];
    if (next === undefined || next === this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next - this.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = undefined;
    const now = this.now();
    let due = 0;
    while (due < this.times.length && (this.times[due] as number) <= now) due += 1;
    this.times.splice(0, Math.max(due, 1));
    this.arm();
    this.ring();
  }
}
