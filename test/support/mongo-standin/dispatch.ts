/**
 * From a request to a reply body: decode the command, apply an injected failure if one is due,
 * run the handler, and turn any error into mongod's `{ ok: 0, errmsg, code, codeName }`.
 */
import { deserialize, type DeserializeOptions } from 'bson';
import { adminCommands } from './commands/admin.ts';
import { catalogCommands } from './commands/catalog.ts';
import type { CommandContext, Handler, ParsedCommand } from './commands/context.ts';
import { readCommands } from './commands/reads.ts';
import { writeCommands } from './commands/writes.ts';
import { CommandError, errorReply } from './errors.ts';
import { DECODE_OPTIONS, walkElements } from './raw-bson.ts';
import { isRaw, toBson } from './rows.ts';
import { isPlainObject, type Doc } from './values.ts';
import { ProtocolError, type OpMsg, type OpQuery } from './wire.ts';

export interface InjectedFailure {
  code: number;
  message: string;
  /** Drop the connection instead of replying: the driver sees a network error. */
  closeConnection?: boolean;
}

/** What to send back: a reply body, or nothing but a closed connection. */
export type Outcome = { body: Buffer } | { close: string };

const HANDLERS: Record<string, Handler> = { ...adminCommands, ...readCommands, ...writeCommands, ...catalogCommands };
const HANDSHAKE = new Set(['hello', 'isMaster', 'ismaster']);

function firstFieldName(body: Buffer): string | undefined {
  let name: string | undefined;
  walkElements(body, (e) => {
    name = body.toString('utf8', e.nameStart, e.nameEnd);
    return false;
  });
  return name;
}

/** A body that is not valid BSON makes the whole message malformed: the connection goes. */
function decodeBody(body: Buffer, options: DeserializeOptions): Doc {
  try {
    return deserialize(body, options);
  } catch (error) {
    throw new ProtocolError(`command body is not valid BSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function commandFromOpMsg(msg: OpMsg): ParsedCommand | CommandError {
  let name: string | undefined;
  try {
    name = firstFieldName(msg.body);
  } catch (error) {
    throw new ProtocolError(`command body is not valid BSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (name === undefined) return new CommandError(59, 'no such command: empty document');
  // insert's documents stay bytes: stored as sent, never decoded and re-encoded.
  const body = decodeBody(msg.body, name === 'insert' ? { ...DECODE_OPTIONS, fieldsAsRaw: { documents: true } } : DECODE_OPTIONS);
  const db = body.$db;
  if (typeof db !== 'string') return new CommandError(40571, 'OP_MSG requests require a $db argument');
  return { name, db, body, sequences: msg.sequences };
}

/** The legacy handshake: OP_QUERY on `<db>.$cmd`, maybe wrapped as `{ $query: {...} }`. */
export function commandFromOpQuery(query: OpQuery): ParsedCommand | CommandError {
  const dot = query.fullCollectionName.indexOf('.');
  const db = dot < 0 ? query.fullCollectionName : query.fullCollectionName.slice(0, dot);
  let body = decodeBody(query.query, DECODE_OPTIONS);
  if (isPlainObject(body.$query)) body = body.$query;
  const name = Object.keys(body)[0] ?? '';
  if (!query.fullCollectionName.endsWith('.$cmd') || !HANDSHAKE.has(name)) {
    return new CommandError(352, `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`);
  }
  return { name, db, body, sequences: new Map() };
}

export class Dispatcher {
  private readonly failures = new Map<string, { failure: InjectedFailure; remaining: number }>();

  constructor(private readonly log: (message: string) => void) {}

  failNext(commandName: string, failure: InjectedFailure, count = 1): void {
    if (count <= 0) this.failures.delete(commandName);
    else this.failures.set(commandName, { failure, remaining: count });
  }

  run(command: ParsedCommand | CommandError, context: CommandContext): Outcome {
    try {
      if (command instanceof CommandError) throw command;
      const injected = this.takeFailure(command.name);
      if (injected?.closeConnection) return { close: `injected failure of '${command.name}'` };
      if (injected) throw new CommandError(injected.code, injected.message);
      const handler = Object.hasOwn(HANDLERS, command.name) ? HANDLERS[command.name] : undefined;
      if (!handler) throw new CommandError(59, `no such command: '${command.name}'`);
      const reply = handler(command, context);
      return { body: isRaw(reply) ? reply : toBson(reply) };
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      if (error instanceof CommandError) return { body: toBson(errorReply(error.code, error.message, error.extra)) };
      // A bug here must not take the test process down: report it to the client and the log.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.log(`internal error in '${command instanceof CommandError ? '?' : command.name}': ${message}`);
      return { body: toBson(errorReply(1, `internal error in the MongoDB stand-in: ${error instanceof Error ? error.message : String(error)}`)) };
    }
  }

  private takeFailure(name: string): InjectedFailure | undefined {
    const entry = this.failures.get(name);
    if (!entry) return undefined;
    if (--entry.remaining <= 0) this.failures.delete(name);
    return entry.failure;
  }
}
