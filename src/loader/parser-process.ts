/**
 * Parses DAG files in a child process (parser-main.ts) with a time limit and a memory cap: a
 * file whose import never ends, loops, calls process.exit() or allocates without end becomes an
 * import error of that file, and the process that asked (the scheduler, the webserver beside it
 * in `standalone`) goes on, its event loop free the whole time. The child is reused across files
 * and started again after one it had to be killed for, or that ended it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDuration } from '../core/durations.ts';
import { rssBytes } from '../process-memory.ts';
import type { FileParser } from './dag-folder.ts';
import type { FileOutcome } from './parse-file.ts';
import type { ParseReply, ParseRequest } from './parser-protocol.ts';
import { buildOwnBundle } from './own-code-bundle.mjs';

/** parser-main.ts under the TypeScript loader: for when its bundle cannot be built. */
const TSX_ENTRY = fileURLToPath(new URL('./parser-entry.mjs', import.meta.url));

let entry: Promise<string> | undefined;

/**
 * The parser process's code: parser-main.ts bundled (own-code-bundle.mjs), built once per process.
 * A parser then starts with plain Node in some 0.25 s of CPU, where under tsx it took 0.8 s: a
 * scheduler starts one, and `sluice dags list` too.
 */
function parserEntry(): Promise<string> {
  entry ??= buildOwnBundle('parser', { 'parser-main': 'src/loader/parser-main.ts' }).then(
    (dir) => path.join(dir, 'parser-main.mjs'),
    (error: Error) => {
      process.emitWarning(`could not bundle the DAG parser's code (is node_modules writable?); DAG files are parsed under the TypeScript loader, slower: ${error.message}`);
      return TSX_ENTRY;
    },
  );
  return entry;
}

