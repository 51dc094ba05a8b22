/** Client-side navigation with the History API: real addresses that can be bookmarked and shared. */
import type { AnchorHTMLAttributes, ComponentChildren, TargetedMouseEvent } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', notify);

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
  if (!options.replace) window.scrollTo(0, 0);
}

export interface Location {
  path: string;
  search: URLSearchParams;
}

export function useLocation(): Location {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

/**
 * A query parameter as page state (filters, the selected run): kept in the address so a reload or
 * a shared link shows the same thing. Setting it replaces the history entry.
 */
export function useSearchParam(name: string): [string | null, (value: string | null) => void] {
  const { search } = useLocation();
  const set = useCallback(
    (value: string | null) => {
      const params = new URLSearchParams(location.search);
      if (value === null || value === '') params.delete(name);
      else params.set(name, value);
      const text = params.toString();
      navigate(`${location.pathname}${text ? `?${text}` : ''}`, { replace: true });
    },
    [name],
  );
  return [search.get(name), set];
}

type AnchorProps = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren };

/** An ordinary link (middle-click and copy work) that navigates in place on a plain click. */
export function Link({ href, onClick, ...rest }: AnchorProps) {
  const handle = (event: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (typeof onClick === 'function') onClick(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
