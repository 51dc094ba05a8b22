/** Loading, empty and error states, and the toasts that confirm an action. */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api.ts';
import { Link } from '../router.tsx';

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function ErrorNote({ error, what }: { error: ApiError | Error; what?: string }) {
  return (
    <div class="error-note" role="alert">
      <strong>{what ? `Could not load ${what}` : 'That did not work'}:</strong> {error.message}
    </div>
  );
}

/** The answer a page shows before it has its data: loading, or the error that stopped it. */
export function Pending({ error, what }: { error: ApiError | undefined; what: string }) {
  return error ? <ErrorNote error={error} what={what} /> : <Loading what={what} />;
}

export interface Toast {
  id: number;
  kind: 'success' | 'error';
  text: string;
  link?: { href: string; label: string };
}

let nextId = 1;
let toasts: Toast[] = [];
const listeners = new Set<(toasts: Toast[]) => void>();

export function toast(kind: Toast['kind'], text: string, link?: Toast['link']): void {
  const id = nextId++;
  toasts = [...toasts, { id, kind, text, link }].slice(-4);
  listeners.forEach((l) => l(toasts));
  window.setTimeout(() => dismiss(id), kind === 'error' ? 10_000 : 6_000);
}

function dismiss(id: number): void {
  toasts = toasts.filter((t) => t.id !== id);
  listeners.forEach((l) => l(toasts));
}

export function Toasts() {
  const [items, setItems] = useState(toasts);
  useEffect(() => {
    listeners.add(setItems);
    return () => listeners.delete(setItems);
  }, []);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} class={`toast ${t.kind}`}>
          <span>{t.text}</span>
          {t.link && <Link href={t.link.href}>{t.link.label}</Link>}
          <button type="button" class="icon" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
