import { readdir, readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { importDagFile, type ImportOptions, type LoadedDag } from './import-dag-file.ts';

export interface FolderScan {
  dags: Map<string, LoadedDag & { fileloc: string }>;
  errors: { filename: string; message: string }[];
  /** Files imported in this scan because they were new or had changed. */
  importedFiles: number;
}

export type FileResult =
  | { kind: 'dag'; loaded: LoadedDag }
  | { kind: 'not-a-dag' }
  | { kind: 'error'; message: string };

/**
 * The DAG files of one folder: every *.ts file below it whose default export is a DAG. Files are
 * re-imported only when their contents change; a broken file is reported and never stops the rest.
 */
export class DagFolder {
  readonly root: string;
  private readonly cache = new Map<string, { hash: string; stamp: string; result: FileResult }>();

  constructor(
    folder: string,
    /** How its files are imported (a worker's folder does not validate: see ImportOptions). */
    private readonly importOptions: ImportOptions = {},
  ) {
    this.root = path.resolve(folder);
  }

  async scan(): Promise<FolderScan> {
    const files = await listTsFiles(this.root);
    const scan: FolderScan = { dags: new Map(), errors: [], importedFiles: 0 };
    for (const cached of [...this.cache.keys()]) if (!files.includes(cached)) this.cache.delete(cached);
    for (const file of files) {
      const fileloc = path.relative(this.root, file);
      const result = await this.load(file, scan);
      if (result.kind === 'error') {
        scan.errors.push({ filename: fileloc, message: result.message });
      } else if (result.kind === 'dag') {
        // The DAG's own id, not its spec's: a worker's folder builds specs only when asked.
        const dagId = result.loaded.dag.dagId;
        const other = scan.dags.get(dagId);
        if (other) {
          scan.errors.push({
            filename: fileloc,
            message: `DAG id "${dagId}" is already defined in ${other.fileloc}; DAG ids must be unique across the DAGs folder`,
          });
        } else {
          scan.dags.set(dagId, withFileloc(result.loaded, fileloc));
        }
      }
    }
    return scan;
  }

  private async load(file: string, scan?: FolderScan): Promise<FileResult> {
    let text: Buffer;
    let stamp: string;
    try {
      const info = await stat(file);
      stamp = `${info.mtimeMs}:${info.size}`;
      const cached = this.cache.get(file);
      // Workers ask for the file of every task they run: an unchanged stat answers without reading it.
      if (cached && cached.stamp === stamp) return cached.result;
      text = await readFile(file);
    } catch (error) {
      return { kind: 'error', message: `cannot read the file: ${(error as Error).message}` };
    }
    const hash = createHash('sha1').update(text).digest('hex');
    const cached = this.cache.get(file);
    if (cached && cached.hash === hash) {
      cached.stamp = stamp;
      return cached.result;
    }
    const result = await importDagFile(file, hash, this.importOptions);
    if (scan) scan.importedFiles++;
    this.cache.set(file, { hash, stamp, result });
    return result;
  }

  /** The DAG defined in one file (for workers), imported anew only when the file changed. */
  async loadFile(fileloc: string): Promise<FileResult> {
    return this.load(path.resolve(this.root, fileloc));
  }
}

/**
 * The loaded DAG with its file's name. Its spec and version hash stay getters, made when first
 * asked for: a spread would make them here (a worker's folder never needs the spec, and one that
 * does not hold, a cycle, say, would throw out of the scan).
 */
function withFileloc(loaded: LoadedDag, fileloc: string): LoadedDag & { fileloc: string } {
  return Object.defineProperties({ fileloc }, Object.getOwnPropertyDescriptors(loaded)) as LoadedDag & { fileloc: string };
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
