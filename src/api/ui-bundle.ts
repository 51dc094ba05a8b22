/**
 * The web UI is TypeScript (Preact) under ui/src, bundled by esbuild in memory the first time the
 * webserver needs it: no build step between `npm install` and `npm start`, nothing generated on
 * disk, and the bundle always matches the source it is served from.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../ui/src/main.tsx', import.meta.url));

export interface UiAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface UiBundle {
  /** Keyed by the URL path the asset is served at. */
  assets: Map<string, UiAsset>;
}

let pending: Promise<UiBundle> | undefined;

/** The bundle, built once per process; a failed build is retried on the next call. */
export function uiBundle(): Promise<UiBundle> {
  pending ??= buildUi().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function buildUi(): Promise<UiBundle> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    write: false,
    outfile: 'assets/app.js',
    absWorkingDir: fileURLToPath(new URL('../../', import.meta.url)),
    logLevel: 'silent',
    legalComments: 'none',
  });
  const assets = new Map<string, UiAsset>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const body = Buffer.from(file.contents);
    assets.set(`/assets/${name}`, {
      body,
      contentType: name.endsWith('.map') ? 'application/json; charset=utf-8' : 'text/javascript; charset=utf-8',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    });
  }
  return { assets };
}
