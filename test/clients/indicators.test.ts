/**
 * The indicator request sequences of the MDE clients that manage indicators (reference clients.md),
 * replayed through the app with each request as the client's HTTP library puts it on the wire, and
 * every field the client reads checked.
 *
 * - Cortex XSOAR (Python `requests`, `params={'$top': limit}` → `%24top=`): list, submit, import,
 *   delete (expects 204); a 404 on the list would be read as "no indicators".
 * - Splunk SOAR (Python `requests` with the query written into the URL: `requote_uri` keeps `$` and
 *   `'` and turns spaces into `%20`; `Content-Type: application/json` on every request, GET and
 *   DELETE included, with no body): list with `$top` and `$filter`, submit (reads `id`), get by id,
 *   update through `/indicators/import` (reads `value[]`), delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let token: string;

beforeAll(async () => {
  h = await startHarness();
  token = await h.token(['Ti.ReadWrite.All']);
});
afterAll(async () => h?.close());

function send(method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, body?: string) {
  return h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, host: 'api.securitycenter.microsoft.com', ...headers }, payload: body });
}

describe('Cortex XSOAR (MicrosoftDefenderAdvancedThreatProtection)', () => {
  const json = { 'content-type': 'application/json', 'user-agent': 'python-requests/2.31.0' };
  it('lists, submits, imports and deletes', async () => {
    const empty = await send('GET', '/api/indicators?%24top=50', { 'user-agent': json['user-agent'] });
    expect(empty.statusCode).toBe(200);
    expect(empty.json().value).toEqual([]);

    const created = await send('POST', '/api/indicators', json, JSON.stringify({
      indicatorValue: '220e7d15b011d7fac48f2bd61114db1022197f7f', indicatorType: 'FileSha1', action: 'AlertAndBlock', title: 'xsoar', description: 'from a playbook',
      severity: 'High', expirationTime: '2099-01-01T00:00:00Z', rbacGroupNames: [],
    }));
    expect(created.statusCode, created.body).toBe(200);
    const c = created.json();
    // XSOAR keeps every non-null field and maps severity by name
    for (const k of ['id', 'indicatorValue', 'indicatorType', 'action', 'severity', 'title', 'description']) expect(c[k], k).not.toBeNull();

    const batch = await send('POST', '/api/indicators/import', json, JSON.stringify({ Indicators: [
      { indicatorValue: '2233223322332233223322332233223322332233223322332233223322332222', indicatorType: 'FileSha256', action: 'Audit', title: 'xsoar batch', description: 'batch', severity: 'Low', generateAlert: true },
      { indicatorValue: 'evil.example.com', indicatorType: 'DomainName', action: 'Block', title: 'xsoar batch', description: 'batch' },
    ] }));
    expect(batch.statusCode, batch.body).toBe(200);
    expect(batch.json().value.map((v: { isFailed: boolean }) => v.isFailed)).toEqual([false, false]);

    const listed = await send('GET', '/api/indicators?%24top=50', { 'user-agent': json['user-agent'] });
    const items = listed.json().value as Record<string, unknown>[];
    expect(items).toHaveLength(3);
    for (const i of items) for (const k of ['id', 'action', 'indicatorValue', 'indicatorType', 'severity', 'title', 'description']) expect(i[k], k).toBeDefined();

    const del = await send('DELETE', `/api/indicators/${c.id}`, { 'user-agent': json['user-agent'] });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
  });
});

describe('Splunk SOAR (windowsdefenderatp)', () => {
  const json = { 'content-type': 'application/json', accept: 'application/json' };
  it('lists with $top and $filter, submits, gets, updates through import and deletes', async () => {
    const submitted = await send('POST', '/api/indicators', json, JSON.stringify({
      indicatorValue: '8.8.4.4', indicatorType: 'IpAddress', title: 'splunk', action: 'Alert', description: 'from splunk', generateAlert: false,
      expirationTime: '2099-10-17T00:00:00Z', rbacGroupNames: [], severity: 'Medium',
    }));
    // Alert is the legacy Audit: it raises alerts, so generateAlert false is refused as MDE refuses it
    expect(submitted.statusCode).toBe(400);
    expect(submitted.json().error.code).toBe('InvalidRequestBody');
    const ok = await send('POST', '/api/indicators', json, JSON.stringify({
      indicatorValue: '8.8.4.4', indicatorType: 'IpAddress', title: 'splunk', action: 'Allowed', description: 'from splunk', generateAlert: false, severity: 'Medium',
    }));
    expect(ok.statusCode, ok.body).toBe(200);
    const id = ok.json().id as string;
    expect(id).toMatch(/^\d+$/);

    const listed = await send('GET', "/api/indicators?$top=100&$filter=indicatorType%20eq%20'IpAddress'", json);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().value.map((i: { id: string }) => i.id)).toEqual([id]);

    const got = await send('GET', `/api/indicators/${id}`, json);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toMatchObject({ id, indicatorValue: '8.8.4.4', action: 'Allowed' });

    const updated = await send('POST', '/api/indicators/import', json, JSON.stringify({ Indicators: [{
      indicatorValue: '8.8.4.4', indicatorType: 'IpAddress', action: 'Block', description: 'now blocked', title: 'splunk', severity: 'High', expirationTime: '2099-10-17T00:00:00Z',
    }] }));
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json().value).toEqual([{ id, indicator: '8.8.4.4', isFailed: false, failureReason: null }]);

    const del = await send('DELETE', `/api/indicators/${id}`, json);
    expect(del.statusCode).toBe(204);
    const gone = await send('GET', `/api/indicators/${id}`, json);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('ResourceNotFound');
  });
});
