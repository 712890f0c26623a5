/**
 * The console's API client: every call to `/api/…` with the signed-in user's bearer token (refreshed
 * and retried once on 401), MDE's error shape turned into `ApiError`, and OData lists paged on the
 * server (`$top`/`$skip`/`$filter`/`$orderby`, `$count=true` for the total), never loaded whole.
 */
import type { Session } from '../auth/session.ts';

/**
 * An error the API answered: its HTTP status, MDE error code and message, and the whole `error`
 * object (`details`), which may say more (a hunting query's `line` and `column`).
 */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
  }
}

/** One page of an OData list. */
export interface Page<T> {
  items: T[];
  /** The number of items the filter matches, when the server counted them. */
  total: number | null;
}

/** The OData options of one page. */
export interface ListOptions {
  top: number;
  skip?: number;
  filter?: string;
  orderby?: string;
  count?: boolean;
  /** Other query parameters the route takes. */
  extra?: Record<string, string>;
}

/** The query string of `o`, OData options first. */
export function listQuery(o: ListOptions): string {
  const q = new URLSearchParams();
  q.set('$top', String(o.top));
  if (o.skip) q.set('$skip', String(o.skip));
  if (o.filter) q.set('$filter', o.filter);
  if (o.orderby) q.set('$orderby', o.orderby);
  if (o.count !== false) q.set('$count', 'true');
  for (const [k, v] of Object.entries(o.extra ?? {})) q.set(k, v);
  return q.toString();
}

/** Calls the API as the signed-in user. */
export class ApiClient {
  constructor(private readonly session: Session, private readonly onSignedOut: () => void) {}

  /** Sends one request; resolves with the parsed JSON body (undefined for an empty one), throws ApiError. */
  async request<T>(method: string, path: string, body?: unknown, init: { signal?: AbortSignal; raw?: boolean; contentType?: string } = {}): Promise<T> {
    const send = async () => {
      const token = await this.session.accessToken();
      if (!token) {
        this.onSignedOut();
        throw new ApiError(401, 'Unauthorized', 'You are signed out.');
      }
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
      let payload: BodyInit | undefined;
      if (body instanceof Blob || typeof body === 'string') {
        payload = body;
        if (init.contentType) headers['content-type'] = init.contentType;
      } else if (body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] = 'application/json';
      }
      return fetch(path, { method, headers, body: payload, signal: init.signal });
    };
    let res = await send();
    if (res.status === 401 && (await this.session.refresh())) res = await send();
    if (res.status === 401) this.onSignedOut();
    if (!res.ok) {
      const err = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } & Record<string, unknown> } | null;
      throw new ApiError(res.status, err?.error?.code ?? `HTTP${res.status}`, err?.error?.message ?? `The server answered ${res.status} ${res.statusText}`, err?.error ?? {});
    }
    if (init.raw) return res as unknown as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, undefined, { signal });
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }

  /** One page of the OData list at `path` (e.g. `/api/machines`). */
  async list<T>(path: string, o: ListOptions, signal?: AbortSignal): Promise<Page<T>> {
    const body = await this.get<{ value: T[]; '@odata.count'?: number }>(`${path}?${listQuery(o)}`, signal);
    return { items: body.value ?? [], total: body['@odata.count'] ?? null };
  }
}
