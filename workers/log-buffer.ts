import type { LogChunk } from '../src/store/logs.ts';
import type { TryKey } from '../src/store/task-instances.ts';
import { tryKeyString } from '../src/store/task-instances.ts';

/**
 * Collects the log lines of the tries running in this worker. Lines are written to Postgres in
 * batches (every second for live viewing, and the rest when the try ends), never one per line.
 */
export class LogBuffer {
  private readonly pending = new Map<string, LogChunk>();

  writer(key: TryKey): (line: string) => void {
    return (line) => {
      const k = tryKeyString(key);
      const chunk = this.pending.get(k);
      if (chunk) chunk.chunk += line;
      else this.pending.set(k, { ...key, chunk: line });
    };
  }

  /** Takes what has been written by one try so far. */
  takeOne(key: TryKey): LogChunk | undefined {
    const k = tryKeyString(key);
    const chunk = this.pending.get(k);
    this.pending.delete(k);
    return chunk;
  }

  takeAll(): LogChunk[] {
    const all = [...this.pending.values()];
    this.pending.clear();
    return all;
  }
}
