/**
 * What every page reaches through React context: the API client and the session of the signed-in
 * user. Pages call `useApi()`; only the shell creates them.
 */
import { createContext, useContext } from 'react';
import type { ApiClient } from './api/client.ts';
import type { Session } from './auth/session.ts';

/** The signed-in console's services. */
export interface ConsoleServices {
  api: ApiClient;
  session: Session;
}

/** Provided by the shell (app.tsx). */
export const ConsoleContext = createContext<ConsoleServices | null>(null);

function services(): ConsoleServices {
  const s = useContext(ConsoleContext);
  if (!s) throw new Error('The console context is missing: render pages inside <App>');
  return s;
}

/** The API client of the signed-in user. */
export function useApi(): ApiClient {
  return services().api;
}

/** The session (user name, tenant, sign out). */
export function useSession(): Session {
  return services().session;
}

/** Whether the signed-in user holds any of `permissions` (delegated names, e.g. `Machine.Isolate`). */
export function useCan(): (...permissions: readonly string[]) => boolean {
  const session = services().session;
  return (...permissions) => session.can(...permissions);
}
