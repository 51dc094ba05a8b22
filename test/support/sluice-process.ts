/**
 * Long-running `sluice` processes (webserver, scheduler, worker, standalone) as children of a
 * test, each in a process group of its own so that cleanup can end it together with anything it
 * forked, even processes the test expects to have gone already. (One-shot commands: cli.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './harness.ts';

export interface SluiceProcess {
  child: ChildProcess;
  pid: number;
  /** Everything the process wrote on stderr so far. */
  stderr(): string;
  /** Everything it wrote on stdout and stderr so far, in the order it arrived. */
  output(): string;
  /** Exit code, or the signal's name when it was killed. */
  exited: Promise<number | string>;
  /** Resolves with the address it printed once it serves ("Sluice webserver: http://…"). */
  url(): Promise<string>;
  /** SIGTERM to the process itself (not its group) unless it has exited already; resolves as `exited`. */
  stop(): Promise<number | string>;
  /** SIGKILL to its whole process group; safe to call more than once. */
  killGroup(): void;
}

export interface StartOptions {
  /** Its working directory; the repository's root unless given. */
  cwd?: string;
  /**
   * 'inherit': its stderr goes straight to the test's own, to be read there; stderr(), output()
   * and url() then see none of it. 'pipe' (the default) keeps it for them.
   */
  stderr?: 'pipe' | 'inherit';
}

export function startSluice(args: string[], env: NodeJS.ProcessEnv, options: StartOptions = {}): SluiceProcess {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/sluice.mjs'), ...args], {
    env,
    cwd: options.cwd ?? REPO_ROOT,
    stdio: ['ignore', 'pipe', options.stderr ?? 'pipe'],
    detached: true,
  });
  let stderr = '';
  let output = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    const text = d.toString();
    stderr += text;
    output += text;
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const pid = child.pid!;
  return {
    child,
    pid,
    stderr: () => stderr,
    output: () => output,
    exited,
    url: () =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /^Sluice (?:webserver|is running): (http:\/\/\S+)/m.exec(stderr);
          if (match) {
            waiters.delete(check);
            resolve(match[1]!);
          }
        };
        waiters.add(check);
        check();
        void exited.then((code) => reject(new Error(`sluice ${args.join(' ')} exited (${code}) before serving:\n${stderr}`)));
      }),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    killGroup: () => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    },
  };
}

/** The pids of `parent`'s child processes whose command line matches `pattern`. */
export async function childPids(parent: number, pattern: RegExp): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['--ppid', String(parent), '-o', 'pid=,args=']).catch(
    // ps exits 1 when there is no such process.
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && pattern.test(m[2]!))
    .map((m) => Number(m[1]));
}

/**
 * Whether `pid` is a live process. A zombie (exited, not yet reaped by whoever adopted it) counts
 * as gone: it runs nothing and holds no connection.
 */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S …": the state follows the last ')' (comm may itself contain parentheses).
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
