/**
 * What every command handler gets: the parsed command and the server state it acts on, plus the
 * small argument readers they share.
 */
import { deserialize } from 'bson';
import { CommandError } from '../errors.ts';
import type { CursorRegistry } from '../cursors.ts';
import { DECODE_OPTIONS } from '../raw-bson.ts';
import { validateCollectionName, type Store } from '../store.ts';
import { isPlainObject, numericValue, type Doc } from '../values.ts';

export interface ParsedCommand {
  /** The first field of the body, as sent. */
  name: string;
  /** `$db`. */
  db: string;
  /** The body, decoded without promoting numbers (Int32/Double/Long stay apart). */
  body: Doc;
  /** OP_MSG kind 1 sections: identifier → the documents' bytes. */
  sequences: Map<string, Buffer[]>;
}

export interface CommandContext {
  store: Store;
  cursors: CursorRegistry;
  connectionId: number;
  /** "host:port" of the client, for whatsmyuri. */
  remote: string;
  startedAt: number;
  openConnections(): number;
}

/** A handler returns a document to serialize, or the reply body's bytes when it wrote them itself. */
export type Reply = Doc | Buffer;
export type Handler = (command: ParsedCommand, context: CommandContext) => Reply;

/** The collection a command names in its first field. */
export function collectionArg(command: ParsedCommand): string {
  return validateCollectionName(command.db, command.body[command.name]);
}

export function namespace(command: ParsedCommand, collection: string): string {
  return `${command.db}.${collection}`;
}

/** `updates`, `deletes`: from the body or from a document sequence of that name. */
export function commandArray(command: ParsedCommand, field: string): Doc[] {
  const sequence = command.sequences.get(field);
  const items: unknown[] = sequence ? sequence.map((raw) => deserialize(raw, DECODE_OPTIONS)) : (command.body[field] as unknown[] | undefined) ?? [];
  if (!Array.isArray(items)) throw new CommandError(14, `${field} must be an array`);
  return items.map((item) => {
    if (!isPlainObject(item)) throw new CommandError(14, `${field} entries must be objects`);
    return item;
  });
}

/** The `cursor.batchSize` option of aggregate and list* commands. */
export function cursorBatchSize(body: Doc): number | undefined {
  const cursor = body.cursor;
  if (cursor === undefined) return undefined;
  if (!isPlainObject(cursor)) throw new CommandError(14, "'cursor' field must be an object");
  const size = cursor.batchSize;
  if (size === undefined) return undefined;
  const n = Number(numericValue(size) ?? NaN);
  if (!Number.isInteger(n) || n < 0) throw new CommandError(2, 'cursor.batchSize must be a non-negative integer');
  return n;
}
