/**
 * The handshake and the harmless server commands drivers and tools send: we answer as a
 * standalone MongoDB 7.0 (wire version 21) without authentication, compression or sessions state.
 */
import { Long } from 'bson';
import os from 'node:os';
import { CommandError } from '../errors.ts';
import type { CommandContext, Handler, ParsedCommand } from './context.ts';

export const SERVER_VERSION = '7.0.0';
const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
const MAX_MESSAGE_SIZE_BYTES = 48_000_000;
const MAX_WRITE_BATCH_SIZE = 100_000;

/**
 * No `topologyVersion`: without it the driver polls with hello every heartbeat instead of
 * holding an awaitable (streaming) hello open, which we would have to implement.
 */
export function helloReply(command: ParsedCommand, context: CommandContext): Record<string, unknown> {
  return {
    ...(command.body.helloOk ? { helloOk: true } : {}),
    isWritablePrimary: true,
    ismaster: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: context.connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  };
}

const ok: Handler = () => ({ ok: 1 });

function requireAdmin(command: ParsedCommand): void {
  if (command.db !== 'admin') throw new CommandError(13, `${command.name} may only be run against the admin database.`);
}

export const adminCommands: Record<string, Handler> = {
  hello: helloReply,
  isMaster: helloReply,
  ismaster: helloReply,
  ping: ok,
  endSessions: ok,
  killSessions: ok,
  killAllSessions: ok,
  killAllSessionsByPattern: ok,
  refreshSessions: ok,
  logout: ok,
  buildInfo: () => ({
    version: SERVER_VERSION,
    gitVersion: 'mongo-standin',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['inMemory'],
    modules: [],
    javascriptEngine: 'none',
    ok: 1,
  }),
  getParameter: (command) => ({
    ...(command.body.featureCompatibilityVersion !== undefined || command.body.getParameter === '*' ? { featureCompatibilityVersion: { version: '7.0' } } : {}),
    ok: 1,
  }),
  getCmdLineOpts: () => ({ argv: ['mongo-standin'], parsed: {}, ok: 1 }),
  hostInfo: () => ({
    system: { currentTime: new Date(), hostname: os.hostname(), cpuAddrSize: 64, memSizeMB: Math.round(os.totalmem() / 2 ** 20), numCores: os.cpus().length, cpuArch: os.arch() },
    os: { type: os.type(), name: os.platform(), version: os.release() },
    extra: {},
    ok: 1,
  }),
  serverStatus: (_command, context) => ({
    host: os.hostname(),
    version: SERVER_VERSION,
    process: 'mongod',
    pid: Long.fromNumber(process.pid),
    uptime: (Date.now() - context.startedAt) / 1000,
    uptimeMillis: Long.fromNumber(Date.now() - context.startedAt),
    localTime: new Date(),
    connections: { current: context.openConnections(), available: 1_000_000 },
    ok: 1,
  }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  whatsmyuri: (_command, context) => ({ you: context.remote, ok: 1 }),
  getLog: (command) => {
    requireAdmin(command);
    return command.body.getLog === '*' ? { names: ['global', 'startupWarnings'], ok: 1 } : { totalLinesWritten: 0, log: [], ok: 1 };
  },
  commitTransaction: () => {
    throw new CommandError(20, 'Transaction numbers are only allowed on a replica set member or mongos');
  },
  abortTransaction: () => {
    throw new CommandError(20, 'Transaction numbers are only allowed on a replica set member or mongos');
  },
};

export { requireAdmin };
