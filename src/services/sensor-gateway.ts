/**
 * The sensor side of Palisade (protocol v1, DESIGN.md §6): onboarding tokens, enrollment, device
 * authentication, heartbeats. Bodies arrive validated against the protocol's schemas (the sensor
 * surface checks them before calling; every string and list is bounded there). Heartbeats update
 * the inventory and also write DeviceInfo / DeviceNetworkInfo rows (through the EventWriter port)
 * so hunting sees device state over time. Device credentials are checked against the store on every
 * call, so a revoked credential (services/devices.ts `revokeCredential`) is refused at once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Ctx } from '../domain/context.ts';
import { membershipOf } from '../domain/device-group.ts';
import { REVOKED_CREDENTIAL, type Device, type DeviceIpAddress, type SensorHealth } from '../domain/device.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import type { EventRow, EventWriter, StateStore } from '../domain/ports.ts';
import { digestToken, newSecret, sameDigest } from '../auth/secrets.ts';
import { authz } from '../auth/authorizer.ts';
import { audited } from './audit.ts';
import { regroupDevice } from './device-groups.ts';

/** How often sensors are asked to send a heartbeat. */
export const DEFAULT_HEARTBEAT_SECONDS = 60;

/** What a sensor says about itself when it enrolls. */
export interface EnrollInfo {
  enrollmentToken: string;
  computerDnsName: string;
  osPlatform: string;
  osVersion?: string | null;
  version?: string | null;
  osBuild?: number | null;
  osArchitecture?: string | null;
  osProcessor?: string | null;
  agentVersion?: string | null;
  ipAddresses?: WireIp[];
  lastExternalIpAddress?: string | null;
  aadDeviceId?: string | null;
  machineTags?: string[];
}

/** A heartbeat's payload; everything is optional and only changes what it names (health: Active). */
export interface HeartbeatInfo {
  sensorHealth?: SensorHealth;
  /** The name and OS platform now; a change may move the device to another device group. */
  computerDnsName?: string;
  osPlatform?: string;
  osVersion?: string | null;
  version?: string | null;
  osBuild?: number | null;
  agentVersion?: string | null;
  ipAddresses?: WireIp[];
  lastExternalIpAddress?: string | null;
  loggedOnUsers?: { UserName: string; DomainName?: string; Sid?: string }[];
  /** The collectors running on the device; DeviceInfo's AdditionalFields names them. */
  collectors?: string[];
}

/** An authenticated device, as the gateway routes need it. */
export interface DeviceIdentity {
  tenantId: string;
  deviceId: string;
  deviceName: string;
  osPlatform: string;
  rbacGroupId: number;
}

/** A network interface as a sensor reports it; missing fields are unknown. */
export interface WireIp {
  ipAddress: string;
  macAddress?: string | null;
  type?: string | null;
  operationalStatus?: string | null;
}

function ipList(v: readonly WireIp[]): DeviceIpAddress[] {
  return v.map((x) => ({ ipAddress: x.ipAddress, macAddress: x.macAddress ?? null, type: x.type ?? null, operationalStatus: x.operationalStatus ?? null }));
}

function firstIpv4(ips: readonly DeviceIpAddress[] | undefined): string | null {
  return ips?.find((i) => /^\d+\.\d+\.\d+\.\d+$/.test(i.ipAddress) && !i.ipAddress.startsWith('127.'))?.ipAddress ?? ips?.[0]?.ipAddress ?? null;
}

/** Enrollment, authentication and heartbeats of devices. */
export class SensorGateway {
  constructor(
    private readonly store: StateStore,
    /** Where device-state rows go; none (admin commands) writes none. */
    private readonly events: EventWriter | null,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Makes an enrollment token valid for `ttlMs` (operators only); returns the token (shown once) and its record id. */
  async createEnrollmentToken(ctx: Ctx, ttlMs: number): Promise<{ token: string; id: string; expiresAt: string }> {
    const token = `pe1.${newSecret(32)}`;
    const now = this.clock();
    const rec = { tenantId: ctx.tenantId, id: randomUUID(), tokenHash: digestToken(token), createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + ttlMs).toISOString(), revokedAt: null, uses: 0 };
    return audited(this.store, ctx, this.clock, 'enrollmentToken.create', rec.id, async (r) => {
      authz.requireOperator(ctx);
      if (!(ttlMs > 0)) throw errors.badRequest('The enrollment token lifetime must be positive');
      await r.enrollments.create(rec);
      return { token, id: rec.id, expiresAt: rec.expiresAt };
    }, JSON.stringify({ expiresAt: rec.expiresAt }));
  }

