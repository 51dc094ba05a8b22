/**
 * Errors that a DAG file lets escape while it is imported: a top-level promise it never awaits
 * that rejects, or a throw in a callback it scheduled (`setTimeout(() => { throw … })`). Node's
 * default is to exit, and the scheduler (or the whole of `standalone`) would go down with it, for
 * every DAG, because of one file. The import runs inside an async context naming its file, so
 * the process handler here can tell such an error from one of Sluice's own: the first is logged
 * against its file and the process goes on; the second is logged and the process exits as Node
 * would (its supervisor restarts it; all state is in PostgreSQL).
 *
 * Workers install their own handlers (workers/stray-errors.ts), which also blame tries.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../log.ts';

const importing = new AsyncLocalStorage<string>();

/** Runs a DAG file's import: stray errors from anything it starts are blamed on `file`. */
export function asImportOf<T>(file: string, fn: () => T): T {
  return importing.run(file, fn);
}

/** The DAG file whose import started the code now running, if any. */
export function importedFile(): string | undefined {
  return importing.getStore();
}

/**
 * Installs, until the returned function is called, process handlers that keep a process which
 * imports DAG files (the scheduler, `standalone`) alive when a DAG file's stray error reaches
 * them.
 */
export function surviveDagFileErrors(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const handle = (kind: 'unhandledRejection' | 'uncaughtException') => (error: unknown) => {
    const err = error instanceof Error ? error : { message: String(error) };
    const file = importedFile();
    if (file) {
      log.error({ err, kind, file }, `the DAG file ${file} let an error escape (${kind}) after or while being imported: logged and ignored; fix the file`);
      return;
    }
    log.fatal({ err, kind }, `${kind} in Sluice itself: exiting (a supervisor restarts the process; runs pick up where they were)`);
    exit(1);
  };
  const onRejection = handle('unhandledRejection');
  const onException = handle('uncaughtException');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