/** Files parsed before the child is replaced: each one's packages and code stay loaded in it. */
const FILES_PER_CHILD = 2000;

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
  parsed: number;
  /** Why the process ended, once it has. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  pending?: { id: number; resolve: (outcome: FileOutcome) => void; ended: (why: string) => void; fail: (error: Error) => void };
}

export class ParserProcess {
  private child: Child | undefined;
  private nextId = 0;
  /** One file at a time: the queue of parses waiting for the child. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly options: {
      timeoutMs: number;
      /** The child's JavaScript heap limit (SLUICE_DAG_IMPORT_MEMORY_LIMIT); see rssLimitBytes for the rest. */
      memoryLimitBytes: number;
      env: NodeJS.ProcessEnv;
    },
  ) {}

  private get heapMb(): number {
    return Math.round(this.options.memoryLimitBytes / 1_000_000);
  }

  /** A FileParser for DagFolder. */
  readonly parse: FileParser = (root, fileloc, absolutePath) => {
    const result = this.queue.then(() => this.parseNow({ id: this.nextId++, root, fileloc, absolutePath }));
    this.queue = result.catch(() => undefined);
    return result;
  };

  /**
   * Stops the child. A parse in progress, and any asked for after, rejects (ParserClosed): the
   * scan it belongs to ends without recording anything about its files.
   */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    if (child && !child.exit) {
      child.process.kill('SIGKILL');
      await new Promise((resolve) => child.process.once('exit', resolve));
    }
  }

  private async parseNow(request: ParseRequest): Promise<FileOutcome> {
    if (this.closed) throw new ParserClosed();
    const child = await this.currentChild();
    try {
      await child.ready;
    } catch (error) {
      if (this.closed) throw new ParserClosed();
      return { kind: 'error', message: (error as Error).message };
    }
    const heapMb = this.heapMb;
    const outcome = await new Promise<FileOutcome>((resolve, reject) => {
      // The heap limit stops objects; memory outside the heap (Buffers) is watched here.
      const watch = setInterval(() => {
        if ((rssBytes(child.process.pid) ?? 0) <= rssLimitBytes(heapMb)) return;
        this.kill(child);
        finish({ kind: 'error', message: tooMuchMemory(heapMb) });
      }, 200);
      const finish = (o: FileOutcome | Error) => {
        clearTimeout(timer);
        clearInterval(watch);
        if (o instanceof Error) reject(o);
        else resolve(o);
      };
      const timer = setTimeout(() => {
        this.kill(child);
        finish({
          kind: 'error',
          message:
            `the file took longer than ${formatDuration(this.options.timeoutMs)} to import (SLUICE_DAG_IMPORT_TIMEOUT), and was stopped; ` +
            'a DAG file should only define its DAG: do slow work (network, files, loops) inside tasks',
        });
      }, this.options.timeoutMs);
      child.pending = { id: request.id, resolve: finish, ended: (why) => finish({ kind: 'error', message: why }), fail: finish };
      child.process.send(request);
    });
    child.pending = undefined;
    child.parsed++;
    if (child.exit || child.parsed >= FILES_PER_CHILD) this.retire(child);
    return outcome;
  }

  private async currentChild(): Promise<Child> {
    if (this.child && !this.child.exit) return this.child;
    const entryFile = await parserEntry();
    // Closed while the code was being built: no child may start after close().
    if (this.closed) throw new ParserClosed();
    const heapMb = this.heapMb;
    const process = fork(entryFile, [], {
      execArgv: [`--max-old-space-size=${heapMb}`],
      env: this.options.env,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let onReady: () => void = () => undefined;
    let onFailed: (e: Error) => void = () => undefined;
    const child: Child = {
      process,
      parsed: 0,
      ready: new Promise((resolve, reject) => {
        onReady = resolve;
        onFailed = reject;
      }),
    };
    child.ready.catch(() => undefined);
    process.on('error', () => undefined);
    process.on('message', (message: ParseReply | 'ready') => {
      if (message === 'ready') onReady();
      else if (child.pending?.id === message.id) child.pending.resolve(message.outcome);
    });
    process.once('exit', (code, signal) => {
      child.exit = { code, signal };
      onFailed(new Error(`the DAG parser process could not start (${signal ?? `exit code ${code}`})`));
      if (this.closed) child.pending?.fail(new ParserClosed());
      else child.pending?.ended(endedMessage(code, signal, heapMb));
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
    return child;
  }

  /**
   * Kills a child whose file must stop. It is forgotten at once: its exit comes later, and must not
   * be taken for the end of the next file's parse, which a new child does.
   */
  private kill(child: Child): void {
    child.pending = undefined;
    if (this.child === child) this.child = undefined;
    child.process.kill('SIGKILL');
  }

  private retire(child: Child): void {
    if (this.child === child) this.child = undefined;
    if (!child.exit) child.process.disconnect();
  }
}

/** The parser was stopped (its owner is stopping): the scan in progress ends without a result. */
export class ParserClosed extends Error {
  constructor() {
    super('the DAG parser was stopped');
  }
}

/** Why a parse ended with its process: what the file did, as far as the exit tells. */
function endedMessage(code: number | null, signal: NodeJS.Signals | null, heapMb: number): string {
  if (signal === 'SIGKILL') return 'the file was stopped while being imported';
  if (signal === 'SIGABRT' || code === 134) return tooMuchMemory(heapMb);
  return (
    `the file ended the process importing it (${signal ? `signal ${signal}` : `exit code ${code}`}), ` +
    'e.g. with process.exit(); a DAG file should only define its DAG'
  );
}

/**
 * The parser's resident memory cap: its heap limit and half again for what lives outside the
 * heap, and never less than 256 MB above the heap limit (Node, the TypeScript loader and esbuild
 * take some 100 MB before any file is parsed).
 */
function rssLimitBytes(heapMb: number): number {
  return Math.max(heapMb * 1_500_000, (heapMb + 256) * 1_000_000);
}

function tooMuchMemory(heapMb: number): string {
  return `the file used more than the DAG parser's ${heapMb} MB of memory (SLUICE_DAG_IMPORT_MEMORY_LIMIT) while being imported, and was stopped`;
}

