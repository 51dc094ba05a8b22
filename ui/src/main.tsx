/** The Sluice web UI: a single page that talks only to the REST API under /api/v1. */
import { render } from 'preact';
import { App } from './app.tsx';

const root = document.getElementById('app')!;
root.replaceChildren(); // the "Loading Sluice…" shown before the script ran
render(<App />, root);
