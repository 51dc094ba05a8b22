/**
 * A CLI command is declared once: its name, what it does, its arguments and flags, and its
 * handler. Parsing and the help text are both made from the declaration, so they cannot drift.
 */
import { flagUsage, parse, type Flags, type Parsed } from './args.ts';
import type { CliContext } from './context.ts';

export interface CommandDeclaration<F extends Flags, P extends readonly string[]> {
  /** One or two words: `scheduler`, `dags trigger`. */
  name: string;
  /** What it does, for the help text. */
  summary: string;
  /** Names of the positional arguments, in order; each is required. */
  args: P;
  flags: F;
  /** Returns the exit status: 0 success, 1 the thing ran and failed, 2 bad input. */
  run(ctx: CliContext, input: Parsed<F, P>): Promise<number>;
}

export interface Command {
  name: string;
  summary: string;
  /** `dags trigger <dag> [--conf JSON] ...`, without the leading `sluice`. */
  usage: string;
  execute(ctx: CliContext, argv: string[]): Promise<number>;
}

export function command<const F extends Flags, const P extends readonly string[]>(declaration: CommandDeclaration<F, P>): Command {
  const { name, summary, args, flags, run } = declaration;
  const usage = [name, ...args.map((a) => `<${a}>`), ...Object.entries(flags).map(([flag, spec]) => flagUsage(flag, spec))].join(' ');
  return { name, summary, usage, execute: (ctx, argv) => run(ctx, parse(argv, flags, args, name)) };
}

const WIDTH = 100;

/** The `sluice --help` text: every command's usage and summary, a blank line before each group (`dags …`, `runs …`). */
export function helpText(commands: readonly Command[]): string {
  const lines = ['usage: sluice <command> [options]   (--json for machine-readable output)'];
  let group: string | undefined;
  for (const c of commands) {
    // One-word commands (the processes) are one group; the others are grouped by their first word.
    const first = c.name.includes(' ') ? c.name.split(' ')[0] : '';
    if (first !== group) lines.push('');
    group = first;
    lines.push(...wrap(c.usage, '  ', '          '), ...wrap(c.summary, '      ', '      '));
  }
  return `${lines.join('\n')}\n`;
}

/** Breaks `text` between words so that no line is wider than WIDTH. */
function wrap(text: string, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    const indent = lines.length ? rest : first;
    if (line.length > indent.length && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = rest + word;
    } else {
      line = line.length > indent.length ? `${line} ${word}` : line + word;
    }
  }
  lines.push(line);
  return lines;
}
