/**
 * Saved hunting queries over the API (`/api/advancedqueries/saved`): each person keeps their own
 * queries, which nobody else sees; shared ones are the team's, which anyone who hunts may change or
 * delete; names are unique per person; tenants never see each other's; bad bodies get MDE's error;
 * every change is in the audit log with who made it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SAVED_QUERIES_PER_OWNER } from '../../src/domain/saved-query.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { userWithToken } from '../support/user-tokens.ts';

let h: Harness;
let alice: string;
let bob: string;
let noHunting: string;
const URL = '/api/advancedqueries/saved';

beforeAll(async () => {
  h = await startHarness();
  await h.palisade.settings.roles.create(h.operator(), { name: 'Hunters', permissions: ['viewData.securityOperations'], deviceGroups: 'all' });
  alice = (await userWithToken(h.state, h.tenantId, 'alice@contoso.com', ['Hunters'])).token;
  bob = (await userWithToken(h.state, h.tenantId, 'bob@contoso.com', ['Hunters'])).token;
  noHunting = await h.token(['Machine.Read.All']);
});
afterAll(async () => h?.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, body?: unknown) =>
  h.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, payload: body === undefined ? undefined : JSON.stringify(body) });
const names = async (token: string) => ((await call('GET', URL, token)).json() as { value: { name: string; mine: boolean; ownerName: string }[] }).value;

describe('saved hunting queries', () => {
  it("keep one's own queries to oneself and share the shared ones, with who saved them", async () => {
    const mine = await call('POST', URL, alice, { name: 'Alice private', query: 'DeviceInfo | take 5' });
    expect(mine.statusCode, mine.body).toBe(201);
    const shared = await call('POST', URL, alice, { name: 'Team: encoded PowerShell', query: 'DeviceProcessEvents | where ProcessCommandLine has "-enc"', shared: true });
    expect(shared.statusCode).toBe(201);
    expect(shared.json()).toMatchObject({ name: 'Team: encoded PowerShell', shared: true, mine: true, ownerName: 'alice@contoso.com' });
    expect(await names(alice)).toEqual([
      expect.objectContaining({ name: 'Alice private', mine: true }),
      expect.objectContaining({ name: 'Team: encoded PowerShell', mine: true }),
    ]);
    expect(await names(bob)).toEqual([expect.objectContaining({ name: 'Team: encoded PowerShell', mine: false, ownerName: 'alice@contoso.com' })]);
    // someone else's own query is not there for bob, whatever he does with it
    const id = mine.json().id as string;
    for (const [m, body] of [['GET', undefined], ['PATCH', { name: 'taken' }], ['DELETE', undefined]] as const) {
      const res = await call(m, `${URL}/${id}`, bob, body);
      expect(res.statusCode, `${m} ${res.body}`).toBe(404);
      expect(res.json().error.code).toBe('ResourceNotFound');
    }
    expect((await call('GET', `${URL}/${id}`, alice)).json().query).toBe('DeviceInfo | take 5');
  });

  it('let anyone who hunts change, unshare or delete a shared query, and audit who did', async () => {
    const made = await call('POST', URL, alice, { name: 'Team query', query: 'DeviceInfo', shared: true });
    const id = made.json().id as string;
    const changed = await call('PATCH', `${URL}/${id}`, bob, { query: 'DeviceInfo | take 1' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ query: 'DeviceInfo | take 1', ownerName: 'alice@contoso.com', mine: false });
    expect((await call('DELETE', `${URL}/${id}`, bob)).statusCode).toBe(204);
    expect((await call('GET', `${URL}/${id}`, alice)).statusCode).toBe(404);
    const records = await h.state.audit.list(h.tenantId, 1000);
    expect(records.filter((r) => r.target === id).map((r) => `${r.action} ${r.actorName}`).sort()).toEqual(['savedQuery.delete bob@contoso.com', 'savedQuery.update bob@contoso.com']);
  });

  it('keep names unique per person, in any case; two people may use the same name', async () => {
    expect((await call('POST', URL, alice, { name: 'Lateral movement', query: 'DeviceLogonEvents' })).statusCode).toBe(201);
    const again = await call('POST', URL, alice, { name: '  LATERAL movement ', query: 'DeviceLogonEvents | take 1' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('Conflict');
    expect((await call('POST', URL, bob, { name: 'Lateral movement', query: 'DeviceLogonEvents' })).statusCode).toBe(201);
  });

  it('answer bad bodies with 400 in MDE error format, and callers who may not hunt with 403', async () => {
    for (const body of [
      { name: '', query: 'DeviceInfo' },
      { name: '   ', query: 'DeviceInfo' },
      { name: 'x'.repeat(201), query: 'DeviceInfo' },
      { name: 'tab\there', query: 'DeviceInfo' },
      { name: 'no query', query: '  ' },
      { name: 'shared as text', query: 'DeviceInfo', shared: 'yes' },
      { name: 'huge', query: 'x'.repeat(100_001) },
      { query: 'DeviceInfo' },
      ['not', 'an', 'object'],
    ]) {
      const res = await call('POST', URL, alice, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json().error.code).toMatch(/^(InvalidRequestBody|BadRequest|MissingRequiredParameter|InvalidInput)$/);
    }
    expect((await call('GET', URL, noHunting)).statusCode).toBe(403);
    expect((await call('POST', URL, noHunting, { name: 'n', query: 'DeviceInfo' })).statusCode).toBe(403);
  });

  it(`refuse a query more than the most one person keeps (${MAX_SAVED_QUERIES_PER_OWNER})`, async () => {
    const carol = (await userWithToken(h.state, h.tenantId, 'carol@contoso.com', ['Hunters'])).token;
    const now = new Date().toISOString();
    const carolId = (await h.state.users.getByUpn(h.tenantId, 'carol@contoso.com'))!.id;
    for (let i = 0; i < MAX_SAVED_QUERIES_PER_OWNER; i++) {
      await h.state.savedQueries.insert({ tenantId: h.tenantId, id: `carol-${i}`, name: `q${i}`, query: 'DeviceInfo', shared: false, ownerId: carolId, ownerName: 'carol@contoso.com', createdAt: now, updatedAt: now });
    }
    const res = await call('POST', URL, carol, { name: 'one too many', query: 'DeviceInfo' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain(String(MAX_SAVED_QUERIES_PER_OWNER));
  });

  it("never show one tenant another's queries", async () => {
    const other = await h.newTenant('Elsewhere');
    const otherToken = await h.token(['AdvancedQuery.Read.All'], other.id);
    const made = await call('POST', URL, alice, { name: 'Only here', query: 'DeviceInfo', shared: true });
    expect((await names(otherToken)).map((q) => q.name)).not.toContain('Only here');
    expect((await call('GET', `${URL}/${made.json().id}`, otherToken)).statusCode).toBe(404);
    expect((await call('DELETE', `${URL}/${made.json().id}`, otherToken)).statusCode).toBe(404);
  });
});
