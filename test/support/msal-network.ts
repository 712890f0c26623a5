/**
 * What the MSAL client tests share: MSAL for Node's network client trusting the test server's private
 * CA (MSAL has no option for a CA, so its INetworkModule is replaced), and a GET with a bearer token
 * against that server.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import https from 'node:https';

/** An MSAL network client that trusts `ca` (PEM) and otherwise does what MSAL's own does. */
export function caNetworkClient(ca: string): INetworkModule {
  const send = <T>(method: string, url: string, options?: NetworkRequestOptions) =>
    new Promise<NetworkResponse<T>>((resolve, reject) => {
      const body = options?.body;
      const req = https.request(url, { method, ca, headers: { ...(options?.headers ?? {}), ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
          resolve({ headers, body: JSON.parse(data) as T, status: res.statusCode ?? 0 });
        });
      });
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
  return { sendGetRequestAsync: (u, o) => send('GET', u, o), sendPostRequestAsync: (u, o) => send('POST', u, o) };
}

/** GETs `url` with the bearer token, trusting `ca`; the status and the parsed JSON body. */
export function getJson(url: string, ca: string, token: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let d = '';
      res.on('data', (c) => (d += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(d) }));
    }).on('error', reject);
  });
}
