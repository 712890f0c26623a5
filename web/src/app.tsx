/**
 * The console's shell once signed in: a skip link, the header (user, sign out), the navigation of
 * the registered pages (pages/registry.ts), and the page of the current path, loaded on first visit.
 * Focus moves to the page's heading after each navigation, so keyboard and screen-reader users
 * land on the new page.
 */
import { lazy, Suspense, useEffect, useMemo, useRef, type ComponentType, type LazyExoticComponent } from 'react';
import { ConsoleContext, type ConsoleServices } from './context.ts';
import { PAGES, type PageDef, type PageProps } from './pages/registry.ts';
import { Link, matchPath, useLocation } from './router.tsx';
import { ToastProvider } from './components/toasts.tsx';

const loaded = new Map<PageDef, LazyExoticComponent<ComponentType<PageProps>>>();
function componentOf(def: PageDef) {
  let c = loaded.get(def);
  if (!c) loaded.set(def, (c = lazy(def.load)));
  return c;
}

/** The page whose pattern matches `path`, with its parameters. */
export function routeOf(path: string): { def: PageDef; params: Record<string, string> } | null {
  for (const def of PAGES) {
    const params = matchPath(def.path, path);
    if (params) return { def, params };
  }
  return null;
}

/** The signed-in console. */
export function App({ services }: { services: ConsoleServices }) {
  const { path, query } = useLocation();
  const route = useMemo(() => routeOf(path), [path]);
  const main = useRef<HTMLElement>(null);
  const user = services.session.user;
  const first = useRef(true);

  useEffect(() => {
    document.title = `${route?.def.title ?? 'Not found'} · Palisade`;
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path, route]);

  const Page = route ? componentOf(route.def) : null;
  const section = route?.def.path.split('/')[0] ?? '';
  return (
    <ConsoleContext.Provider value={services}>
      <ToastProvider>
        <a className="skip" href="#main">Skip to content</a>
        <header className="top">
          <span className="brand">Palisade</span>
          <span className="spacer" />
          <span className="user" title={user?.userName}>{user?.name ?? ''}</span>
          <button type="button" onClick={() => services.session.signOut()}>Sign out</button>
        </header>
        <div className="body">
          <nav className="side" aria-label="Main">
            <ul>
              {PAGES.filter((p) => p.nav && services.session.can(...(p.requires ?? []))).map((p) => (
                <li key={p.path}>
                  <Link to={p.path} aria-current={p.path.split('/')[0] === section ? 'page' : undefined}>{p.title}</Link>
                </li>
              ))}
            </ul>
          </nav>
          <main id="main" ref={main} tabIndex={-1}>
            <Suspense fallback={<p className="muted">Loading…</p>}>
              {Page && route ? <Page key={path} params={route.params} query={query} /> : (
                <>
                  <h1>Page not found</h1>
                  <p>The console has no page at this address. <Link to="">Go to the dashboard</Link>.</p>
                </>
              )}
            </Suspense>
          </main>
        </div>
      </ToastProvider>
    </ConsoleContext.Provider>
  );
}
