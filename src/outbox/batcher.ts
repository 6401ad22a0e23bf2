/**
 * Collects items and hands them to `flush` in batches: the first item is flushed at once, and whatever
 * arrives while a flush runs goes in the next one (group commit: no waiting, and the batches grow with
 * the load). A batch that fails is retried item by item with `single`, so one bad item fails alone.
 */
export class Batcher<T> {
  private queue: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  private running = false;

  constructor(
    private readonly flush: (batch: T[]) => Promise<void>,
    private readonly single: (item: T) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  /** Resolves once the item's batch (or, after a failed batch, the item alone) is flushed. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.flush(batch.map((entry) => entry.item));
          for (const entry of batch) entry.resolve();
        } catch {
          for (const entry of batch) {
            try {
              await this.single(entry.item);
              entry.resolve();
            } catch (error) {
              entry.reject(error);
            }
          }
        }
      }
    } finally {
      this.running = false;
    }
  }
}
