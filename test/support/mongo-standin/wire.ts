/**
 * The MongoDB wire protocol as a server sees it: cutting the byte stream into messages (16-byte
 * header, little-endian), reading OP_MSG (a body section and document sequences) and the legacy
 * OP_QUERY the driver still uses for its first handshake, and writing OP_MSG / OP_REPLY replies.
 */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

const HEADER_SIZE = 16;
/** What we advertise as maxMessageSizeBytes, plus room for a header. */
export const MAX_MESSAGE_SIZE = 48_000_000 + HEADER_SIZE;

const CHECKSUM_PRESENT = 1 << 0;
export const MORE_TO_COME = 1 << 1;
const EXHAUST_ALLOWED = 1 << 16;
/** Bits 0-15 are "required": a receiver must reject flags it does not know among them. */
const KNOWN_REQUIRED_FLAGS = CHECKSUM_PRESENT | MORE_TO_COME;

/** A reason to drop the connection: the peer is not speaking the protocol we can follow. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

export interface MessageHeader {
  messageLength: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface OpMsg {
  opCode: typeof OP_MSG;
  header: MessageHeader;
  flags: number;
  body: Buffer;
  /** Kind 1 sections: identifier → the documents' bytes. */
  sequences: Map<string, Buffer[]>;
}

export interface OpQuery {
  opCode: typeof OP_QUERY;
  header: MessageHeader;
  fullCollectionName: string;
  query: Buffer;
}

export type Request = OpMsg | OpQuery;

/** Accumulates socket chunks and hands out complete messages. */
export class MessageFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete message, or undefined until more bytes arrive; throws on a bad length. */
  next(): Buffer | undefined {
    if (this.buffered < 4) return undefined;
    const first = this.head(4);
    const length = first.readInt32LE(0);
    if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE) throw new ProtocolError(`message length ${length} is out of range`);
    if (this.buffered < length) return undefined;
    return this.take(length);
  }

  /** The first `n` buffered bytes as one buffer (joining chunks when needed). */
  private head(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  /** A message inside one chunk is a view of it; only one that spans chunks is copied. */
  private take(n: number): Buffer {
    const first = this.head(1);
    let message: Buffer;
    if (first.length >= n) {
      message = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      message = Buffer.allocUnsafe(n);
      let copied = 0;
      while (copied < n) {
        const chunk = this.chunks[0]!;
        const want = n - copied;
        if (chunk.length <= want) {
          message.set(chunk, copied);
          copied += chunk.length;
          this.chunks.shift();
        } else {
          message.set(chunk.subarray(0, want), copied);
          this.chunks[0] = chunk.subarray(want);
          copied += want;
        }
      }
    }
    this.buffered -= n;
    return message;
  }
}

function readHeader(message: Buffer): MessageHeader {
  return {
    messageLength: message.readInt32LE(0),
    requestId: message.readInt32LE(4),
    responseTo: message.readInt32LE(8),
    opCode: message.readInt32LE(12),
  };
}

function documentAt(message: Buffer, at: number, end: number, what: string): Buffer {
  if (at + 5 > end) throw new ProtocolError(`truncated ${what}`);
  const size = message.readInt32LE(at);
  if (size < 5 || at + size > end) throw new ProtocolError(`${what} length ${size} runs past its section`);
  return message.subarray(at, at + size);
}

function cstringAt(message: Buffer, at: number, end: number, what: string): { value: string; next: number } {
  const zero = message.indexOf(0, at);
  if (zero < 0 || zero >= end) throw new ProtocolError(`unterminated ${what}`);
  return { value: message.toString('utf8', at, zero), next: zero + 1 };
}

