/**
 * A MongoDB-wire-compatible stand-in server for tests and benchmarks: the official driver talks
 * to it over TCP as to a standalone mongod 7.0, with the data in memory. See README.md here for
 * what it supports.
 */
import net from 'node:net';
import type { CommandContext } from './commands/context.ts';
import { CursorRegistry } from './cursors.ts';
import { Dispatcher, commandFromOpMsg, commandFromOpQuery, type InjectedFailure, type Outcome } from './dispatch.ts';
import { prepareForInsert } from './raw-bson.ts';
import { Store } from './store.ts';
import { MORE_TO_COME, MessageFramer, OP_MSG, ProtocolError, opMsgReplyPrefix, opReplyPrefix, parseMessage } from './wire.ts';

export type { InjectedFailure } from './dispatch.ts';
export { Store } from './store.ts';

export interface MongoStandInOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Where dropped connections and internal errors are reported; stderr by default. */
  log?: (message: string) => void;
}

export interface MongoStandIn {
  /** `mongodb://127.0.0.1:PORT/` */
  readonly url: string;
  readonly port: number;
  /** The in-memory data, for tests that look behind the driver. */
  readonly store: Store;
  /** Server-side cursors currently open (they close when exhausted, killed, idle or their connection closes). */
  readonly openCursors: number;
  readonly openConnections: number;
  /**
   * The next `count` (default 1) commands named `commandName` fail with `{ ok: 0, code, errmsg }`,
   * or, with `closeConnection`, by the connection being dropped without a reply.
   */
  failNext(commandName: string, error: InjectedFailure, count?: number): void;
  /**
   * Stores a BSON document exactly as given (an `_id` is added, first, only when it has none), e.g.
   * one with invalid UTF-8 that no driver would send. Throws on a duplicate `_id`.
   */
  insertRaw(db: string, collection: string, bson: Uint8Array): void;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

const defaultLog = (message: string): void => {
  process.stderr.write(`[mongo-standin] ${message}\n`);
};

class StandInServer implements MongoStandIn {
  readonly store = new Store();
  private readonly cursors = new CursorRegistry();
  private readonly dispatcher: Dispatcher;
  private readonly sockets = new Set<net.Socket>();
  private readonly startedAt = Date.now();
  private nextConnectionId = 1;
  private nextRequestId = 1;
  private address: net.AddressInfo | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly server: net.Server,
    private readonly host: string,
    private readonly log: (message: string) => void,
  ) {
    this.dispatcher = new Dispatcher(log);
    server.on('connection', (socket) => this.accept(socket));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.address = this.server.address() as net.AddressInfo;
  }

  get port(): number {
    return this.address?.port ?? 0;
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `mongodb://${host}:${this.port}/`;
  }

  get openCursors(): number {
    return this.cursors.size;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  failNext(commandName: string, error: InjectedFailure, count = 1): void {
    this.dispatcher.failNext(commandName, error, count);
  }

  insertRaw(db: string, collection: string, bson: Uint8Array): void {
    this.store.collection(db, collection, true).insert(prepareForInsert(Buffer.from(bson)));
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.cursors.closeAll();
    });
    return this.closing;
  }

  private accept(socket: net.Socket): void {
    const connectionId = this.nextConnectionId++;
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const framer = new MessageFramer();
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const context: CommandContext = {
      store: this.store,
      cursors: this.cursors,
      connectionId,
      remote,
      startedAt: this.startedAt,
      openConnections: () => this.sockets.size,
    };
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      try {
        for (let message = framer.next(); message && !socket.destroyed; message = framer.next()) this.handle(socket, message, context);
      } catch (error) {
        const reason = error instanceof ProtocolError ? error.message : `unexpected ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
        this.log(`closing connection ${connectionId} from ${remote}: ${reason}`);
        socket.destroy();
      }
    });
    // Resets are how clients often leave; 'close' follows and does the cleanup.
    socket.on('error', () => {});
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.cursors.killOwnedBy(connectionId);
    });
  }

  private handle(socket: net.Socket, message: Buffer, context: CommandContext): void {
    const request = parseMessage(message);
    const responseTo = request.header.requestId;
    let outcome: Outcome;
    if (request.opCode === OP_MSG) {
      outcome = this.dispatcher.run(commandFromOpMsg(request), context);
      if ('body' in outcome && request.flags & MORE_TO_COME) return; // w: 0 — the client wants no reply
    } else {
      outcome = this.dispatcher.run(commandFromOpQuery(request), context);
    }
    if ('close' in outcome) {
      this.log(`dropping connection ${context.connectionId}: ${outcome.close}`);
      socket.destroy();
      return;
    }
    const requestId = this.nextRequestId++;
    const prefix = request.opCode === OP_MSG ? opMsgReplyPrefix(requestId, responseTo, outcome.body.length) : opReplyPrefix(requestId, responseTo, outcome.body.length);
    socket.cork();
    socket.write(prefix);
    socket.write(outcome.body);
    socket.uncork();
  }
}

export async function startMongoStandIn(options: MongoStandInOptions = {}): Promise<MongoStandIn> {
  const host = options.host ?? '127.0.0.1';
  const standIn = new StandInServer(net.createServer(), host, options.log ?? defaultLog);
  await standIn.listen(options.port ?? 0);
  return standIn;
}
