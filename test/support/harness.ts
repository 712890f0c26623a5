/**
 * An in-process Palisade for API tests, composed as `palisade serve` composes it (src/compose.ts,
 * every role): a temp SQLite state store, an in-memory event store, the real app (no network), a
 * tenant, and helpers to mint apps and tokens. Requests go through Fastify's `inject`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PalisadeApp } from '../../src/api/app.ts';
import { compose, type EventStack, type HttpOptions, type Palisade, type Role } from '../../src/compose.ts';
import type { TenantService } from '../../src/services/tenants.ts';
import { operatorCtx, type Ctx } from '../../src/domain/context.ts';
import type { Device } from '../../src/domain/device.ts';
import type { Tenant } from '../../src/domain/tenant.ts';
import type { StateStore } from '../../src/domain/ports.ts';
import type { HuntingLimits } from '../../src/services/hunting.ts';

export interface Harness {
  app: PalisadeApp;
  /** The composed program (roles, counters, stores). */
  palisade: Palisade;
  state: StateStore;
  /** The SQLite file behind `state` (for tests that change rows directly, as an attacker with the file could). */
  stateFile: string;
  events: EventStack;
  tenants: TenantService;
  tenantId: string;
  /** A local operator's context on a tenant (default: the harness tenant). */
  operator(tenantId?: string): Ctx;
  /** Creates another tenant as an operator. */
  newTenant(name: string): Promise<Tenant>;
  /** Creates an app with these permissions and returns a bearer token for it (for the MDE API, or `scope`: e.g. Graph's). */
  token(permissions: string[], tenantId?: string, scope?: string): Promise<string>;
  /** Inserts a device directly into the store. */
  addDevice(d: Partial<Device> & { computerDnsName: string }, tenantId?: string): Promise<Device>;
  close(): Promise<void>;
}

let counter = 0;

/** A realistic device record with overrides. */
export function deviceRecord(tenantId: string, d: Partial<Device> & { computerDnsName: string }): Device {
  counter++;
  const now = new Date().toISOString();
  return {
    tenantId,
    id: (counter.toString(16).padStart(8, '0') + 'a'.repeat(32)).slice(0, 40),
    firstSeen: now,
    lastSeen: now,
    osPlatform: 'Windows11',
    osVersion: null,
    version: '23H2',
    osProcessor: 'x64',
    osArchitecture: '64-bit',
    osBuild: 22631,
    lastIpAddress: '10.0.0.5',
    lastExternalIpAddress: '203.0.113.7',
    agentVersion: '10.8790.22631.1000',
    sensorHealth: 'Active',
    onboardingStatus: 'Onboarded',
    rbacGroupId: 0,
    rbacGroupName: null,
    riskScore: 'None',
    exposureLevel: 'Low',
    deviceValue: 'Normal',
    aadDeviceId: null,
    isAadJoined: false,
    machineTags: [],
    ipAddresses: [{ ipAddress: '10.0.0.5', macAddress: '00155D010203', type: 'Ethernet', operationalStatus: 'Up' }],
    managedBy: 'Palisade',
    managedByStatus: 'Success',
    defenderAvStatus: 'Updated',
    credentialHash: 'x'.repeat(64),
    ...d,
  };
}

/** Starts a harness; call close() in afterAll. `extra` sets the HTTP options (throttle is off unless set); `opts` the event side and roles. */
export async function startHarness(
  extra: HttpOptions & { clock?: () => Date } = {},
  opts: { hunting?: Partial<HuntingLimits>; geoIpDb?: string; roles?: Role[] } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-test-'));
  const { clock, ...http } = extra;
  const palisade = await compose({
    roles: opts.roles,
    state: join(dir, 'state.db'),
    events: { path: ':memory:', retentionDays: 30, hunting: opts.hunting, geoIpDb: opts.geoIpDb },
    clock,
    http: { throttle: false, ...http },
  });
  const { app, state, tenants } = palisade;
  const events = palisade.events as EventStack;
  const tenant = await tenants.createTenant(operatorCtx(randomUUID(), 'test'), 'Test');
  await app.ready();
  const h: Harness = {
    app,
    palisade,
    state,
    stateFile: join(dir, 'state.db'),
    events,
    tenants,
    tenantId: tenant.id,
    operator: (tenantId = tenant.id) => operatorCtx(tenantId, 'test'),
    newTenant: (name) => tenants.createTenant(operatorCtx(randomUUID(), 'test'), name),
    async token(permissions, tenantId = tenant.id, scope = 'https://api.securitycenter.microsoft.com/.default') {
      const c = await tenants.createApp(operatorCtx(tenantId, 'test'), `app-${permissions.join('-') || 'none'}`, permissions);
      const res = await app.inject({
        method: 'POST',
        url: `/${tenantId}/oauth2/v2.0/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'localhost:8443' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope }).toString(),
      });
      if (res.statusCode !== 200) throw new Error(`token request failed: ${res.body}`);
      return res.json().access_token as string;
    },
    async addDevice(d, tenantId = tenant.id) {
      const rec = deviceRecord(tenantId, d);
      await state.devices.insert(rec);
      return rec;
    },
    async close() {
      await palisade.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
