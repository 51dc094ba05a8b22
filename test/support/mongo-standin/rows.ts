/**
 * What flows through a query or pipeline: a stored document's bytes, untouched, until a stage
 * has to change it, then a decoded document. Most reads never leave the raw form, so they cost
 * no decoding and come back byte for byte as stored.
 */
import { deserialize, serialize } from 'bson';
import { CommandError } from './errors.ts';
import { DECODE_OPTIONS, asBuffer, type FieldSet } from './raw-bson.ts';
import type { Doc } from './values.ts';

export type Row = Buffer | Doc;

export const isRaw = (row: Row): row is Buffer => Buffer.isBuffer(row);

export function rowDoc(row: Row): Doc {
  return isRaw(row) ? deserialize(row, DECODE_OPTIONS) : row;
}

const MAX_BSON_SIZE = 16 * 1024 * 1024;

export function toBson(doc: Doc): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = serialize(doc, { ignoreUndefined: true });
  } catch (error) {
    throw new CommandError(10334, `document cannot be serialized: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (bytes.length > MAX_BSON_SIZE) throw new CommandError(10334, `BSONObj size: ${bytes.length} is invalid. Size must be between 0 and 16793600(16MB)`);
  return asBuffer(bytes);
}

export function rowBytes(row: Row): Buffer {
  return isRaw(row) ? row : toBson(row);
}

/** The fields a filter or sort reads: decoded from the bytes, or the decoded document itself. */
export function rowFields(row: Row, fields: FieldSet): Doc {
  return isRaw(row) ? fields.extract(row) : row;
}
