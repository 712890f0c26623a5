/**
 * The StateStore contract: one suite every state-store adapter must pass (DESIGN.md §3). Adapter
 * test files call `describeStateStoreContract` with a harness that hands out fresh store URLs.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/domain/alert.ts';
import { HEALTH_STATUSES, REVOKED_CREDENTIAL, SENSOR_HEALTH, type Device } from '../../src/domain/device.ts';
import { MACHINE } from '../../src/entities/machine.ts';
import { PalisadeError } from '../../src/domain/errors.ts';
import type { FilterExpr, FilterLiteral, ListQuery, OrderBy } from '../../src/domain/list-query.ts';
import type { DeviceScope, StateStore } from '../../src/domain/ports.ts';
import type { App, EnrollmentToken } from '../../src/domain/tenant.ts';
import type { Indicator } from '../../src/domain/indicator.ts';
import { openStateStore } from '../../src/store/state/open.ts';
import { describeDetectionRuleContract } from './detection-rules.contract.ts';
import { describeDeviceGroupContract } from './device-groups.contract.ts';
import { describeExternalIdpContract } from './external-idps.contract.ts';
import { describeLibraryFileContract } from './library-files.contract.ts';
import { describeActionContract } from './machine-actions.contract.ts';
import { describeRoleContract } from './roles.contract.ts';
import { describeSavedQueryContract } from './saved-queries.contract.ts';
import { describeSignInContract } from './sign-in.contract.ts';
import { describeSecretsContract } from './secrets.contract.ts';
import { describeUserContract } from './users.contract.ts';

/** What an adapter's test file provides. */
export interface StateStoreHarness {
  /** A URL (or path) of a fresh, empty store location; openStateStore(url) migrates it. */
  freshUrl(): Promise<string>;
  /** Releases whatever the harness started (servers, temp dirs). */
  dispose(): Promise<void>;
  /** The key file sealing the stores' secrets (openStateStore's --secrets-key); absent: openStateStore's default. */
  secretsKey?: string;
  /** Everything the store at `url` holds, as a dump or backup would (the database file's bytes, pg_dump's output). */
  dump(url: string): Promise<Buffer>;
  /** Runs one SQL statement on the store at `url` directly, not through the store (parameters `$1`, `$2`, … in order, each once). */
  rawSql(url: string, text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

/** A fresh store of a contract run: its URL, the open store, and how to open it again. */
export interface FreshStore {
  url: string;
  store: StateStore;
  reopen(): Promise<StateStore>;
}

/** Options of a contract run. */
export interface ContractOptions {
  /** When set, the whole suite is skipped and this reason is shown in the test name. */
  skipReason?: string;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2025-06-15T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/** A 40-hex device id from a short label (ids order like their labels). */
const devId = (label: string) => Buffer.from(label).toString('hex').padEnd(40, '0');

/** A complete device with defaults; `over` replaces fields. */
export function makeDevice(tenantId: string, label: string, over: Partial<Device> = {}): Device {
  return {
    tenantId,
    id: devId(label),
    computerDnsName: `${label}.example.com`,
    firstSeen: '2025-01-01T00:00:00.000Z',
    lastSeen: ago(HOUR),
    osPlatform: 'Windows11',
    osVersion: '10.0.22631',
    version: '23H2',
    osProcessor: 'x64',
    osArchitecture: '64-bit',
    osBuild: 22631,
    lastIpAddress: '10.0.0.1',
    lastExternalIpAddress: '203.0.113.7',
    agentVersion: '1.0.0',
    sensorHealth: 'Active',
    onboardingStatus: 'Onboarded',
    rbacGroupId: 0,
    rbacGroupName: null,
    riskScore: 'None',
    exposureLevel: 'None',
    deviceValue: 'Normal',
    aadDeviceId: null,
    isAadJoined: false,
    machineTags: [],
    ipAddresses: [],
    managedBy: 'Palisade',
    managedByStatus: 'Success',
    defenderAvStatus: 'Updated',
    credentialHash: `scrypt$16384$8$1$salt$${label}`,
    ...over,
  };
}

const q = (filter?: FilterExpr, more: Partial<ListQuery> = {}): ListQuery => ({ filter, top: 10_000, skip: 0, count: false, orderBy: [], ...more });
const cmp = (field: string, op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le', value: FilterLiteral): FilterExpr => ({ kind: 'cmp', op, field, value });
const not = (expr: FilterExpr): FilterExpr => ({ kind: 'not', expr });
const and = (left: FilterExpr, right: FilterExpr): FilterExpr => ({ kind: 'and', left, right });
const or = (left: FilterExpr, right: FilterExpr): FilterExpr => ({ kind: 'or', left, right });
const fn = (name: 'startswith' | 'endswith' | 'contains', field: string, value: string): FilterExpr => ({ kind: 'fn', name, field, value });
const inList = (field: string, values: FilterLiteral[]): FilterExpr => ({ kind: 'in', field, values });
const anyTag = (predicate: FilterExpr | null): FilterExpr => ({ kind: 'any', field: 'machineTags', predicate });

/** Creates a tenant with a unique id and returns the id. */
/** A realistic indicator record with overrides. */
export function makeIndicator(tenantId: string, id: string, over: Partial<Indicator> = {}): Indicator {
  return {
    tenantId, id, indicatorValue: id.padStart(40, '0'), indicatorType: 'FileSha1', action: 'Audit', createdBy: 'client-1', source: 'App', sourceType: 'AadApp',
    severity: 'High', application: null, educateUrl: null, title: `Indicator ${id}`, description: 'd', recommendedActions: 'r',
    creationTimeDateTimeUtc: '2025-06-01T00:00:00.000Z', expirationTime: null, lastUpdateTime: '2025-06-01T00:00:00.000Z', lastUpdatedBy: null,
    rbacGroupNames: ['Servers'], rbacGroupIds: ['7'], mitreTechniques: ['T1059'], generateAlert: true, createdByDisplayName: 'App', externalId: null,
    createdBySource: 'PublicApi', changeVersion: 1, deleted: false, ...over,
  };
}

async function newTenant(store: StateStore, name = 'Contoso'): Promise<string> {
  const id = randomUUID();
  await store.tenants.create({ id, name, createdAt: '2025-01-01T00:00:00.000Z' });
  return id;
}

async function expectPalisade(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(PalisadeError);
  expect((err as PalisadeError).code).toBe(code);
}

/** Declares the StateStore contract suite for one adapter. */
export function describeStateStoreContract(name: string, start: () => Promise<StateStoreHarness>, opts: ContractOptions = {}): void {
  const title = opts.skipReason ? `${name} state store contract (skipped: ${opts.skipReason})` : `${name} state store contract`;
  describe.skipIf(Boolean(opts.skipReason))(title, () => {
    let harness: StateStoreHarness;
    /** A store shared by tests that isolate themselves with fresh tenant ids. */
    let shared: StateStore;
    const opened: StateStore[] = [];

    const open = (url: string) => openStateStore(url, { secretsKey: harness.secretsKey });
    const fresh = async (): Promise<FreshStore> => {
      const url = await harness.freshUrl();
      const store = await open(url);
      opened.push(store);
      return { url, store, reopen: () => open(url) };
    };

    beforeAll(async () => {
      harness = await start();
      shared = (await fresh()).store;
    });

    afterAll(async () => {
      for (const s of opened) await s.close().catch(() => {});
      await harness?.dispose();
    });

    describe('lifecycle', () => {
      it('reports its kind', () => {
        expect(['sqlite', 'postgres']).toContain(shared.kind);
      });

      it('answers ping while open and refuses it once closed', async () => {
        const { store } = await fresh();
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await expect(store.ping()).rejects.toThrow();
      });

      it('migrate is idempotent and keeps data', async () => {
        const { store, reopen } = await fresh();
        await store.tenants.create({ id: 't1', name: 'One', createdAt: '2025-01-01T00:00:00.000Z' });
        await store.migrate();
        await store.migrate();
        expect(await store.tenants.get('t1')).toEqual({ id: 't1', name: 'One', createdAt: '2025-01-01T00:00:00.000Z' });
        const again = await reopen(); // migrates a second time, from another handle
        try {
          expect((await again.tenants.list()).map((t) => t.id)).toEqual(['t1']);
        } finally {
          await again.close();
        }
      });

      it('data survives close and reopen', async () => {
        const { store, reopen } = await fresh();
        const t = await newTenant(store);
        const d = makeDevice(t, 'persist', { machineTags: ['Keep'] });
        await store.devices.insert(d);
        await store.audit.append({ tenantId: t, time: '2025-06-01T00:00:00.000Z', actorKind: 'app', actorId: 'c', action: 'x', target: 'y', result: 'success', details: null });
        await store.close();
        opened.splice(opened.indexOf(store), 1);
        const reopened = await reopen();
        opened.push(reopened);
        expect(await reopened.devices.get(t, d.id, 'all')).toEqual(d);
        expect(await reopened.audit.list(t, 10)).toHaveLength(1);
      });
    });

    describe('tenants and signing keys', () => {
      it('creates, gets and lists tenants; a duplicate id is a Conflict', async () => {
        const { store } = await fresh();
        await store.tenants.create({ id: 'b', name: 'Beta', createdAt: '2025-02-01T00:00:00.000Z' });
        await store.tenants.create({ id: 'a', name: 'Alpha', createdAt: '2025-01-01T00:00:00.000Z' });
        expect(await store.tenants.get('a')).toEqual({ id: 'a', name: 'Alpha', createdAt: '2025-01-01T00:00:00.000Z' });
        expect(await store.tenants.get('zzz')).toBeNull();
        expect((await store.tenants.list()).map((t) => t.id)).toEqual(['a', 'b']);
        await expectPalisade(store.tenants.create({ id: 'a', name: 'Again', createdAt: '2025-03-01T00:00:00.000Z' }), 'Conflict');
      });

      it('lists signing keys newest first, per tenant only', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        const key = (tenantId: string, kid: string, createdAt: string) =>
          ({ tenantId, kid, alg: 'RS256', privateJwk: `{"kid":"${kid}","d":"secret"}`, publicJwk: `{"kid":"${kid}"}`, createdAt });
        await shared.tenants.addSigningKey(key(a, 'k-old', '2025-01-01T00:00:00.000Z'));
        await shared.tenants.addSigningKey(key(a, 'k-new', '2025-03-01T00:00:00.000Z'));
        await shared.tenants.addSigningKey(key(b, 'k-b', '2025-02-01T00:00:00.000Z'));
        const keys = await shared.tenants.signingKeys(a);
        expect(keys.map((k) => k.kid)).toEqual(['k-new', 'k-old']);
        expect(keys[0]).toEqual(key(a, 'k-new', '2025-03-01T00:00:00.000Z'));
        expect((await shared.tenants.signingKeys(b)).map((k) => k.kid)).toEqual(['k-b']);
        expect(await shared.tenants.signingKeys(randomUUID())).toEqual([]);
        await expectPalisade(shared.tenants.addSigningKey(key(a, 'k-old', '2025-04-01T00:00:00.000Z')), 'Conflict');
      });
    });

    describe('apps', () => {
      const app = (tenantId: string, clientId: string, createdAt = '2025-01-01T00:00:00.000Z'): App => ({
        tenantId, clientId, name: `App ${clientId}`, secretHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
        permissions: ['Machine.Read.All', 'Machine.Isolate'], createdAt, publicClient: false, redirectUris: [],
      });

      it('creates, gets, lists and deletes apps', async () => {
        const t = await newTenant(shared);
        await shared.apps.create(app(t, 'client-2', '2025-02-01T00:00:00.000Z'));
        await shared.apps.create(app(t, 'client-1', '2025-01-01T00:00:00.000Z'));
        expect(await shared.apps.get(t, 'client-1')).toEqual(app(t, 'client-1'));
        expect((await shared.apps.list(t)).map((a) => a.clientId)).toEqual(['client-1', 'client-2']);
        await expectPalisade(shared.apps.create(app(t, 'client-1')), 'Conflict');
        expect(await shared.apps.delete(t, 'client-1')).toBe(true);
        expect(await shared.apps.delete(t, 'client-1')).toBe(false);
        expect(await shared.apps.get(t, 'client-1')).toBeNull();
        expect((await shared.apps.list(t)).map((a) => a.clientId)).toEqual(['client-2']);
      });

      it('keeps tenants apart', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        await shared.apps.create(app(a, 'same-id'));
        expect(await shared.apps.get(b, 'same-id')).toBeNull();
        expect(await shared.apps.list(b)).toEqual([]);
        expect(await shared.apps.delete(b, 'same-id')).toBe(false);
        expect(await shared.apps.get(a, 'same-id')).not.toBeNull();
        // The same client id may exist in another tenant.
        await shared.apps.create({ ...app(b, 'same-id'), name: 'B app' });
        expect((await shared.apps.get(b, 'same-id'))?.name).toBe('B app');
        expect((await shared.apps.get(a, 'same-id'))?.name).toBe('App same-id');
      });
    });

    describe('enrollment tokens', () => {
      const token = (tenantId: string, id: string): EnrollmentToken => ({
        tenantId, id, tokenHash: `hash-${randomUUID()}`, createdAt: '2025-01-01T00:00:00.000Z',
        expiresAt: '2025-12-31T00:00:00.000Z', revokedAt: null, uses: 0,
      });

      it('finds a token by hash in any tenant, revokes it once, counts uses', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        const ta = token(a, 'tok-1');
        const tb = token(b, 'tok-1');
        await shared.enrollments.create(ta);
        await shared.enrollments.create(tb);
        expect(await shared.enrollments.getByHash(ta.tokenHash)).toEqual(ta);
        expect(await shared.enrollments.getByHash(tb.tokenHash)).toEqual(tb);
        expect(await shared.enrollments.getByHash('no-such-hash')).toBeNull();

        await shared.enrollments.incrementUses(a, 'tok-1');
        await shared.enrollments.incrementUses(a, 'tok-1');
        expect((await shared.enrollments.getByHash(ta.tokenHash))?.uses).toBe(2);
        expect((await shared.enrollments.getByHash(tb.tokenHash))?.uses).toBe(0);

        expect(await shared.enrollments.revoke(a, 'tok-1', '2025-05-01T00:00:00.000Z')).toBe(true);
        expect(await shared.enrollments.revoke(a, 'tok-1', '2025-06-01T00:00:00.000Z')).toBe(true);
        expect(await shared.enrollments.revoke(a, 'missing', '2025-06-01T00:00:00.000Z')).toBe(false);
        expect((await shared.enrollments.getByHash(ta.tokenHash))?.revokedAt).toBe('2025-05-01T00:00:00.000Z');
        expect((await shared.enrollments.getByHash(tb.tokenHash))?.revokedAt).toBeNull();
      });

      it('lists per tenant; another tenant cannot revoke or use a token', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        const t1 = token(a, 'one');
        const t2 = token(a, 'two');
        await shared.enrollments.create(t2);
        await shared.enrollments.create(t1);
        expect((await shared.enrollments.list(a)).map((t) => t.id)).toEqual(['one', 'two']);
        expect(await shared.enrollments.list(b)).toEqual([]);
        expect(await shared.enrollments.revoke(b, 'one', '2025-05-01T00:00:00.000Z')).toBe(false);
        await shared.enrollments.incrementUses(b, 'one');
        expect(await shared.enrollments.getByHash(t1.tokenHash)).toEqual(t1);
        await expectPalisade(shared.enrollments.create({ ...token(b, 'x'), tokenHash: t1.tokenHash }), 'Conflict');
      });
    });

    describe('stream cursors', () => {
      it('keep one position per output and tenant, moved by save', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        expect(await shared.streamCursors.get('syslog', a)).toBeNull();
        await shared.streamCursors.save('syslog', a, { lastUpdateTime: '2025-06-01T00:00:00.0000001Z', alertId: 'da1_1' });
        await shared.streamCursors.save('syslog', a, { lastUpdateTime: '2025-06-02T00:00:00Z', alertId: 'da2_2' });
        await shared.streamCursors.save('other', a, { lastUpdateTime: '2025-06-03T00:00:00Z', alertId: 'da3_3' });
        expect(await shared.streamCursors.get('syslog', a)).toEqual({ lastUpdateTime: '2025-06-02T00:00:00Z', alertId: 'da2_2' });
        expect(await shared.streamCursors.get('other', a)).toEqual({ lastUpdateTime: '2025-06-03T00:00:00Z', alertId: 'da3_3' });
        expect(await shared.streamCursors.get('syslog', b)).toBeNull();
      });
    });

    describe('audit log', () => {
      it('lists the newest records first, limited, per tenant', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        const rec = (tenantId: string, time: string, action: string) =>
          ({ tenantId, time, actorKind: 'app', actorId: 'client-1', actorName: 'Client one', action, target: 'machine/1', result: 'success' as const, details: action === 'b' ? '{"x":1}' : null });
        await shared.audit.append(rec(a, '2025-06-01T00:00:00.000Z', 'a'));
        await shared.audit.append(rec(a, '2025-06-02T00:00:00.000Z', 'b'));
        await shared.audit.append(rec(a, '2025-06-02T00:00:00.000Z', 'c'));
        await shared.audit.append(rec(b, '2025-06-03T00:00:00.000Z', 'other'));
        expect((await shared.audit.list(a, 10)).map((r) => r.action)).toEqual(['c', 'b', 'a']);
        expect(await shared.audit.list(a, 2)).toEqual([rec(a, '2025-06-02T00:00:00.000Z', 'c'), rec(a, '2025-06-02T00:00:00.000Z', 'b')]);
        expect((await shared.audit.list(b, 10)).map((r) => r.action)).toEqual(['other']);
        expect(await shared.audit.list(a, 0)).toEqual([]);
      });

      it('queries records with OData: filter, order, page, count; newest first by default, tenants apart', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        const rec = (tenantId: string, time: string, action: string, actorName: string | null, result: 'success' | 'failure' = 'success') =>
          ({ tenantId, time, actorKind: 'user', actorId: 'u-1', actorName, action, target: 'machine/1', result, details: null });
        await shared.audit.append(rec(a, '2025-06-01T00:00:00.000Z', 'role.create', 'Ann@Contoso.com'));
        await shared.audit.append(rec(a, '2025-06-02T00:00:00.000Z', 'machine.isolate', 'bob@contoso.com', 'failure'));
        await shared.audit.append(rec(a, '2025-06-02T00:00:00.000Z', 'machine.isolate', 'ann@contoso.com'));
        await shared.audit.append(rec(a, '2025-06-03T00:00:00.000Z', 'alert.update', null));
        await shared.audit.append(rec(b, '2025-06-04T00:00:00.000Z', 'machine.isolate', 'ann@contoso.com'));
        const q = (over: Partial<ListQuery> = {}): ListQuery => ({ top: 100, skip: 0, count: true, orderBy: [], ...over });
        const all = await shared.audit.query(a, q());
        expect(all.total).toBe(4);
        expect(all.items.map((r) => [r.action, r.actorName, r.result])).toEqual([
          ['alert.update', null, 'success'], ['machine.isolate', 'ann@contoso.com', 'success'], ['machine.isolate', 'bob@contoso.com', 'failure'], ['role.create', 'Ann@Contoso.com', 'success'],
        ]);
        expect(all.items[1].id).toBeGreaterThan(all.items[2].id);
        expect(all.items[0]).toMatchObject({ tenantId: a, time: '2025-06-03T00:00:00.000Z', actorKind: 'user', actorId: 'u-1', target: 'machine/1', details: null });
        const byName = await shared.audit.query(a, q({ filter: { kind: 'cmp', op: 'eq', field: 'actorName', value: 'ANN@contoso.com' } }));
        expect(byName.items.map((r) => r.action)).toEqual(['machine.isolate', 'role.create']);
        const since = await shared.audit.query(a, q({ filter: { kind: 'cmp', op: 'ge', field: 'time', value: '2025-06-02T00:00:00Z' }, orderBy: [{ field: 'time', dir: 'asc' }], top: 2, skip: 1 }));
        expect(since.total).toBe(3);
        expect(since.items.map((r) => r.actorName)).toEqual(['ann@contoso.com', null]);
        expect((await shared.audit.query(b, q())).items.map((r) => r.action)).toEqual(['machine.isolate']);
      });
    });

    describe('indicators', () => {
      const all: ListQuery = { top: 100, skip: 0, count: true, orderBy: [] };
      it('allocates ids and versions per tenant, in the transaction', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        expect(await shared.indicators.version(a)).toBe(0);
        expect(await shared.indicators.allocate(a, 3)).toEqual({ firstId: 1, version: 1 });
        expect(await shared.indicators.allocate(a, 0)).toEqual({ firstId: 4, version: 2 });
        expect(await shared.indicators.allocate(b, 1)).toEqual({ firstId: 1, version: 1 });
        await expect(shared.tx(async (r) => {
          await r.indicators.allocate(a, 5);
          throw new Error('rolled back');
        })).rejects.toThrow('rolled back');
        expect(await shared.indicators.version(a)).toBe(2);
      });

      it('round-trips an indicator exactly; one live indicator per type and value', async () => {
        const t = await newTenant(shared);
        const i = makeIndicator(t, '1', { expirationTime: '2099-01-01T00:00:00.000Z' });
        await shared.indicators.insert(i);
        expect(await shared.indicators.getLive(t, ['1', '2'])).toEqual([i]);
        expect(await shared.indicators.findLiveByValues(t, [{ indicatorType: 'FileSha1', indicatorValue: i.indicatorValue }])).toEqual([i]);
        await expect(shared.indicators.insert(makeIndicator(t, '2', { indicatorValue: i.indicatorValue }))).rejects.toMatchObject({ code: 'Conflict' });
        expect(await shared.indicators.markDeleted(t, ['1'], 5, '2025-06-02T00:00:00Z', 'client-2')).toBe(1);
        expect(await shared.indicators.getLive(t, ['1'])).toEqual([]);
        // a tombstone frees its value, and stays for the change list
        await shared.indicators.insert(makeIndicator(t, '2', { indicatorValue: i.indicatorValue, changeVersion: 6 }));
        expect((await shared.indicators.changedSince(t, 4)).map((x) => [x.id, x.deleted, x.changeVersion, x.lastUpdatedBy])).toEqual([['1', true, 5, 'client-2'], ['2', false, 6, null]]);
        const u = await shared.indicators.update(t, '2', { action: 'Block', title: 'New', changeVersion: 7, rbacGroupIds: [] });
        expect(u).toMatchObject({ action: 'Block', title: 'New', changeVersion: 7, rbacGroupIds: [], indicatorValue: i.indicatorValue });
        expect(await shared.indicators.update(t, '1', { title: 'tombstone' })).toBeNull();
      });

      it('lists and counts active ones only (not deleted, not expired), per tenant and creator, with $filter', async () => {
        const t = await newTenant(shared);
        const other = await newTenant(shared);
        const now = new Date('2030-01-01T00:00:00Z');
        await shared.indicators.insert(makeIndicator(t, '1', { creationTimeDateTimeUtc: '2025-06-01T00:00:00.000Z' }));
        await shared.indicators.insert(makeIndicator(t, '2', { creationTimeDateTimeUtc: '2025-06-02T00:00:00.000Z', createdBy: 'client-2', indicatorType: 'IpAddress', indicatorValue: '10.0.0.1' }));
        await shared.indicators.insert(makeIndicator(t, '3', { expirationTime: '2029-12-31T00:00:00.000Z' }));
        await shared.indicators.insert(makeIndicator(t, '4', { deleted: true }));
        await shared.indicators.insert(makeIndicator(other, '1'));
        const page = await shared.indicators.list(t, all, now);
        expect(page.items.map((i) => i.id)).toEqual(['2', '1']);
        expect(page.total).toBe(2);
        expect((await shared.indicators.list(t, all, now, 'client-2')).items.map((i) => i.id)).toEqual(['2']);
        const f: FilterExpr = { kind: 'cmp', op: 'eq', field: 'indicatorType', value: 'IpAddress' };
        expect((await shared.indicators.list(t, { ...all, filter: f }, now)).items.map((i) => i.id)).toEqual(['2']);
        expect(await shared.indicators.countActive(t, now)).toBe(2);
        expect((await shared.indicators.active(t, now)).map((i) => i.id).sort()).toEqual(['1', '2']);
        const light = (await shared.indicators.matchable(t, now)).sort((x, y) => x.id.localeCompare(y.id));
        expect(light[1]).toEqual({
          id: '2', indicatorType: 'IpAddress', indicatorValue: '10.0.0.1', action: 'Audit', severity: 'High', generateAlert: true, title: 'Indicator 2', rbacGroupIds: ['7'], expirationTime: null,
        });
        expect(light.map((i) => i.id)).toEqual(['1', '2']);
        expect(await shared.indicators.countActive(t, new Date('2029-01-01T00:00:00Z'))).toBe(3);
        // a scope of groups sees the indicators for every device and those naming one of its groups
        await shared.indicators.update(t, '1', { rbacGroupIds: ['3', '12'], rbacGroupNames: ['Three', 'Twelve'] });
        await shared.indicators.update(t, '2', { rbacGroupIds: ['1'], rbacGroupNames: ['One'] });
        await shared.indicators.insert(makeIndicator(t, '5', { indicatorType: 'DomainName', indicatorValue: 'everywhere.example', rbacGroupIds: [], rbacGroupNames: [] }));
        const seen = async (scope: number[] | 'all') => (await shared.indicators.list(t, all, now, undefined, scope)).items.map((i) => i.id).sort();
        expect(await seen([1])).toEqual(['2', '5']);
        expect(await seen([2])).toEqual(['5']);
        expect(await seen([12])).toEqual(['1', '5']);
        expect(await seen([3, 1])).toEqual(['1', '2', '5']);
        expect(await seen([])).toEqual(['5']);
        expect(await seen('all')).toEqual(['1', '2', '5']);
      });
    });

    describe('devices', () => {
      it('round-trips a device exactly', async () => {
        const t = await newTenant(shared);
        const d = makeDevice(t, 'rt', {
          osBuild: null, version: null, aadDeviceId: '80fe8ff8-2624-418e-9591-41f0491218f9', isAadJoined: true,
          rbacGroupId: 140, rbacGroupName: 'Servers', exposureLevel: null, machineTags: ['Zeta', 'alpha', 'Mid'],
          ipAddresses: [
            { ipAddress: '10.0.0.5', macAddress: '001122334455', type: 'Ethernet', operationalStatus: 'Up' },
            { ipAddress: 'fe80::1', macAddress: null, type: null, operationalStatus: null },
          ],
          firstSeen: '2024-12-31T23:59:59.999Z',
        });
        await shared.devices.insert(d);
        expect(await shared.devices.get(t, d.id, 'all')).toEqual(d);
        const plain = makeDevice(t, 'plain');
        await shared.devices.insert(plain);
        expect(await shared.devices.get(t, plain.id, 'all')).toEqual(plain);
        await expectPalisade(shared.devices.insert(d), 'Conflict');
      });

      it('normalises datetimes to the canonical millisecond form', async () => {
        const t = await newTenant(shared);
        const d = makeDevice(t, 'dt', { lastSeen: '2025-06-15T10:00:00Z', firstSeen: '2021-01-26T20:33:57.7220239Z' });
        await shared.devices.insert(d);
        const got = await shared.devices.get(t, d.id, 'all');
        expect(got?.lastSeen).toBe('2025-06-15T10:00:00.000Z');
        expect(got?.firstSeen).toBe('2021-01-26T20:33:57.722Z');
      });

      it('gets by name ignoring case, the most recently seen first, within scope', async () => {
        const t = await newTenant(shared);
        const old = makeDevice(t, 'n-old', { computerDnsName: 'Host-1.Contoso.com', lastSeen: ago(3 * DAY), rbacGroupId: 1 });
        const recent = makeDevice(t, 'n-new', { computerDnsName: 'host-1.contoso.com', lastSeen: ago(HOUR), rbacGroupId: 2 });
        await shared.devices.insert(old);
        await shared.devices.insert(recent);
        expect((await shared.devices.getByName(t, 'HOST-1.CONTOSO.COM', 'all'))?.id).toBe(recent.id);
        expect((await shared.devices.getByName(t, 'host-1.contoso.com', [1]))?.id).toBe(old.id);
        expect(await shared.devices.getByName(t, 'host-1.contoso.com', [])).toBeNull();
        expect(await shared.devices.getByName(t, 'host-1', 'all')).toBeNull();
        expect(await shared.devices.getByName(await newTenant(shared), 'host-1.contoso.com', 'all')).toBeNull();
      });

      it('get and getMany respect tenant and scope; missing ids are absent', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        const d1 = makeDevice(a, 'g1', { rbacGroupId: 1 });
        const d2 = makeDevice(a, 'g2', { rbacGroupId: 2 });
        await shared.devices.insert(d1);
        await shared.devices.insert(d2);
        expect(await shared.devices.get(b, d1.id, 'all')).toBeNull();
        expect(await shared.devices.get(a, d1.id, [2])).toBeNull();
        expect(await shared.devices.get(a, d1.id, [1, 2])).toEqual(d1);
        const many = await shared.devices.getMany(a, [d2.id, 'f'.repeat(40), d1.id, d1.id], 'all');
        expect(many.map((d) => d.id).sort()).toEqual([d1.id, d2.id].sort());
        expect((await shared.devices.getMany(a, [d1.id, d2.id], [2])).map((d) => d.id)).toEqual([d2.id]);
        expect(await shared.devices.getMany(b, [d1.id, d2.id], 'all')).toEqual([]);
        expect(await shared.devices.getMany(a, [], 'all')).toEqual([]);
      });

      it('updates fields, replaces the tag set, and refuses other tenants', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        const d = makeDevice(a, 'upd', { machineTags: ['one', 'two'] });
        await shared.devices.insert(d);
        const updated = await shared.devices.update(a, d.id, { deviceValue: 'High', lastSeen: '2025-06-15T11:00:00Z', osBuild: null, isAadJoined: true }, 'all');
        expect(updated).toEqual({ ...d, deviceValue: 'High', lastSeen: '2025-06-15T11:00:00.000Z', osBuild: null, isAadJoined: true });
        const retagged = await shared.devices.update(a, d.id, { machineTags: ['two', 'three', 'three'] }, 'all');
        expect(retagged?.machineTags).toEqual(['two', 'three']);
        expect((await shared.devices.get(a, d.id, 'all'))?.machineTags).toEqual(['two', 'three']);
        expect((await shared.devices.update(a, d.id, { machineTags: [] }, 'all'))?.machineTags).toEqual([]);
        expect(await shared.devices.update(b, d.id, { deviceValue: 'Low', machineTags: ['evil'] }, 'all')).toBeNull();
        expect(await shared.devices.update(a, 'f'.repeat(40), { deviceValue: 'Low' }, 'all')).toBeNull();
        expect(await shared.devices.update(a, 'f'.repeat(40), { machineTags: ['x'] }, 'all')).toBeNull();
        const after = await shared.devices.get(a, d.id, 'all');
        expect(after?.deviceValue).toBe('High');
        expect(after?.machineTags).toEqual([]);
        // Fields outside DevicePatch are ignored even when smuggled in.
        const smuggled = { credentialHash: 'stolen', firstSeen: '2000-01-01T00:00:00.000Z', riskScore: 'High' } as never;
        const r = await shared.devices.update(a, d.id, smuggled, 'all');
        expect(r?.credentialHash).toBe(d.credentialHash);
        expect(r?.firstSeen).toBe(d.firstSeen);
        expect(r?.riskScore).toBe('High');
      });

      it('updates and revokes credentials only within the caller\'s device groups; finds a credential by device id', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        const d = makeDevice(a, 'scoped-upd', { rbacGroupId: 5, machineTags: ['keep'] });
        await shared.devices.insert(d);
        expect(await shared.devices.update(a, d.id, { deviceValue: 'Low', machineTags: ['evil'] }, [4])).toBeNull();
        expect(await shared.devices.update(a, d.id, { machineTags: ['evil'] }, [])).toBeNull();
        expect(await shared.devices.update(a, d.id, {}, [4])).toBeNull();
        expect((await shared.devices.get(a, d.id, 'all'))?.machineTags).toEqual(['keep']);
        expect((await shared.devices.update(a, d.id, { deviceValue: 'Low' }, [4, 5]))?.deviceValue).toBe('Low');
        expect(await shared.devices.revokeCredential(a, d.id, [4])).toBe(false);
        expect(await shared.devices.revokeCredential(b, d.id, 'all')).toBe(false);
        expect((await shared.devices.get(a, d.id, 'all'))?.credentialHash).toBe(d.credentialHash);
        expect(await shared.devices.credentialOf(d.id)).toEqual({ tenantId: a, id: d.id, computerDnsName: d.computerDnsName, osPlatform: d.osPlatform, rbacGroupId: 5, credentialHash: d.credentialHash });
        expect(await shared.devices.credentialOf('0'.repeat(40))).toBeNull();
        expect(await shared.devices.revokeCredential(a, d.id, [5])).toBe(true);
        expect((await shared.devices.get(a, d.id, 'all'))?.credentialHash).toBe(REVOKED_CREDENTIAL);
        expect((await shared.devices.credentialOf(d.id))?.credentialHash).toBe(REVOKED_CREDENTIAL);
      });

      it('finds by tag exactly or by prefix, within tenant and scope', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        const d1 = makeDevice(a, 'ft1', { machineTags: ['Prod'], lastSeen: ago(HOUR), rbacGroupId: 1 });
        const d2 = makeDevice(a, 'ft2', { machineTags: ['prod-eu', 'web'], lastSeen: ago(2 * HOUR), rbacGroupId: 2 });
        const d3 = makeDevice(a, 'ft3', { machineTags: ['Production'], lastSeen: ago(3 * HOUR), rbacGroupId: 1 });
        const other = makeDevice(b, 'ft1', { machineTags: ['Prod'] });
        for (const d of [d1, d2, d3, other]) await shared.devices.insert(d);
        const ids = (ds: Device[]) => ds.map((d) => d.id);
        expect(ids(await shared.devices.findByTag(a, 'Prod', false, 'all'))).toEqual([d1.id]);
        expect(ids(await shared.devices.findByTag(a, 'prod', false, 'all'))).toEqual([]);
        expect(ids(await shared.devices.findByTag(a, 'prod', true, 'all'))).toEqual([d1.id, d2.id, d3.id]);
        expect(ids(await shared.devices.findByTag(a, 'Prod', true, [1]))).toEqual([d1.id, d3.id]);
        expect(ids(await shared.devices.findByTag(a, 'Prod', true, []))).toEqual([]);
        expect(ids(await shared.devices.findByTag(a, 'pro%', true, 'all'))).toEqual([]);
        expect(ids(await shared.devices.findByTag(b, 'Prod', false, 'all'))).toEqual([other.id]);
        const found = await shared.devices.findByTag(a, 'web', false, 'all');
        expect(found).toEqual([d2]);
      });

      it('counts per tenant', async () => {
        const a = await newTenant(shared);
        const b = await newTenant(shared);
        await shared.devices.insert(makeDevice(a, 'c1'));
        await shared.devices.insert(makeDevice(a, 'c2'));
        await shared.devices.insert(makeDevice(b, 'c1'));
        expect(await shared.devices.count(a)).toBe(2);
        expect(await shared.devices.count(b)).toBe(1);
        expect(await shared.devices.count(randomUUID())).toBe(0);
      });
    });

    describe('device list queries', () => {
      let t: string;
      let other: string;
      const L: Record<string, Device> = {};
      /** Labels in default order: lastSeen desc, then id. */
      const ids = (...labels: string[]) => labels.map((l) => L[l].id);
      const list = async (filter?: FilterExpr, more: Partial<ListQuery> = {}, scope: DeviceScope = 'all') =>
        shared.devices.list(t, q(filter, more), scope, NOW);
      const listIds = async (filter?: FilterExpr, more: Partial<ListQuery> = {}, scope: DeviceScope = 'all') =>
        (await list(filter, more, scope)).items.map((d) => d.id);

      beforeAll(async () => {
        t = await newTenant(shared);
        other = await newTenant(shared, 'Other');
        const specs: Record<string, Partial<Device>> = {
          d01: { computerDnsName: 'alpha-01.contoso.com', lastSeen: ago(HOUR), sensorHealth: 'Active', rbacGroupId: 1, machineTags: ['Prod', 'Web'],
            osPlatform: 'Windows11', osBuild: 22631, version: '23H2', exposureLevel: 'Low', riskScore: 'Medium', isAadJoined: true,
            aadDeviceId: '80fe8ff8-2624-418e-9591-41f0491218f9', firstSeen: '2025-01-10T00:00:00.000Z' },
          d02: { computerDnsName: 'ALPHA-02.contoso.com', lastSeen: ago(2 * DAY), sensorHealth: 'ImpairedCommunication', rbacGroupId: 2, machineTags: ['prod'],
            osPlatform: 'Windows10', osBuild: 19045, version: '22H2', exposureLevel: null, riskScore: 'High', lastIpAddress: null, firstSeen: '2025-02-10T00:00:00.000Z' },
          d03: { computerDnsName: 'beta.fabrikam.local', lastSeen: ago(8 * DAY), sensorHealth: 'Active', rbacGroupId: 1, machineTags: [],
            osPlatform: 'Linux', osBuild: null, version: null, exposureLevel: 'High', riskScore: 'None', firstSeen: '2025-03-10T00:00:00.000Z' },
          d04: { computerDnsName: 'gamma_test%.local', lastSeen: ago(30 * DAY), sensorHealth: 'NoSensorData', rbacGroupId: 3, machineTags: ['Web', 'Canary'],
            osPlatform: 'macOS', osBuild: null, version: null, exposureLevel: 'Medium', riskScore: 'Low', firstSeen: '2025-01-01T00:00:00.000Z' },
          d05: { computerDnsName: 'delta.contoso.com', lastSeen: ago(7 * DAY), sensorHealth: 'Active', rbacGroupId: 2, machineTags: ['Prod-EU'],
            osPlatform: 'WindowsServer2022', osBuild: 20348, version: '21H2', exposureLevel: null, riskScore: 'Informational', firstSeen: '2025-04-10T00:00:00.000Z' },
          d06: { computerDnsName: 'Epsilon.Contoso.com', lastSeen: ago(7 * DAY + 1), sensorHealth: 'Active', rbacGroupId: 0, machineTags: [],
            osPlatform: 'WindowsServer2019', osBuild: 17763, version: '1809', exposureLevel: 'None', riskScore: 'Medium', firstSeen: '2025-05-10T00:00:00.000Z' },
        };
        for (const [label, over] of Object.entries(specs)) {
          L[label] = makeDevice(t, label, over);
          await shared.devices.insert(L[label]);
        }
        // Look-alikes in another tenant must never leak into tenant t's results.
        await shared.devices.insert(makeDevice(other, 'd01', { ...specs.d01, tenantId: other }));
        await shared.devices.insert(makeDevice(other, 'x99', { computerDnsName: 'alpha-99.contoso.com', machineTags: ['Prod'], rbacGroupId: 1, lastSeen: ago(10 * DAY) }));
      });

      it('defaults to lastSeen desc, then id, and returns whole devices', async () => {
        const page = await list();
        expect(page.items.map((d) => d.id)).toEqual(ids('d01', 'd02', 'd05', 'd06', 'd03', 'd04'));
        expect(page.total).toBeUndefined();
        expect(page.items[0]).toEqual(L.d01);
        expect(page.items[5]).toEqual(L.d04);
      });

      it('eq is exact and case-sensitive, except on computerDnsName', async () => {
        expect(await listIds(cmp('computerDnsName', 'eq', 'alpha-01.contoso.com'))).toEqual(ids('d01'));
        expect(await listIds(cmp('computerDnsName', 'eq', 'ALPHA-01.CONTOSO.COM'))).toEqual(ids('d01'));
        expect(await listIds(cmp('computerDnsName', 'eq', 'alpha-02.contoso.com'))).toEqual(ids('d02'));
        expect(await listIds(cmp('osPlatform', 'eq', 'Windows11'))).toEqual(ids('d01'));
        expect(await listIds(cmp('osPlatform', 'eq', 'windows11'))).toEqual([]);
        expect(await listIds(cmp('id', 'eq', L.d03.id))).toEqual(ids('d03'));
      });

      it('ne includes nulls; eq/ne null test for null', async () => {
        expect(await listIds(cmp('riskScore', 'ne', 'None'))).toEqual(ids('d01', 'd02', 'd05', 'd06', 'd04'));
        expect(await listIds(cmp('exposureLevel', 'ne', 'Low'))).toEqual(ids('d02', 'd05', 'd06', 'd03', 'd04'));
        expect(await listIds(cmp('exposureLevel', 'eq', null))).toEqual(ids('d02', 'd05'));
        expect(await listIds(cmp('exposureLevel', 'ne', null))).toEqual(ids('d01', 'd06', 'd03', 'd04'));
        expect(await listIds(cmp('aadDeviceId', 'ne', null))).toEqual(ids('d01'));
        expect(await listIds(cmp('lastIpAddress', 'eq', null))).toEqual(ids('d02'));
        expect(await listIds(cmp('computerDnsName', 'eq', null))).toEqual([]);
        expect(await listIds(cmp('osBuild', 'gt', null))).toEqual([]);
      });

      it('orders numbers with gt, ge, lt, le', async () => {
        expect(await listIds(cmp('osBuild', 'gt', 19045))).toEqual(ids('d01', 'd05'));
        expect(await listIds(cmp('osBuild', 'ge', 19045))).toEqual(ids('d01', 'd02', 'd05'));
        expect(await listIds(cmp('osBuild', 'lt', 19045))).toEqual(ids('d06'));
        expect(await listIds(cmp('osBuild', 'le', 19045))).toEqual(ids('d02', 'd06'));
        expect(await listIds(cmp('rbacGroupId', 'eq', 2))).toEqual(ids('d02', 'd05'));
        expect(await listIds(cmp('rbacGroupId', 'gt', 1))).toEqual(ids('d02', 'd05', 'd04'));
        expect(await listIds(inList('rbacGroupId', [0, 3]))).toEqual(ids('d06', 'd04'));
      });

      it('combines with and, or, not (two-valued: not over null is true)', async () => {
        expect(await listIds(and(cmp('rbacGroupId', 'eq', 1), cmp('osPlatform', 'eq', 'Linux')))).toEqual(ids('d03'));
        expect(await listIds(or(cmp('rbacGroupId', 'eq', 0), cmp('osPlatform', 'eq', 'Linux')))).toEqual(ids('d06', 'd03'));
        expect(await listIds(not(cmp('exposureLevel', 'eq', 'Low')))).toEqual(ids('d02', 'd05', 'd06', 'd03', 'd04'));
        expect(await listIds(not(cmp('exposureLevel', 'ne', 'Low')))).toEqual(ids('d01'));
        expect(await listIds(not(cmp('osBuild', 'gt', 19045)))).toEqual(ids('d02', 'd06', 'd03', 'd04'));
        expect(await listIds(not(cmp('exposureLevel', 'eq', null)))).toEqual(ids('d01', 'd06', 'd03', 'd04'));
        expect(await listIds(not(and(cmp('rbacGroupId', 'eq', 1), cmp('osPlatform', 'eq', 'Linux'))))).toEqual(ids('d01', 'd02', 'd05', 'd06', 'd04'));
        expect(await listIds(not(or(cmp('rbacGroupId', 'eq', 1), cmp('rbacGroupId', 'eq', 2))))).toEqual(ids('d06', 'd04'));
        expect(await listIds(not(not(cmp('rbacGroupId', 'eq', 3))))).toEqual(ids('d04'));
      });

      it('in matches lists (case-insensitive names, null members)', async () => {
        expect(await listIds(inList('osPlatform', ['Linux', 'macOS']))).toEqual(ids('d03', 'd04'));
        expect(await listIds(inList('computerDnsName', ['BETA.fabrikam.local', 'nope']))).toEqual(ids('d03'));
        expect(await listIds(not(inList('osPlatform', ['Linux', 'macOS'])))).toEqual(ids('d01', 'd02', 'd05', 'd06'));
        expect(await listIds(inList('exposureLevel', ['Low', null]))).toEqual(ids('d01', 'd02', 'd05'));
        expect(await listIds(not(inList('exposureLevel', ['Low', null])))).toEqual(ids('d06', 'd03', 'd04'));
        expect(await listIds(not(inList('exposureLevel', ['Low'])))).toEqual(ids('d02', 'd05', 'd06', 'd03', 'd04'));
        expect(await listIds(inList('osPlatform', []))).toEqual([]);
      });

      it('startswith, endswith and contains ignore case and treat wildcards literally', async () => {
        expect(await listIds(fn('startswith', 'computerDnsName', 'alpha'))).toEqual(ids('d01', 'd02'));
        expect(await listIds(fn('startswith', 'computerDnsName', 'ALPHA-0'))).toEqual(ids('d01', 'd02'));
        expect(await listIds(fn('endswith', 'computerDnsName', '.LOCAL'))).toEqual(ids('d03', 'd04'));
        expect(await listIds(fn('contains', 'computerDnsName', '%'))).toEqual(ids('d04'));
        expect(await listIds(fn('contains', 'computerDnsName', '_'))).toEqual(ids('d04'));
        expect(await listIds(fn('contains', 'computerDnsName', 'contoso'))).toEqual(ids('d01', 'd02', 'd05', 'd06'));
        expect(await listIds(fn('startswith', 'osPlatform', 'windowsserver'))).toEqual(ids('d05', 'd06'));
        expect(await listIds(not(fn('startswith', 'version', '2')))).toEqual(ids('d06', 'd03', 'd04'));
      });

      it('machineTags/any() tests the tag set', async () => {
        expect(await listIds(anyTag(cmp('$it', 'eq', 'Prod')))).toEqual(ids('d01'));
        expect(await listIds(anyTag(fn('startswith', '$it', 'prod')))).toEqual(ids('d01', 'd02', 'd05'));
        expect(await listIds(anyTag(or(cmp('$it', 'eq', 'Web'), cmp('$it', 'eq', 'Canary'))))).toEqual(ids('d01', 'd04'));
        expect(await listIds(anyTag(inList('$it', ['Canary', 'Nope'])))).toEqual(ids('d04'));
        expect(await listIds(anyTag(cmp('$it', 'ne', 'Web')))).toEqual(ids('d01', 'd02', 'd05', 'd04'));
        expect(await listIds(anyTag(null))).toEqual(ids('d01', 'd02', 'd05', 'd04'));
        expect(await listIds(not(anyTag(null)))).toEqual(ids('d06', 'd03'));
        expect(await listIds(not(anyTag(cmp('$it', 'eq', 'Web'))))).toEqual(ids('d02', 'd05', 'd06', 'd03'));
        expect(await listIds(and(anyTag(cmp('$it', 'eq', 'Web')), cmp('rbacGroupId', 'eq', 3)))).toEqual(ids('d04'));
      });

      it('compares datetimes as instants, whatever the literal form', async () => {
        const threeDays = { datetime: ago(3 * DAY) };
        expect(await listIds(cmp('lastSeen', 'gt', threeDays))).toEqual(ids('d01', 'd02'));
        expect(await listIds(cmp('lastSeen', 'ge', { datetime: ago(7 * DAY) }))).toEqual(ids('d01', 'd02', 'd05'));
        expect(await listIds(cmp('lastSeen', 'lt', { datetime: '2025-06-08T12:00:00Z' }))).toEqual(ids('d06', 'd03', 'd04'));
        expect(await listIds(cmp('lastSeen', 'eq', { datetime: '2025-06-08T14:00:00+02:00' }))).toEqual(ids('d05'));
        expect(await listIds(cmp('lastSeen', 'le', { datetime: '2025-05-17Z' }))).toEqual(ids('d04'));
        expect(await listIds(and(cmp('firstSeen', 'ge', { datetime: '2025-02-01T00:00:00Z' }), cmp('firstSeen', 'lt', { datetime: '2025-04-10T00:00:00.0000001Z' }))))
          .toEqual(ids('d02', 'd05', 'd03'));
      });

      it('derives healthStatus from lastSeen and the sensor report', async () => {
        expect(await listIds(cmp('healthStatus', 'eq', 'Inactive'))).toEqual(ids('d06', 'd03', 'd04'));
        expect(await listIds(cmp('healthStatus', 'eq', 'Active'))).toEqual(ids('d01', 'd05'));
        expect(await listIds(cmp('healthStatus', 'eq', 'ImpairedCommunication'))).toEqual(ids('d02'));
        expect(await listIds(cmp('healthStatus', 'eq', 'NoSensorData'))).toEqual([]);
        expect(await listIds(cmp('healthStatus', 'ne', 'Inactive'))).toEqual(ids('d01', 'd02', 'd05'));
        expect(await listIds(inList('healthStatus', ['Inactive', 'ImpairedCommunication']))).toEqual(ids('d02', 'd06', 'd03', 'd04'));
        // A later `now` turns more devices inactive.
        const later = await shared.devices.list(t, q(cmp('healthStatus', 'eq', 'Inactive')), 'all', new Date(NOW.getTime() + 6 * DAY));
        expect(later.items.map((d) => d.id)).toEqual(ids('d02', 'd05', 'd06', 'd03', 'd04'));
      });

      it('healthStatus eq, ne, in and their negations agree with the domain derivation', async () => {
        const { store } = await fresh();
        const tt = await newTenant(store);
        // Every reported health × ages around the 7-day boundary (exactly 7 days is still not Inactive).
        const ages = [HOUR, 7 * DAY - 1, 7 * DAY, 7 * DAY + 1, 30 * DAY];
        const devices: Device[] = [];
        SENSOR_HEALTH.forEach((health, h) => ages.forEach((age, a) => devices.push(makeDevice(tt, `h${h}${a}`, { sensorHealth: health, lastSeen: ago(age) }))));
        for (const d of devices) await store.devices.insert(d);
        // The oracle is the JSON mapping's derivation of the same declaration.
        const healthStatusOf = (d: Device, now: Date) => MACHINE.json(d, now, ['healthStatus']).healthStatus as string;
        const expected = (keep: (status: string) => boolean) =>
          devices.filter((d) => keep(healthStatusOf(d, NOW))).sort((x, y) => (x.lastSeen < y.lastSeen ? 1 : x.lastSeen > y.lastSeen ? -1 : x.id < y.id ? -1 : 1)).map((d) => d.id);
        const actual = async (filter: FilterExpr) => (await store.devices.list(tt, q(filter), 'all', NOW)).items.map((d) => d.id);
        for (const s of HEALTH_STATUSES) {
          const other = s === 'Active' ? 'Inactive' : 'Active';
          expect(await actual(cmp('healthStatus', 'eq', s)), `eq ${s}`).toEqual(expected((x) => x === s));
          expect(await actual(cmp('healthStatus', 'ne', s)), `ne ${s}`).toEqual(expected((x) => x !== s));
          expect(await actual(not(cmp('healthStatus', 'eq', s))), `not eq ${s}`).toEqual(expected((x) => x !== s));
          expect(await actual(not(cmp('healthStatus', 'ne', s))), `not ne ${s}`).toEqual(expected((x) => x === s));
          expect(await actual(inList('healthStatus', [s, other])), `in ${s}`).toEqual(expected((x) => x === s || x === other));
          expect(await actual(not(inList('healthStatus', [s, other]))), `not in ${s}`).toEqual(expected((x) => x !== s && x !== other));
          expect(await actual(inList('healthStatus', [s, null])), `in ${s}, null`).toEqual(expected((x) => x === s));
        }
        expect(await actual(inList('healthStatus', []))).toEqual([]);
        expect(await actual(not(inList('healthStatus', [])))).toEqual(expected(() => true));
        expect(await actual(cmp('healthStatus', 'eq', null))).toEqual([]);
      });

      it('filters booleans, enums and group ids', async () => {
        expect(await listIds(cmp('isAadJoined', 'eq', true))).toEqual(ids('d01'));
        expect(await listIds(cmp('isAadJoined', 'ne', true))).toEqual(ids('d02', 'd05', 'd06', 'd03', 'd04'));
        expect(await listIds(cmp('riskScore', 'eq', 'Medium'))).toEqual(ids('d01', 'd06'));
        expect(await listIds(cmp('onboardingStatus', 'eq', 'Onboarded'))).toHaveLength(6);
        expect(await listIds(cmp('deviceValue', 'eq', 'Normal'))).toHaveLength(6);
      });

      it('pages with top and skip and counts all matches', async () => {
        expect(await listIds(undefined, { top: 2, skip: 1 })).toEqual(ids('d02', 'd05'));
        expect(await list(undefined, { top: 2, skip: 1, count: true })).toMatchObject({ total: 6 });
        const inactive = await list(cmp('healthStatus', 'eq', 'Inactive'), { top: 1, count: true });
        expect(inactive.items.map((d) => d.id)).toEqual(ids('d06'));
        expect(inactive.total).toBe(3);
        expect(await list(undefined, { top: 0, count: true })).toEqual({ items: [], total: 6 });
        expect(await list(undefined, { skip: 10, count: true })).toEqual({ items: [], total: 6 });
      });

      it('sorts by requested keys, nulls lowest, ties by id', async () => {
        const by = (...orderBy: OrderBy[]) => listIds(undefined, { orderBy });
        expect(await by({ field: 'computerDnsName', dir: 'asc' })).toEqual(ids('d01', 'd02', 'd03', 'd05', 'd06', 'd04'));
        expect(await by({ field: 'osBuild', dir: 'asc' })).toEqual(ids('d03', 'd04', 'd06', 'd02', 'd05', 'd01'));
        expect(await by({ field: 'osBuild', dir: 'desc' })).toEqual(ids('d01', 'd05', 'd02', 'd06', 'd03', 'd04'));
        expect(await by({ field: 'healthStatus', dir: 'asc' })).toEqual(ids('d01', 'd05', 'd02', 'd03', 'd04', 'd06'));
        expect(await by({ field: 'rbacGroupId', dir: 'desc' }, { field: 'lastSeen', dir: 'asc' })).toEqual(ids('d04', 'd05', 'd02', 'd03', 'd01', 'd06'));
        expect(await by({ field: 'lastSeen', dir: 'asc' })).toEqual(ids('d04', 'd03', 'd06', 'd05', 'd02', 'd01'));
        expect(await by({ field: 'id', dir: 'desc' })).toEqual(ids('d06', 'd05', 'd04', 'd03', 'd02', 'd01'));
      });

      it('restricts to the caller scope', async () => {
        expect(await listIds(undefined, {}, [1])).toEqual(ids('d01', 'd03'));
        expect(await listIds(undefined, {}, [2, 3])).toEqual(ids('d02', 'd05', 'd04'));
        expect(await list(cmp('healthStatus', 'eq', 'Inactive'), { count: true }, [1, 3])).toMatchObject({ total: 2 });
        expect(await list(undefined, { count: true }, [])).toEqual({ items: [], total: 0 });
        expect(await listIds(undefined, {}, [99])).toEqual([]);
      });

      it('never returns another tenant\'s devices', async () => {
        expect(await listIds(fn('startswith', 'computerDnsName', 'alpha'))).toEqual(ids('d01', 'd02'));
        expect(await listIds(anyTag(cmp('$it', 'eq', 'Prod')))).toEqual(ids('d01'));
        const theirs = await shared.devices.list(other, q(), 'all', NOW);
        expect(theirs.items.map((d) => d.tenantId)).toEqual([other, other]);
        expect((await shared.devices.list(other, q(undefined, { count: true }), 'all', NOW)).total).toBe(2);
      });

      it('rejects fields and literals it cannot evaluate with ODataError', async () => {
        await expectPalisade(list(cmp('credentialHash', 'eq', 'x')), 'ODataError');
        await expectPalisade(list(cmp('machineTags', 'eq', 'x')), 'ODataError');
        await expectPalisade(list(cmp('rbacGroupId', 'eq', 'one')), 'ODataError');
        await expectPalisade(list(cmp('lastSeen', 'gt', { datetime: 'yesterday' })), 'ODataError');
        await expectPalisade(list(fn('startswith', 'osBuild', '1')), 'ODataError');
        await expectPalisade(list(anyTag(cmp('osPlatform', 'eq', 'Linux'))), 'ODataError');
        await expectPalisade(list(undefined, { orderBy: [{ field: 'machineTags', dir: 'asc' }] }), 'ODataError');
        await expectPalisade(list(undefined, { top: -1 }), 'ODataError');
      });
    });

    describeDetectionRuleContract(() => shared, fresh);
    describeLibraryFileContract(() => shared);
    describeDeviceGroupContract(() => shared);
    describeUserContract(() => shared);
    describeRoleContract(() => shared);
    describeSavedQueryContract(() => shared);
    describeExternalIdpContract(() => shared);

    describe('secrets at rest', () => describeSecretsContract(() => harness, fresh));
    describeSignInContract(() => shared);
    describeActionContract(() => shared, fresh);

    describe('alerts and incidents', () => {
      const all: ListQuery = { top: 100, skip: 0, count: true, orderBy: [] };
      const alertOf = (tenantId: string, id: string, over: Partial<Alert> = {}): Alert => ({
        tenantId, id, incidentId: null, investigationId: null, investigationState: 'UnsupportedAlertType', assignedTo: null, severity: 'High', status: 'New',
        classification: null, determination: null, detectionSource: 'CustomerTI', detectorId: null, category: 'Malware', threatFamilyName: null, threatName: null,
        title: `alert ${id}`, description: 'd', recommendedAction: null, alertCreationTime: ago(HOUR), firstEventTime: '2025-06-15T10:00:00.1234567Z',
        lastEventTime: '2025-06-15T10:00:00.1234567Z', lastUpdateTime: ago(HOUR), resolvedTime: null, machineId: devId('alpha'), computerDnsName: 'alpha',
        rbacGroupId: 0, rbacGroupName: null, mitreTechniques: ['T1204'], relatedUser: { userName: 'bob', domainName: 'CORP' }, loggedOnUsers: [],
        comments: [{ comment: 'c', createdBy: 'x', createdTime: '2025-06-15T11:00:00.000Z' }],
        evidence: [{
          entityType: 'File', evidenceCreationTime: '2025-06-15T11:00:00.000Z', sha1: 'a'.repeat(40), sha256: null, fileName: 'x.exe', filePath: '/tmp', processId: null,
          processCommandLine: null, processCreationTime: null, parentProcessId: null, parentProcessCreationTime: null, parentProcessFileName: null, parentProcessFilePath: null,
          ipAddress: null, url: null, registryKey: null, registryHive: null, registryValueType: null, registryValue: null, registryValueName: null, accountName: null,
          domainName: null, userSid: null, aadUserId: null, userPrincipalName: null, detectionStatus: 'Detected',
        }],
        dedupeKey: `key-${id}`, indicatorId: null, ...over,
      });
      const incidentOf = (tenantId: string) => ({
        tenantId, incidentName: 'n', createdTime: ago(HOUR), lastUpdateTime: ago(HOUR), assignedTo: null, classification: 'Unknown', determination: 'NotAvailable',
        status: 'Active' as const, severity: 'High' as const, tags: ['t'], comments: [],
      });

      it('round-trips an alert exactly, event times to the tick; an id or dedupe key twice is a Conflict', async () => {
        const t = await newTenant(shared);
        const a = alertOf(t, 'da1_1', { incidentId: 3 });
        await shared.alerts.insert(a);
        expect(await shared.alerts.get(t, 'da1_1', 'all')).toEqual(a);
        expect(await shared.alerts.getByDedupeKey(t, 'key-da1_1')).toEqual(a);
        await expectPalisade(shared.alerts.insert(alertOf(t, 'da1_1', { dedupeKey: 'other' })), 'Conflict');
        await expectPalisade(shared.alerts.insert(alertOf(t, 'da1_2', { dedupeKey: 'key-da1_1' })), 'Conflict');
        await shared.alerts.insert(alertOf(t, 'da1_3', { dedupeKey: null }));
        await shared.alerts.insert(alertOf(t, 'da1_4', { dedupeKey: null }));
        const other = await newTenant(shared);
        await shared.alerts.insert(alertOf(other, 'da1_1'));
        expect((await shared.alerts.list(t, all, 'all')).total).toBe(3);
      });

      it("moves a machine's alerts, and only its alerts in its tenant, to a new device group", async () => {
        const t = await newTenant(shared);
        await shared.alerts.insert(alertOf(t, 'dm1_1', { rbacGroupId: 1, rbacGroupName: 'Paris' }));
        await shared.alerts.insert(alertOf(t, 'dm1_2', { rbacGroupId: 1, rbacGroupName: 'Paris' }));
        await shared.alerts.insert(alertOf(t, 'dm1_3', { machineId: devId('beta'), rbacGroupId: 1, rbacGroupName: 'Paris' }));
        const other = await newTenant(shared);
        await shared.alerts.insert(alertOf(other, 'dm1_1', { rbacGroupId: 1, rbacGroupName: 'Paris' }));
        expect(await shared.alerts.moveMachine(t, devId('alpha'), 2, 'Berlin')).toBe(2);
        expect((await shared.alerts.list(t, all, [2])).items.map((a) => [a.id, a.rbacGroupName]).sort()).toEqual([['dm1_1', 'Berlin'], ['dm1_2', 'Berlin']]);
        expect((await shared.alerts.list(t, all, [1])).items.map((a) => a.id)).toEqual(['dm1_3']);
        expect((await shared.alerts.get(other, 'dm1_1', 'all'))?.rbacGroupId).toBe(1);
        expect(await shared.alerts.moveMachine(t, devId('gamma'), 2, 'Berlin')).toBe(0);
      });

      it('lists with filters, scope, a machine, paging; updates within scope only', async () => {
        const t = await newTenant(shared);
        await shared.alerts.insert(alertOf(t, 'da2_1', { lastUpdateTime: '2025-06-15T10:00:00.000Z', status: 'New' }));
        await shared.alerts.insert(alertOf(t, 'da2_2', { lastUpdateTime: '2025-06-15T10:00:00.001Z', status: 'InProgress', rbacGroupId: 7, machineId: devId('beta') }));
        await shared.alerts.insert(alertOf(t, 'da2_3', { lastUpdateTime: '2025-06-15T11:00:00.000Z', status: 'Resolved', detectionSource: 'CustomDetection' }));
        const ids = async (f: FilterExpr | undefined, scope: DeviceScope = 'all', machineId?: string) => (await shared.alerts.list(t, { ...all, filter: f }, scope, machineId)).items.map((a) => a.id).sort();
        expect(await ids(cmp('lastUpdateTime', 'gt', { datetime: '2025-06-15T10:00:00.0000001Z' }))).toEqual(['da2_2', 'da2_3']);
        expect(await ids(or(cmp('status', 'eq', 'New'), cmp('detectionSource', 'eq', 'CustomDetection')))).toEqual(['da2_1', 'da2_3']);
        expect(await ids(inList('status', ['New', 'InProgress']))).toEqual(['da2_1', 'da2_2']);
        expect(await ids(undefined, [7])).toEqual(['da2_2']);
        expect(await ids(undefined, [])).toEqual([]);
        expect(await ids(undefined, 'all', devId('beta'))).toEqual(['da2_2']);
        expect((await shared.alerts.list(t, { ...all, top: 1, orderBy: [{ field: 'lastUpdateTime', dir: 'desc' }] }, 'all')).items.map((a) => a.id)).toEqual(['da2_3']);
        expect((await shared.alerts.getMany(t, ['da2_1', 'da2_2', 'nope'], [0])).map((a) => a.id)).toEqual(['da2_1']);
        expect(await shared.alerts.update(t, 'da2_2', { status: 'Resolved' }, [0])).toBeNull();
        const u = await shared.alerts.update(t, 'da2_2', { status: 'Resolved', resolvedTime: '2025-06-15T12:00:00.000Z', comments: [] }, [7]);
        expect(u).toMatchObject({ status: 'Resolved', resolvedTime: '2025-06-15T12:00:00.000Z', comments: [] });
        await expectPalisade(shared.alerts.list(t, { ...all, filter: cmp('evidence', 'eq', 'x') }, 'all'), 'ODataError');
      });

      it('numbers incidents per tenant, loads their alerts, scopes them by their alerts, finds the open incident sharing an entity', async () => {
        const t = await newTenant(shared);
        const other = await newTenant(shared);
        expect(await shared.incidents.create(incidentOf(t))).toBe(1);
        expect(await shared.incidents.create(incidentOf(t))).toBe(2);
        expect(await shared.incidents.create(incidentOf(other))).toBe(1);
        await shared.alerts.insert(alertOf(t, 'da3_1', { incidentId: 1, alertCreationTime: ago(2 * HOUR) }));
        await shared.alerts.insert(alertOf(t, 'da3_2', { incidentId: 1, rbacGroupId: 7, alertCreationTime: ago(HOUR) }));
        await shared.alerts.insert(alertOf(t, 'da3_3', { incidentId: 2, rbacGroupId: 9 }));
        const inc = await shared.incidents.get(t, 1, 'all');
        expect(inc).toMatchObject({ incidentId: 1, status: 'Active', tags: ['t'], classification: 'Unknown' });
        expect(inc?.alerts.map((a) => a.alertId)).toEqual(['da3_1', 'da3_2']);
        expect(await shared.incidents.get(t, 2, [7])).toBeNull();
        // a scoped caller sees the incident with its own groups' alerts only
        expect((await shared.incidents.get(t, 1, [7]))?.alerts.map((a) => a.alertId)).toEqual(['da3_2']);
        expect((await shared.incidents.list(t, all, [0])).items.map((i) => [i.incidentId, i.alerts.map((a) => a.alertId)])).toEqual([[1, ['da3_1']]]);
        expect((await shared.alerts.byIncidents(t, [1, 2], [9, 7])).map((a) => a.id)).toEqual(['da3_2', 'da3_3']);
        expect(await shared.alerts.byIncidents(t, [1, 2], [])).toEqual([]);
        expect((await shared.incidents.list(t, all, [9])).items.map((i) => i.incidentId)).toEqual([2]);
        expect((await shared.incidents.list(other, all, 'all')).items[0].alerts).toEqual([]);
        expect(await shared.incidents.update(t, 2, { status: 'Resolved' }, [7])).toBeNull();
        expect((await shared.incidents.update(t, 1, { status: 'InProgress', assignedTo: 'me', tags: [] }, 'all'))).toMatchObject({ status: 'InProgress', assignedTo: 'me', tags: [] });

        await shared.alerts.addEntities(t, 'da3_1', ['machine:m1', 'sha1:aa'], ago(2 * HOUR));
        await shared.alerts.addEntities(t, 'da3_3', ['sha1:aa'], ago(HOUR));
        expect(await shared.alerts.openIncidentSharing(t, ['sha1:aa'], ago(3 * HOUR))).toBe(2);
        expect(await shared.alerts.openIncidentSharing(t, ['machine:m1'], ago(3 * HOUR))).toBe(1);
        // several entities: the incident of the newest alert sharing any of them
        expect(await shared.alerts.openIncidentSharing(t, ['machine:m1', 'sha1:aa', 'user:nobody'], ago(3 * HOUR))).toBe(2);
        expect(await shared.alerts.openIncidentSharing(t, ['user:nobody', 'machine:m1'], ago(3 * HOUR))).toBe(1);
        expect(await shared.alerts.openIncidentSharing(t, ['machine:m1'], ago(HOUR))).toBeNull();
        expect(await shared.alerts.openIncidentSharing(other, ['sha1:aa'], ago(3 * HOUR))).toBeNull();
        await shared.incidents.update(t, 2, { status: 'Resolved' }, 'all');
        expect(await shared.alerts.openIncidentSharing(t, ['sha1:aa'], ago(3 * HOUR))).toBe(1);
        expect(await shared.alerts.openIncidentSharing(t, [], ago(3 * HOUR))).toBeNull();
      });

      it('an alert joining an incident moves its lastUpdateTime and raises, never lowers, its severity', async () => {
        const t = await newTenant(shared);
        const id = await shared.incidents.create({ ...incidentOf(t), severity: 'Low' });
        await shared.incidents.alertJoined(t, id, ago(HOUR / 2), 'Medium');
        expect(await shared.incidents.get(t, id, 'all')).toMatchObject({ severity: 'Medium', lastUpdateTime: ago(HOUR / 2) });
        await shared.incidents.alertJoined(t, id, ago(HOUR / 4), 'Informational');
        expect(await shared.incidents.get(t, id, 'all')).toMatchObject({ severity: 'Medium', lastUpdateTime: ago(HOUR / 4) });
        // another tenant's incident of the same number is left alone; a missing one is no error
        const other = await newTenant(shared);
        expect(await shared.incidents.create({ ...incidentOf(other), severity: 'Low' })).toBe(id);
        await shared.incidents.alertJoined(t, id, ago(0), 'High');
        expect(await shared.incidents.get(t, id, 'all')).toMatchObject({ severity: 'High' });
        expect(await shared.incidents.get(other, id, 'all')).toMatchObject({ severity: 'Low', lastUpdateTime: ago(HOUR) });
        await shared.incidents.alertJoined(t, id + 100, ago(0), 'High');
      });
    });

    describe('transactions', () => {
      it('commits when fn resolves, and sees its own writes', async () => {
        const t = randomUUID();
        const d = makeDevice(t, 'tx1', { machineTags: ['a'] });
        const result = await shared.tx(async (r) => {
          await r.tenants.create({ id: t, name: 'Tx', createdAt: '2025-01-01T00:00:00.000Z' });
          await r.devices.insert(d);
          await r.devices.update(t, d.id, { machineTags: ['b'] }, 'all');
          return (await r.devices.get(t, d.id, 'all'))?.machineTags;
        });
        expect(result).toEqual(['b']);
        expect(await shared.tenants.get(t)).not.toBeNull();
        expect((await shared.devices.get(t, d.id, 'all'))?.machineTags).toEqual(['b']);
      });

      it('rolls everything back when fn throws', async () => {
        const t = randomUUID();
        const d = makeDevice(t, 'tx2', { machineTags: ['x', 'y'] });
        const boom = new Error('boom');
        await expect(shared.tx(async (r) => {
          await r.tenants.create({ id: t, name: 'Tx', createdAt: '2025-01-01T00:00:00.000Z' });
          await r.devices.insert(d);
          await r.audit.append({ tenantId: t, time: '2025-06-01T00:00:00.000Z', actorKind: 'system', actorId: 'system', action: 'a', target: 'b', result: 'success', details: null });
          throw boom;
        })).rejects.toBe(boom);
        expect(await shared.tenants.get(t)).toBeNull();
        expect(await shared.devices.get(t, d.id, 'all')).toBeNull();
        expect(await shared.audit.list(t, 10)).toEqual([]);
        expect(await shared.devices.findByTag(t, 'x', false, 'all')).toEqual([]);
      });

      it('leaves no partial device when its tag insert fails', async () => {
        const t = await newTenant(shared);
        const first = makeDevice(t, 'atom', { machineTags: ['t'] });
        await shared.devices.insert(first);
        await expectPalisade(shared.devices.insert({ ...first, computerDnsName: 'changed' }), 'Conflict');
        expect(await shared.devices.get(t, first.id, 'all')).toEqual(first);
      });
    });

    describe('scale', () => {
      it('filters and pages 10,000 devices in a few milliseconds', async () => {
        const { store } = await fresh();
        const t = await newTenant(store);
        await store.tx(async (r) => {
          for (let i = 0; i < 10_000; i++) {
            await r.devices.insert(makeDevice(t, `s${String(i).padStart(5, '0')}`, {
              computerDnsName: `host-${i}.corp.example.com`,
              lastSeen: ago((i % 20) * DAY + i * 1000),
              sensorHealth: i % 3 === 0 ? 'ImpairedCommunication' : 'Active',
              rbacGroupId: i % 10,
              machineTags: i % 50 === 0 ? ['Sampled', `batch-${i % 7}`] : [],
            }));
          }
        });
        expect(await store.devices.count(t)).toBe(10_000);
        const query = q(and(cmp('healthStatus', 'eq', 'Active'), fn('startswith', 'computerDnsName', 'host-1')), { top: 100, count: true });
        const timings: number[] = [];
        let page = await store.devices.list(t, query, [1, 2, 3, 4, 5], NOW);
        for (let i = 0; i < 7; i++) {
          const t0 = performance.now();
          page = await store.devices.list(t, query, [1, 2, 3, 4, 5], NOW);
          timings.push(performance.now() - t0);
        }
        timings.sort((x, y) => x - y);
        const median = timings[3];
        expect(page.items).toHaveLength(100);
        expect(page.total).toBeGreaterThan(100);
        const lastSeen = page.items.map((d) => d.lastSeen);
        expect([...lastSeen].sort().reverse()).toEqual(lastSeen);
        // Generous bound for a loaded 2-core CI machine; typically a few ms.
        expect(median).toBeLessThan(100);

        const t0 = performance.now();
        const tagged = await store.devices.list(t, q(anyTag(cmp('$it', 'eq', 'Sampled')), { top: 100, count: true }), 'all', NOW);
        expect(performance.now() - t0).toBeLessThan(200);
        expect(tagged.total).toBe(200);
        expect(tagged.items.every((d) => d.machineTags[0] === 'Sampled')).toBe(true);
        const byName = await store.devices.getByName(t, 'HOST-4242.corp.example.com', 'all');
        expect(byName?.id).toBe(devId('s04242'));
      });
    });
  });
}
