import { describe, expect, it } from 'vitest';
import { browserQueriesKey, moveBrowserQueries, saveQuery, type KeyValueStorage, type SavedQuery, type SavedQueryApi } from './saved-queries.ts';

/** An API that records each request and answers POST and PATCH with the query they name. */
function recording(): SavedQueryApi & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    request: (async (method: string, path: string, body?: unknown) => {
      calls.push(`${method} ${path} ${JSON.stringify(body)}`);
      const b = body as { name: string; query: string; shared: boolean };
      return { id: path.split('/').pop(), ...b, ownerName: 'me', mine: true, updatedAt: 'now' };
    }) as SavedQueryApi['request'],
  };
}

const q = (over: Partial<SavedQuery>): SavedQuery => ({ id: 'id', name: 'n', query: 'T', shared: false, ownerName: 'me', mine: true, updatedAt: 'x', ...over });

function memory(entries: Record<string, string>): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map(Object.entries(entries));
  return { data, getItem: (k) => data.get(k) ?? null, removeItem: (k) => void data.delete(k) };
}

describe('saveQuery', () => {
  it('saves over the own query of that name in any case, else makes a new one', async () => {
    const api = recording();
    await saveQuery(api, [q({ id: 'a1', name: 'Logons' })], ' logons ', 'DeviceLogonEvents', false);
    await saveQuery(api, [q({ id: 'a1', name: 'Logons' })], 'Processes', 'DeviceProcessEvents', true);
    // a shared query of someone else with the name, saved as one's own: a new own query
    await saveQuery(api, [q({ id: 's1', name: 'Team', shared: true, mine: false })], 'team', 'T', false);
    await saveQuery(api, [q({ id: 's1', name: 'Team', shared: true, mine: false })], 'team', 'T2', true);
    expect(api.calls).toEqual([
      'PATCH /api/advancedqueries/saved/a1 {"name":"logons","query":"DeviceLogonEvents","shared":false}',
      'POST /api/advancedqueries/saved {"name":"Processes","query":"DeviceProcessEvents","shared":true}',
      'POST /api/advancedqueries/saved {"name":"team","query":"T","shared":false}',
      'PATCH /api/advancedqueries/saved/s1 {"name":"team","query":"T2","shared":true}',
    ]);
  });
});

describe('moveBrowserQueries', () => {
  it("moves an earlier console's queries to the server once, skipping names already there and damaged entries", async () => {
    const key = browserQueriesKey('t1', 'alice@contoso.com');
    const storage = memory({ [key]: JSON.stringify([{ id: '1', name: 'Logons', query: 'DeviceLogonEvents' }, { name: 'Kept', query: 'DeviceInfo' }, { id: 2 }, { name: ' ', query: 'x' }]) });
    const api = recording();
    expect(await moveBrowserQueries(api, storage, key, [q({ name: 'logons' })])).toBe(1);
    expect(api.calls).toEqual(['POST /api/advancedqueries/saved {"name":"Kept","query":"DeviceInfo","shared":false}']);
    expect(storage.data.has(key)).toBe(false);
    expect(await moveBrowserQueries(api, storage, key, [])).toBe(0);
    storage.data.set(key, '{not json');
    expect(await moveBrowserQueries(api, storage, key, [])).toBe(0);
    expect(storage.data.has(key)).toBe(false);
  });
});
