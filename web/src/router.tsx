/**
 * The console's own small router over the History API: paths under `/console/`, patterns with
 * `:name` parameters, links that navigate without reloading, and the query string as page state
 * (filters, paging) so a view can be bookmarked and reloaded.
 */
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/** The prefix the console is served under. */
export const BASE = '/console/';

/** The app-relative path of the current location (`devices/abc`, '' for the dashboard). */
export function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return p.replace(/\/+$/, '');
}

/** The parameters `pattern` (`devices/:id`) takes from `path`, or null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  if (ps.length !== xs.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    if (ps[i].startsWith(':')) {
      try {
        params[ps[i].slice(1)] = decodeURIComponent(xs[i]);
      } catch {
        return null;
      }
    } else if (ps[i].toLowerCase() !== xs[i].toLowerCase()) return null;
  }
  return params;
}

/** Goes to `to` (app-relative, may carry a query), adding a history entry unless `replace`. */
export function navigate(to: string, replace = false): void {
  const url = BASE + to.replace(/^\/+/, '');
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event('palisade:navigate'));
}

/** Re-renders on every navigation; returns the app-relative path and the query. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, tick] = useState(0);
  useEffect(() => {
    const on = () => tick((n) => n + 1);
    window.addEventListener('popstate', on);
    window.addEventListener('palisade:navigate', on);
    return () => {
      window.removeEventListener('popstate', on);
      window.removeEventListener('palisade:navigate', on);
    };
  }, []);
  return { path: currentPath(), query: new URLSearchParams(location.search) };
}

/** Replaces the query string of the current page (page state such as filters), keeping the path. */
export function setQuery(values: Record<string, string | number | null | undefined>): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) {
    if (v === null || v === undefined || v === '') q.delete(k);
    else q.set(k, String(v));
  }
  const s = q.toString();
  navigate(currentPath() + (s ? `?${s}` : ''), true);
}

/** A link to an app-relative path that navigates in place (a new tab on ctrl/cmd/middle click). */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a {...rest} href={BASE + to.replace(/^\/+/, '')} onClick={onClick} />;
}