  /** Revokes an enrollment token (operators only): devices that enrolled with it stay, new enrollments are refused. */
  async revokeEnrollmentToken(ctx: Ctx, id: string): Promise<void> {
    await audited(this.store, ctx, this.clock, 'enrollmentToken.revoke', id, async (r) => {
      authz.requireOperator(ctx);
      if (!(await r.enrollments.revoke(ctx.tenantId, id, this.clock().toISOString()))) throw errors.notFound(`Enrollment token ${id} was not found`);
    });
  }

  /** Enrolls a device; returns its id and the credential it must present from now on. */
  async enroll(body: EnrollInfo): Promise<{ deviceId: string; deviceCredential: string; tenantId: string; heartbeatIntervalSeconds: number }> {
    const tok = await this.store.enrollments.getByHash(digestToken(body.enrollmentToken));
    const now = this.clock();
    if (!tok) throw errors.unauthorized('The enrollment token is not valid');
    if (tok.revokedAt) throw errors.unauthorized('The enrollment token has been revoked');
    if (Date.parse(tok.expiresAt) <= now.getTime()) throw errors.unauthorized('The enrollment token has expired');
    const ips = ipList(body.ipAddresses ?? []);
    const credential = newSecret(32);
    const device: Device = {
      tenantId: tok.tenantId,
      id: randomBytes(20).toString('hex'),
      computerDnsName: body.computerDnsName.toLowerCase(),
      firstSeen: now.toISOString(),
      lastSeen: now.toISOString(),
      osPlatform: body.osPlatform,
      osVersion: body.osVersion ?? null,
      version: body.version ?? null,
      osProcessor: body.osProcessor ?? 'x64',
      osArchitecture: body.osArchitecture ?? null,
      osBuild: body.osBuild ?? null,
      lastIpAddress: firstIpv4(ips),
      lastExternalIpAddress: body.lastExternalIpAddress ?? null,
      agentVersion: body.agentVersion ?? null,
      sensorHealth: 'Active',
      onboardingStatus: 'Onboarded',
      rbacGroupId: 0,
      rbacGroupName: null,
      riskScore: 'None',
      exposureLevel: null,
      deviceValue: 'Normal',
      aadDeviceId: body.aadDeviceId ?? null,
      isAadJoined: !!body.aadDeviceId,
      machineTags: [...new Set(body.machineTags ?? [])],
      ipAddresses: ips,
      managedBy: 'Palisade',
      managedByStatus: 'Success',
      defenderAvStatus: 'Unknown',
      credentialHash: digestToken(credential),
    };
    await this.store.tx(async (r) => {
      // its group comes from the tenant's device groups (name, domain, tags, OS), as later changes keep it
      Object.assign(device, membershipOf(device, await r.deviceGroups.list(device.tenantId)));
      await r.devices.insert(device);
      await r.enrollments.incrementUses(tok.tenantId, tok.id);
      await r.audit.append({ tenantId: tok.tenantId, time: now.toISOString(), actorKind: 'device', actorId: device.id, action: 'device.enroll', target: device.id, result: 'success', details: JSON.stringify({ name: device.computerDnsName, enrollmentTokenId: tok.id }) });
    });
    await this.writeDeviceRows(device, undefined, undefined);
    return { deviceId: device.id, deviceCredential: credential, tenantId: tok.tenantId, heartbeatIntervalSeconds: DEFAULT_HEARTBEAT_SECONDS };
  }

  /**
   * Checks an `Authorization: Device <id>:<credential>` value against the store (no cache: a revoked
   * credential stops working at once); throws Unauthorized otherwise.
   */
  async authenticate(header: string | undefined): Promise<DeviceIdentity> {
    const m = /^Device ([0-9a-f]{40}):([A-Za-z0-9_-]{16,128})$/.exec(header ?? '');
    if (!m) throw errors.unauthorized('A device credential is required (Authorization: Device <id>:<credential>)');
    const [, deviceId, credential] = m;
    const d = await this.store.devices.credentialOf(deviceId);
    if (d && d.credentialHash === REVOKED_CREDENTIAL) throw errors.unauthorized('The device credential has been revoked');
    if (!d || !sameDigest(d.credentialHash, digestToken(credential))) throw errors.unauthorized('The device credential is not valid');
    return { tenantId: d.tenantId, deviceId: d.id, deviceName: d.computerDnsName, osPlatform: d.osPlatform, rbacGroupId: d.rbacGroupId };
  }

