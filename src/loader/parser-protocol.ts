/** What the scheduler (or a CLI command) and its DAG parser process say to each other. */
import type { FileOutcome } from './parse-file.ts';

export interface ParseRequest {
  id: number;
  root: string;
  fileloc: string;
  absolutePath: string;
}

export interface ParseReply {
  id: number;
  /** Never with the DAG object: only its structure and code cross. */
  outcome: FileOutcome;
}
