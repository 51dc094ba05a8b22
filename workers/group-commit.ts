interface Waiting<In, Out> {
  item: In;
  resolve: (result: Out) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit. When nothing is being written, an item is written at once (no added latency);
 * items that arrive while a write is in flight are written together by the next one. Under load
 * a worker thus shares one transaction, one commit and one set of row locks among many tries.
 */
export class GroupCommit<In, Out> {
  private waiting: Waiting<In, Out>[] = [];
  private flushing = false;

  constructor(
    /** Writes a batch; returns one result per item, in order. */
    private readonly write: (items: In[]) => Promise<Out[]>,
    private readonly maxBatch = 64,
  ) {}

  submit(item: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.flushing = false;
  }
}
