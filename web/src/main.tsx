/**
 * The console's entry point: reads `/console/config.json`, asks for the tenant when the server has
 * several, completes or starts the sign-in (auth/session.ts), and renders the shell (app.tsx).
 */
import { StrictMode, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { ApiClient } from './api/client.ts';
import { Session, type ConsoleConfig } from './auth/session.ts';
import type { ConsoleServices } from './context.ts';
import './styles.css';

type Stage =
  | { kind: 'loading' }
  | { kind: 'tenant'; config: ConsoleConfig }
  | { kind: 'signedOut'; session: Session; error?: string }
  | { kind: 'ready'; services: ConsoleServices };

async function start(config: ConsoleConfig, tenantId: string, setStage: (s: Stage) => void): Promise<void> {
  const session = new Session(config, tenantId);
  const api = new ApiClient(session, () => setStage({ kind: 'signedOut', session }));
  session.subscribe(() => {
    if (!session.signedIn) setStage({ kind: 'signedOut', session });
  });
  try {
    const back = await session.completeSignIn();
    if (back) history.replaceState(null, '', back);
  } catch (e) {
    setStage({ kind: 'signedOut', session, error: e instanceof Error ? e.message : String(e) });
    return;
  }
  if (session.signedIn) setStage({ kind: 'ready', services: { api, session } });
  else if (Session.signedOut()) setStage({ kind: 'signedOut', session });
  else await session.signIn();
}

function Root() {
  const [stage, setStage] = useState<Stage>({ kind: 'loading' });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    (async () => {
      const res = await fetch('/console/config.json');
      if (!res.ok) throw new Error(`The console's settings did not load (${res.status})`);
      const config = (await res.json()) as ConsoleConfig;
      const tenant = config.tenantId ?? Session.rememberedTenant();
      if (!tenant) setStage({ kind: 'tenant', config });
      else await start(config, tenant, setStage);
    })().catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);

  if (error) return <Notice title="Palisade">{<p role="alert">{error}</p>}</Notice>;
  switch (stage.kind) {
    case 'loading':
      return <Notice title="Palisade"><p>Loading…</p></Notice>;
    case 'tenant':
      return <TenantForm onSubmit={(t) => void start(stage.config, t, setStage)} />;
    case 'signedOut':
      return (
        <Notice title="Palisade">
          {stage.error ? <p role="alert" className="error">Sign-in failed: {stage.error}</p> : <p>You are signed out.</p>}
          <button type="button" className="primary" onClick={() => void stage.session.signIn('/console/')}>Sign in</button>
        </Notice>
      );
    case 'ready':
      return <App services={stage.services} />;
  }
}

function Notice({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="notice" id="main">
      <h1>{title}</h1>
      {children}
    </main>
  );
}

function TenantForm({ onSubmit }: { onSubmit: (tenantId: string) => void }) {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onSubmit(value.trim().toLowerCase());
  };
  return (
    <Notice title="Palisade">
      <form onSubmit={submit}>
        <p>This server holds several tenants. Which one do you sign in to?</p>
        <label>
          <span>Tenant id</span>
          <input value={value} onChange={(e) => setValue(e.target.value)} required pattern="[0-9a-fA-F-]{36}" placeholder="00000000-0000-0000-0000-000000000000" />
        </label>
        <button type="submit" className="primary">Continue</button>
      </form>
    </Notice>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><Root /></StrictMode>);
