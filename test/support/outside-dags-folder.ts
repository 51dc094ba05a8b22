/**
 * A DAGs folder outside this package, for the tests of package entries ('sluice/notifiers',
 * 'sluice/sensors', …): its files written to a temporary folder, each parsed in this process
 * (Sluice's TypeScript) or in a plain Node process running Sluice's own bundle, as runners and
 * bundled workers do. Registers the describe's before and after hooks.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { buildOwnBundle } from '../../src/loader/own-code-bundle.mjs';
import { parseDagFile, type FileOutcome } from '../../src/loader/parse-file.ts';

const run = promisify(execFile);

/** What a test compares of an outcome: the spec's fields a DAG file sets, or the error. */
export type ParseSummary = { kind: 'dag'; tags: string[]; description: string } | { kind: 'error'; message: string } | { kind: 'not-a-dag' };

function summary(outcome: FileOutcome): ParseSummary {
  if (outcome.kind === 'dag') return { kind: 'dag', tags: outcome.spec.tags, description: outcome.spec.description };
  return outcome.kind === 'error' ? { kind: 'error', message: outcome.message } : { kind: outcome.kind };
}

export interface OutsideFolder {
  /** The file parsed in this process, as the CLI or a scheduler under tsx parses it. */
  parse(file: string): Promise<FileOutcome>;
  summary(file: string): Promise<ParseSummary>;
  /** The file parsed by a plain Node process running Sluice bundled. */
  summaryBundled(file: string): Promise<ParseSummary>;
}

export function outsideDagsFolder(name: string, files: Record<string, string>): OutsideFolder {
  let folder = '';
  let bundleDir = '';
  before(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), `sluice-${name}-`));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
      await writeFile(path.join(folder, file), text);
    }
  });
  after(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
    if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
  });
  const parse = (file: string) => parseDagFile(folder, file, path.join(folder, file));
  return {
    parse,
    summary: async (file) => summary(await parse(file)),
    async summaryBundled(file) {
      bundleDir ||= await buildOwnBundle(`test-${name}`, { 'parse-file': 'src/loader/parse-file.ts' });
      const script = `const { parseDagFile } = await import(${JSON.stringify(pathToFileURL(path.join(bundleDir, 'parse-file.mjs')).href)});
const outcome = await parseDagFile(${JSON.stringify(folder)}, ${JSON.stringify(file)}, ${JSON.stringify(path.join(folder, file))});
process.stdout.write(JSON.stringify({ kind: outcome.kind, spec: outcome.spec, message: outcome.message }));`;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
      return summary(JSON.parse(stdout) as FileOutcome);
    },
  };
}
