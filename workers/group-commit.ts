interface Waiting<In, Out> {
  item: In;
  resolve: (result: Out) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** The most items written together (default 64). */
  maxBatch?: number;
  /** Told when a group's write failed and its items are about to be written one by one. */
  onGroupFailure?: (error: unknown, size: number) => void;
}

/**
 * Group commit. When nothing is being written, an item is written at once (no added latency);
 * items that arrive while a write is in flight are written together by the next one. Under load
 * a worker thus shares one transaction, one commit and one set of row locks among many tries.
 *
 * A group shares its fate: one item the write cannot take (a value the database refuses) fails
 * the whole transaction. So a failed group is written again item by item, and each item gets its
 * own result or its own error: only the guilty one fails, with its real reason.
 */
export class GroupCommit<In, Out> {
  private waiting: Waiting<In, Out>[] = [];
  private flushing = false;
  private readonly maxBatch: number;

  constructor(
    /** Writes a batch; returns one result per item, in order. */
    private readonly write: (items: In[]) => Promise<Out[]>,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 64;
  }

  submit(item: In): Promise<Out> {
    return this.submitAll([item])[0]!;
  }

  /**
   * Items that belong together, written in the same group: an idle writer takes them all at
   * once, where separate submits would send the first alone and the rest with the next group.
   */
  submitAll(items: In[]): Promise<Out>[] {
    const results = items.map((item) => new Promise<Out>((resolve, reject) => this.waiting.push({ item, resolve, reject })));
    if (!this.flushing) void this.flush();
    return results;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const results = await this.write(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        else {
          this.options.onGroupFailure?.(error, batch.length);
          // One by one, in order. Items submitted meanwhile wait for the next group, as they
          // would behind any write in flight.
          for (const w of batch) await this.writeAlone(w);
        }
      }
    }
    this.flushing = false;
  }

  private async writeAlone(w: Waiting<In, Out>): Promise<void> {
    try {
      w.resolve((await this.write([w.item]))[0]!);
    } catch (error) {
      w.reject(error);
    }
  }
}
