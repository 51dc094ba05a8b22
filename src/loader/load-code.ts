/**
 * Imports a DAG version's bundled code (bundle.ts) in this process. The code is written once to a
 * file of the machine's code cache, named by its hash and the local DAGs folder, and imported
 * from there: Node caches a module by URL, so a version imported again is the same module, and a
 * new version (another hash) is a new one. What the bundle imports (packages, `sluice`) resolves
 * as if from the DAG file's own folder when that exists here, else from this installation
 * (resolve-hook.mjs): a worker with no DAGs folder uses its own node_modules.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureSluiceResolvable } from './register.ts';
import { asImportOf } from './stray-errors.ts';

/** What a version's code is to the loader (a DagCode, or a row of the metadata database). */
export interface CodeToLoad {
  codeHash: string;
  code: string;
  sourceMap: string | null;
}

/** The code cache: one folder per machine and user, shared by every Sluice process (writes are atomic). */
export const CODE_CACHE_DIR = path.join(os.tmpdir(), `sluice-dag-code-${os.userInfo().uid}`);

/** The query parameter that marks a URL as a bundle's (resolve-hook.mjs resolves its imports). */
export const BUNDLE_MARK = 'sluice-bundle';

let sourceMapsOn = false;

/**
 * Imports the code of the DAG file `fileloc` (relative to `root`, the local DAGs folder, which
 * need not exist) and returns its module. Import errors are thrown as the code threw them; stray
 * errors of the import are blamed on `fileloc` (stray-errors.ts).
 */
export async function importCode(code: CodeToLoad, root: string, fileloc: string): Promise<{ default?: unknown }> {
  ensureSluiceResolvable();
  if (!sourceMapsOn) {
    // Stack traces of task and import errors then name the original file and line.
    process.setSourceMapsEnabled(true);
    sourceMapsOn = true;
  }
  const rootUrl = pathToFileURL(root).href.replace(/\/?$/, '/');
  const file = await cachedFile(code, rootUrl);
  const url = new URL(pathToFileURL(file).href);
  url.searchParams.set(BUNDLE_MARK, '1');
  url.searchParams.set('origin', new URL(path.posix.dirname(fileloc.split(path.sep).join('/')) + '/', rootUrl).href);
  return (await asImportOf(fileloc, () => import(url.href))) as { default?: unknown };
}

const written = new Map<string, Promise<string>>();

/** The cache file of `code` with its source map rooted at `rootUrl`, written if missing. */
function cachedFile(code: CodeToLoad, rootUrl: string): Promise<string> {
  const name = `${code.codeHash.slice(0, 32)}-${createHash('sha1').update(rootUrl).digest('hex').slice(0, 8)}.mjs`;
  let file = written.get(name);
  if (!file) {
    file = writeAtomically(path.join(CODE_CACHE_DIR, name), withSourceMap(code, rootUrl));
    file.catch(() => written.delete(name));
    written.set(name, file);
  }
  return file;
}

function withSourceMap(code: CodeToLoad, rootUrl: string): string {
  if (!code.sourceMap) return code.code;
  const map = { ...(JSON.parse(code.sourceMap) as object), sourceRoot: rootUrl };
  return `${code.code}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

/**
 * Always written, never trusted from an earlier process: a file of the same name has the same
 * text, and writing it again costs less than reading it to compare. Written under a temporary
 * name and renamed, so a process importing it never reads half a file.
 */
async function writeAtomically(file: string, text: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
  return file;
}
