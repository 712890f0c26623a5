/**
 * Stored roles reach the bearer check (compose.ts wires the stored RoleLookup): a signed-in user's
 * token is scoped by the roles the store says the user holds, over their device groups; a change of
 * roles made through the services of the same process applies at the next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.ts';
import { userWithToken } from '../support/user-tokens.ts';

let h: Harness;
let user: { id: string; token: string };
const ids: Record<string, string> = {};

beforeAll(async () => {
  h = await startHarness();
  const groups = h.palisade.settings.deviceGroups;
  await groups.create(h.operator(), { name: 'Paris', rule: { tags: ['paris'] } });
  for (const [name, tags] of [['paris-1', ['paris']], ['tokyo-1', ['tokyo']]] as const) {
    const d = await h.addDevice({ computerDnsName: name, machineTags: [...tags] });
    ids[name] = d.id;
  }
  await groups.create(h.operator(), { name: 'Tokyo', rule: { tags: ['tokyo'] } });
  await h.palisade.settings.roles.create(h.operator(), { name: 'Paris readers', permissions: ['viewData.securityOperations'], deviceGroups: [1] });
  user = await userWithToken(h.state, h.tenantId, 'reader@contoso.com', ['Paris readers']);
});
afterAll(async () => h?.close());

const get = (url: string, token: string) => h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
const names = async (token: string) => ((await get('/api/machines', token)).json() as { value: { computerDnsName: string }[] }).value.map((m) => m.computerDnsName).sort();

describe('stored roles in user context', () => {
  it('scope a user token by the stored roles, and follow role and user changes at once', async () => {
    expect(await names(user.token)).toEqual(['paris-1']);
    expect((await get(`/api/machines/${ids['tokyo-1']}`, user.token)).statusCode).toBe(404);
    await h.palisade.settings.roles.update(h.operator(), 'paris readers', { deviceGroups: [1, 2] });
    expect(await names(user.token)).toEqual(['paris-1', 'tokyo-1']);
    await h.palisade.settings.users.update(h.operator(), user.id, { roles: [] });
    expect((await get('/api/machines', user.token)).statusCode).toBe(403);
    await h.palisade.settings.users.update(h.operator(), user.id, { roles: ['Palisade Administrator'] });
    expect(await names(user.token)).toEqual(['paris-1', 'tokyo-1']);
    await h.palisade.settings.users.disable(h.operator(), user.id);
    expect((await get('/api/machines', user.token)).statusCode).toBe(403);
  });
});
