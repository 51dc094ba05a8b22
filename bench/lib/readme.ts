import { readFile, writeFile } from 'node:fs/promises';
import { README } from './paths.ts';

const SECTION = '## Latest results';

export interface ReadmeResults {
  header: string;
  table: string;
  summary: string;
  concurrency: number;
  wallTimeS: number;
}

/** Replaces the "Latest results" section of bench/README.md (it is the last section), keeping the rest. */
export async function writeReadmeResults(results: ReadmeResults): Promise<void> {
  const current = await readFile(README, 'utf8').catch(() => '# Sluice benchmarks\n');
  const at = current.indexOf(`\n${SECTION}`);
  const before = at === -1 ? current.trimEnd() : current.slice(0, at).trimEnd();
  const section = [
    SECTION,
    '',
    'Written by the last full `npm run bench`; do not edit by hand.',
    '',
    '```',
    results.header,
    `Workers: 2 processes × --concurrency ${results.concurrency}   Bench wall time: ${results.wallTimeS.toFixed(0)} s`,
    '```',
    '',
    results.table,
    '',
    results.summary,
    '',
  ].join('\n');
  await writeFile(README, `${before}\n\n${section}`);
}