function parseOpMsg(message: Buffer, header: MessageHeader): OpMsg {
  if (message.length < HEADER_SIZE + 5) throw new ProtocolError('OP_MSG too short');
  const flags = message.readUInt32LE(HEADER_SIZE);
  const unknownRequired = flags & 0xffff & ~KNOWN_REQUIRED_FLAGS;
  if (unknownRequired) throw new ProtocolError(`OP_MSG has unknown required flag bits 0x${unknownRequired.toString(16)}`);
  // The CRC-32C checksum, if present, is the last 4 bytes; TCP already guards the bytes here.
  const end = flags & CHECKSUM_PRESENT ? message.length - 4 : message.length;
  let at = HEADER_SIZE + 4;
  let body: Buffer | undefined;
  const sequences = new Map<string, Buffer[]>();
  while (at < end) {
    const kind = message[at++];
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG has more than one body section');
      body = documentAt(message, at, end, 'OP_MSG body');
      at += body.length;
    } else if (kind === 1) {
      if (at + 4 > end) throw new ProtocolError('truncated document sequence');
      const size = message.readInt32LE(at);
      const sectionEnd = at + size;
      if (size < 5 || sectionEnd > end) throw new ProtocolError(`document sequence length ${size} runs past the message`);
      const { value: identifier, next } = cstringAt(message, at + 4, sectionEnd, 'document sequence identifier');
      const docs: Buffer[] = [];
      let p = next;
      while (p < sectionEnd) {
        const doc = documentAt(message, p, sectionEnd, 'document in a sequence');
        docs.push(doc);
        p += doc.length;
      }
      if (sequences.has(identifier)) throw new ProtocolError(`duplicate document sequence '${identifier}'`);
      sequences.set(identifier, docs);
      at = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without a body section');
  return { opCode: OP_MSG, header, flags, body, sequences };
}

function parseOpQuery(message: Buffer, header: MessageHeader): OpQuery {
  // flags (int32), fullCollectionName (cstring), numberToSkip, numberToReturn, query, [fields]
  const { value: fullCollectionName, next } = cstringAt(message, HEADER_SIZE + 4, message.length, 'OP_QUERY collection name');
  const query = documentAt(message, next + 8, message.length, 'OP_QUERY query');
  return { opCode: OP_QUERY, header, fullCollectionName, query };
}

export function parseMessage(message: Buffer): Request {
  const header = readHeader(message);
  switch (header.opCode) {
    case OP_MSG:
      return parseOpMsg(message, header);
    case OP_QUERY:
      return parseOpQuery(message, header);
    case OP_COMPRESSED:
      throw new ProtocolError('OP_COMPRESSED is not supported (no compressors are advertised)');
    default:
      throw new ProtocolError(`unsupported opCode ${header.opCode}`);
  }
}

export const exhaustAllowed = (msg: OpMsg): boolean => (msg.flags & EXHAUST_ALLOWED) !== 0;

function header(length: number, requestId: number, responseTo: number, opCode: number, extra: number): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + extra);
  out.writeInt32LE(length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
  return out;
}

/** Header plus flags and section kind of an OP_MSG reply; the body is written after it as is. */
export function opMsgReplyPrefix(requestId: number, responseTo: number, bodyLength: number): Buffer {
  const prefix = header(HEADER_SIZE + 5 + bodyLength, requestId, responseTo, OP_MSG, 5);
  prefix.writeUInt32LE(0, HEADER_SIZE);
  prefix[HEADER_SIZE + 4] = 0;
  return prefix;
}

/** OP_REPLY with one document: what a legacy OP_QUERY command gets back. */
export function opReplyPrefix(requestId: number, responseTo: number, docLength: number): Buffer {
  const prefix = header(HEADER_SIZE + 20 + docLength, requestId, responseTo, OP_REPLY, 20);
  prefix.writeInt32LE(8, HEADER_SIZE); // responseFlags: AwaitCapable, as mongod sets it
  prefix.writeBigInt64LE(0n, HEADER_SIZE + 4); // cursorID
  prefix.writeInt32LE(0, HEADER_SIZE + 12); // startingFrom
  prefix.writeInt32LE(1, HEADER_SIZE + 16); // numberReturned
  return prefix;
}
