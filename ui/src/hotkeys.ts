/**
 * Keyboard shortcuts. Global ones are handled here; a page offers its own by marking a button
 * with `data-hotkey="t"`, which the key then clicks (so the shortcut and the button cannot drift).
 */
import { useEffect, useRef } from 'preact/hooks';

export const SHORTCUTS: [keys: string, what: string][] = [
  ['/', 'Search DAGs'],
  ['g d', 'Go to DAGs'],
  ['g b', 'Go to backfills'],
  ['g a', 'Go to assets'],
  ['g p', 'Go to pools'],
  ['g l', 'Go to the audit log'],
  ['g c', 'Go to connections'],
  ['g v', 'Go to variables'],
  ['t', 'Trigger this DAG'],
  ['b', 'Backfill this DAG'],
  ['1 2 3 4 5 6 7 8', 'DAG tabs: grid, graph, runs, backfills, details, code, task duration, audit log'],
  ['1 2', 'Run tabs: task instances, Gantt'],
  ['← ↑ → ↓', 'Move in the grid, the Gantt chart or the task-duration chart; Enter opens the task instance'],
  ['Enter Space', 'On a task group (graph, grid): collapse or expand it'],
  ['Esc', 'Close a dialog'],
  ['?', 'This list'],
];

interface Handlers {
  help: () => void;
  goDags: () => void;
  goBackfills: () => void;
  goAssets: () => void;
  goPools: () => void;
  goAudit: () => void;
  goConnections: () => void;
  goVariables: () => void;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export function useHotkeys(handlers: Handlers): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    let pendingG = 0;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const key = event.key;
      if (pendingG && Date.now() - pendingG < 1500) {
        pendingG = 0;
        if (key === 'd') ref.current.goDags();
        else if (key === 'b') ref.current.goBackfills();
        else if (key === 'a') ref.current.goAssets();
        else if (key === 'p') ref.current.goPools();
        else if (key === 'l') ref.current.goAudit();
        else if (key === 'c') ref.current.goConnections();
        else if (key === 'v') ref.current.goVariables();
        else return;
        event.preventDefault();
        return;
      }
      if (key === 'g') {
        pendingG = Date.now();
        return;
      }
      if (key === '?') {
        event.preventDefault();
        ref.current.help();
        return;
      }
      if (key === '/') {
        const search = document.querySelector<HTMLInputElement>('[data-hotkey-search]');
        if (search) {
          event.preventDefault();
          search.focus();
          search.select();
        }
        return;
      }
      const target = document.querySelector<HTMLElement>(`[data-hotkey="${CSS.escape(key)}"]`);
      if (target) {
        event.preventDefault();
        target.click();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
