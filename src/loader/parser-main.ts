/**
 * A DAG parser process: parses the files its parent (the scheduler, or a CLI command) sends, one
 * at a time, and answers with what parse-file.ts found, without the DAG object (functions do not
 * cross processes; the parent needs the structure and the code). Whatever a file does while it
 * is imported (never ends, loops, exits the process, allocates without end) happens here: the
 * parent notices by its timeout or this process's exit, and the file becomes an import error.
 */
import { createLogger } from '../log.ts';
import { parseDagFile } from './parse-file.ts';
import type { ParseReply, ParseRequest } from './parser-protocol.ts';
import { surviveDagFileErrors } from './stray-errors.ts';

// A file's stray error (a rejection it never awaits) is logged against it; this process goes on.
surviveDagFileErrors(createLogger(process.env.SLUICE_LOG_LEVEL ?? 'info', 'dag-parser'));

process.on('message', (request: ParseRequest) => {
  void parseDagFile(request.root, request.fileloc, request.absolutePath).then(
    (parsed) => {
      const outcome = parsed.kind === 'dag' ? { kind: parsed.kind, spec: parsed.spec, versionHash: parsed.versionHash, code: parsed.code } : parsed;
      process.send?.({ id: request.id, outcome } satisfies ParseReply);
    },
    (error: Error) => process.send?.({ id: request.id, outcome: { kind: 'error', message: `the file could not be parsed: ${error.message}` } } satisfies ParseReply),
  );
});
process.send?.('ready');