  /** Records a heartbeat: last seen, health, versions, addresses, a new name or OS (regrouping the device); writes DeviceInfo rows. */
  async heartbeat(id: DeviceIdentity, body: HeartbeatInfo): Promise<{ heartbeatIntervalSeconds: number }> {
    const patch: Partial<Device> = { lastSeen: this.clock().toISOString(), sensorHealth: body.sensorHealth ?? 'Active' };
    if (body.osVersion !== undefined) patch.osVersion = body.osVersion;
    if (body.version !== undefined) patch.version = body.version;
    if (body.osBuild !== undefined) patch.osBuild = body.osBuild;
    if (body.agentVersion !== undefined) patch.agentVersion = body.agentVersion;
    if (body.lastExternalIpAddress !== undefined) patch.lastExternalIpAddress = body.lastExternalIpAddress;
    if (body.ipAddresses) {
      patch.ipAddresses = ipList(body.ipAddresses);
      patch.lastIpAddress = firstIpv4(patch.ipAddresses);
    }
    const name = body.computerDnsName?.toLowerCase();
    if (name !== undefined && name !== id.deviceName) patch.computerDnsName = name;
    if (body.osPlatform !== undefined && body.osPlatform !== id.osPlatform) patch.osPlatform = body.osPlatform;
    // a device changes its own record only: its id comes from its credential, whatever its group
    const d = patch.computerDnsName !== undefined || patch.osPlatform !== undefined
      ? await this.store.tx(async (r) => {
        const u = await r.devices.update(id.tenantId, id.deviceId, patch, 'all');
        return u && regroupDevice(r, u);
      })
      : await this.store.devices.update(id.tenantId, id.deviceId, patch, 'all');
    if (!d) throw new PalisadeError('Unauthorized', 'The device is no longer enrolled');
    await this.writeDeviceRows(d, body.loggedOnUsers, body.collectors);
    return { heartbeatIntervalSeconds: DEFAULT_HEARTBEAT_SECONDS };
  }

  private async writeDeviceRows(d: Device, loggedOnUsers: HeartbeatInfo['loggedOnUsers'], collectors: HeartbeatInfo['collectors']): Promise<void> {
    if (!this.events) return;
    const ts = d.lastSeen;
    const info: EventRow = {
      Timestamp: ts,
      DeviceId: d.id,
      DeviceName: d.computerDnsName,
      ClientVersion: d.agentVersion ?? '',
      PublicIP: d.lastExternalIpAddress ?? '',
      OSArchitecture: d.osArchitecture ?? '',
      OSPlatform: d.osPlatform,
      OSBuild: d.osBuild,
      IsAzureADJoined: d.isAadJoined,
      AadDeviceId: d.aadDeviceId ?? '',
      LoggedOnUsers: loggedOnUsers ?? [],
      OSVersion: d.osVersion ?? d.version ?? '',
      MachineGroup: d.rbacGroupName ?? 'UnassignedGroup',
      OnboardingStatus: d.onboardingStatus,
      DeviceCategory: 'Endpoint',
      DeviceType: 'Workstation',
      SensorHealthState: d.sensorHealth,
      ExposureLevel: d.exposureLevel ?? '',
      AssetValue: d.deviceValue,
      DeviceManualTags: d.machineTags,
      ...(collectors ? { AdditionalFields: JSON.stringify({ Collectors: collectors }) } : {}),
    };
    const rows = [{ table: 'DeviceInfo', row: info }, ...d.ipAddresses.map((ip) => ({
      table: 'DeviceNetworkInfo',
      row: {
        Timestamp: ts,
        DeviceId: d.id,
        DeviceName: d.computerDnsName,
        NetworkAdapterName: ip.type ?? '',
        MacAddress: ip.macAddress ?? '',
        NetworkAdapterType: ip.type ?? '',
        NetworkAdapterStatus: ip.operationalStatus ?? '',
        IPAddresses: [{ IPAddress: ip.ipAddress }],
      } as EventRow,
    }))];
    await this.events.write({ tenantId: d.tenantId, deviceId: d.id, deviceName: d.computerDnsName, rbacGroupId: d.rbacGroupId, batchId: `hb-${randomUUID()}`, rows });
  }
}
