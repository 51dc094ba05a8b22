import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DagSpec } from '../core/spec.ts';
import type { Dag } from '../sdk/dag.ts';
import type { DagCode } from './bundle.ts';
import { parseDagFile, type FileOutcome } from './parse-file.ts';

/** A DAG as a scan found it. `dag` (its task functions) only when its file was parsed in this process. */
export interface FoundDag {
  fileloc: string;
  dag?: Dag;
  spec: DagSpec;
  versionHash: string;
  code: DagCode;
}

export interface FolderScan {
  dags: Map<string, FoundDag>;
  errors: { filename: string; message: string }[];
  /** Files parsed in this scan because they, or a module they import, were new or had changed. */
  importedFiles: number;
}

/** Parses one file: in this process (parseDagFile), or in a parser process (parser-process.ts). */
export type FileParser = (root: string, fileloc: string, absolutePath: string) => Promise<FileOutcome>;

interface Cached {
  outcome: FileOutcome;
  /** Every file the outcome was made from (the DAG file and its local imports), with its stamp then. */
  stamps: Map<string, string>;
}

/**
 * The DAG files of one folder: every *.ts file below it whose default export is a DAG. A file is
 * parsed again only when it or one of the local modules it imports changed (their size and
 * modification time tell); a broken file is reported and never stops the rest.
 */
export class DagFolder {
  readonly root: string;
  private readonly cache = new Map<string, Cached>();

  constructor(
    folder: string,
    private readonly parse: FileParser = parseDagFile,
  ) {
    this.root = path.resolve(folder);
  }

  async scan(): Promise<FolderScan> {
    const files = await listTsFiles(this.root);
    const scan: FolderScan = { dags: new Map(), errors: [], importedFiles: 0 };
    for (const cached of [...this.cache.keys()]) if (!files.includes(cached)) this.cache.delete(cached);
    // A helper imported by many DAG files is looked at once per scan.
    const stamps = new Map<string, Promise<string>>();
    const stampOf = (file: string) => {
      let s = stamps.get(file);
      if (!s) stamps.set(file, (s = stampFile(file)));
      return s;
    };
    for (const file of files) {
      const fileloc = path.relative(this.root, file);
      const outcome = await this.load(file, fileloc, stampOf, scan);
      if (outcome.kind === 'error') {
        scan.errors.push({ filename: fileloc, message: outcome.message });
      } else if (outcome.kind === 'dag') {
        const dagId = outcome.spec.dagId;
        const other = scan.dags.get(dagId);
        if (other) {
          scan.errors.push({
            filename: fileloc,
            message: `DAG id "${dagId}" is already defined in ${other.fileloc}; DAG ids must be unique across the DAGs folder`,
          });
        } else {
          scan.dags.set(dagId, { fileloc, dag: outcome.dag, spec: outcome.spec, versionHash: outcome.versionHash, code: outcome.code });
        }
      }
    }
    return scan;
  }

  private async load(file: string, fileloc: string, stampOf: (file: string) => Promise<string>, scan: FolderScan): Promise<FileOutcome> {
    const cached = this.cache.get(file);
    if (cached && (await unchanged(cached.stamps, stampOf))) return cached.outcome;
    // Stamped before parsing: a file edited while it is parsed is seen as changed next time.
    const before = new Map<string, string>();
    for (const input of [file, ...(cached?.stamps.keys() ?? [])]) before.set(input, await stampOf(input));
    const outcome = await this.parse(this.root, fileloc, file);
    scan.importedFiles++;
    const stamps = new Map<string, string>([[file, before.get(file)!]]);
    // A file that did not bundle is parsed again at every scan: the module it misses may appear.
    if (outcome.code) {
      for (const input of Object.keys(outcome.code.sources)) {
        const absolute = path.resolve(this.root, input);
        stamps.set(absolute, before.get(absolute) ?? (await stampOf(absolute)));
      }
      this.cache.set(file, { outcome, stamps });
    } else {
      this.cache.delete(file);
    }
    return outcome;
  }
}

async function unchanged(stamps: Map<string, string>, stampOf: (file: string) => Promise<string>): Promise<boolean> {
  for (const [file, stamp] of stamps) if ((await stampOf(file)) !== stamp) return false;
  return true;
}

async function stampFile(file: string): Promise<string> {
  try {
    const info = await stat(file);
    return `${info.mtimeMs}:${info.size}`;
  } catch {
    return 'missing';
  }
}

async function listTsFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`the DAGs folder ${dir} does not exist; create it or set SLUICE_DAGS_FOLDER`, { cause: error });
    }
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listTsFiles(full)));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(full);
  }
  return files;
}
