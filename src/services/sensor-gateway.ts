/**
 * The sensor side of Palisade (protocol v1, DESIGN.md §6): onboarding tokens, enrollment, device
 * authentication, heartbeats. Heartbeats update the inventory and also write DeviceInfo /
 * DeviceNetworkInfo rows (through the EventWriter port) so hunting sees device state over time.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SENSOR_HEALTH, type Device, type DeviceIpAddress, type SensorHealth } from '../domain/device.ts';
import { errors, PalisadeError } from '../domain/errors.ts';
import type { EventRow, EventWriter, StateStore } from '../domain/ports.ts';
import { digestToken, newSecret, sameDigest } from '../auth/secrets.ts';

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
  ipAddresses?: DeviceIpAddress[];
  lastExternalIpAddress?: string | null;
  aadDeviceId?: string | null;
  machineTags?: string[];
}

/** A heartbeat's payload; everything but the health is optional and only changes what it names. */
export interface HeartbeatInfo {
  sensorHealth?: string;
  osVersion?: string | null;
  version?: string | null;
  osBuild?: number | null;
  agentVersion?: string | null;
  ipAddresses?: DeviceIpAddress[];
  lastExternalIpAddress?: string | null;
  loggedOnUsers?: { UserName: string; DomainName?: string; Sid?: string }[];
}

/** An authenticated device, as the gateway routes need it. */
export interface DeviceIdentity {
  tenantId: string;
  deviceId: string;
  deviceName: string;
  rbacGroupId: number;
}

function firstIpv4(ips: readonly DeviceIpAddress[] | undefined): string | null {
  return ips?.find((i) => /^\d+\.\d+\.\d+\.\d+$/.test(i.ipAddress) && !i.ipAddress.startsWith('127.'))?.ipAddress ?? ips?.[0]?.ipAddress ?? null;
}

function str(v: unknown, max = 256): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw errors.invalidBody(`Expected a string, got ${JSON.stringify(v)}`);
  if (v.length > max) throw errors.invalidBody(`Value longer than ${max} characters`);
  return v;
}

function ipList(v: unknown): DeviceIpAddress[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 64) throw errors.invalidBody("'ipAddresses' must be an array of at most 64 interfaces");
  return v.map((x) => {
    if (!x || typeof x !== 'object' || typeof (x as { ipAddress?: unknown }).ipAddress !== 'string') throw errors.invalidBody("each of 'ipAddresses' needs an 'ipAddress' string");
    const o = x as Record<string, unknown>;
    return { ipAddress: String(o.ipAddress), macAddress: str(o.macAddress, 32), type: str(o.type, 64), operationalStatus: str(o.operationalStatus, 64) };
  });
}

/** Enrollment, authentication and heartbeats of devices. */
export class SensorGateway {
  private authCache = new Map<string, { digest: string; identity: DeviceIdentity; at: number }>();

  constructor(
    private readonly store: StateStore,
    /** Where device-state rows go; none (admin commands) writes none. */
    private readonly events: EventWriter | null,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Makes an enrollment token valid for `ttlMs`; returns the token (shown once) and its record id. */
  async createEnrollmentToken(tenantId: string, ttlMs: number): Promise<{ token: string; id: string; expiresAt: string }> {
    if (!(ttlMs > 0)) throw errors.badRequest('The enrollment token lifetime must be positive');
    const token = `pe1.${newSecret(32)}`;
    const now = this.clock();
    const rec = { tenantId, id: randomUUID(), tokenHash: digestToken(token), createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + ttlMs).toISOString(), revokedAt: null, uses: 0 };
    await this.store.enrollments.create(rec);
    return { token, id: rec.id, expiresAt: rec.expiresAt };
  }

  /** Revokes an enrollment token: devices that enrolled with it stay, new enrollments are refused. */
  async revokeEnrollmentToken(tenantId: string, id: string): Promise<void> {
    if (!(await this.store.enrollments.revoke(tenantId, id, this.clock().toISOString()))) throw errors.notFound(`Enrollment token ${id} was not found`);
  }

  /** Enrolls a device; returns its id and the credential it must present from now on. */
  async enroll(body: EnrollInfo): Promise<{ deviceId: string; deviceCredential: string; tenantId: string; heartbeatIntervalSeconds: number }> {
    if (typeof body?.enrollmentToken !== 'string' || !body.enrollmentToken) throw errors.unauthorized('An enrollment token is required');
    const tok = await this.store.enrollments.getByHash(digestToken(body.enrollmentToken));
    const now = this.clock();
    if (!tok) throw errors.unauthorized('The enrollment token is not valid');
    if (tok.revokedAt) throw errors.unauthorized('The enrollment token has been revoked');
    if (Date.parse(tok.expiresAt) <= now.getTime()) throw errors.unauthorized('The enrollment token has expired');
    const name = str(body.computerDnsName, 255);
    if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw errors.invalidBody("'computerDnsName' must be a host name");
    const platform = str(body.osPlatform, 64);
    if (!platform) throw errors.invalidBody("'osPlatform' is required");
    const ips = ipList(body.ipAddresses) ?? [];
    const tags = body.machineTags === undefined ? [] : body.machineTags;
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || !t || t.length > 200)) throw errors.invalidBody("'machineTags' must be an array of tags");
    if (body.osBuild !== undefined && body.osBuild !== null && !Number.isInteger(body.osBuild)) throw errors.invalidBody("'osBuild' must be an integer");
    const credential = newSecret(32);
    const device: Device = {
      tenantId: tok.tenantId,
      id: randomBytes(20).toString('hex'),
      computerDnsName: name.toLowerCase(),
      firstSeen: now.toISOString(),
      lastSeen: now.toISOString(),
      osPlatform: platform,
      osVersion: str(body.osVersion),
      version: str(body.version),
      osProcessor: str(body.osProcessor, 32) ?? 'x64',
      osArchitecture: str(body.osArchitecture, 32),
      osBuild: body.osBuild ?? null,
      lastIpAddress: firstIpv4(ips),
      lastExternalIpAddress: str(body.lastExternalIpAddress, 64),
      agentVersion: str(body.agentVersion, 64),
      sensorHealth: 'Active',
      onboardingStatus: 'Onboarded',
      rbacGroupId: 0,
      rbacGroupName: null,
      riskScore: 'None',
      exposureLevel: null,
      deviceValue: 'Normal',
      aadDeviceId: str(body.aadDeviceId, 64),
      isAadJoined: !!body.aadDeviceId,
      machineTags: [...new Set(tags as string[])],
      ipAddresses: ips,
      managedBy: 'Palisade',
      managedByStatus: 'Success',
      defenderAvStatus: 'Unknown',
      credentialHash: digestToken(credential),
    };
    await this.store.tx(async (r) => {
      await r.devices.insert(device);
      await r.enrollments.incrementUses(tok.tenantId, tok.id);
      await r.audit.append({ tenantId: tok.tenantId, time: now.toISOString(), actorKind: 'device', actorId: device.id, action: 'device.enroll', target: device.id, result: 'success', details: JSON.stringify({ name: device.computerDnsName, enrollmentTokenId: tok.id }) });
    });
    await this.writeDeviceRows(device, undefined);
    return { deviceId: device.id, deviceCredential: credential, tenantId: tok.tenantId, heartbeatIntervalSeconds: DEFAULT_HEARTBEAT_SECONDS };
  }

  /** Checks an `Authorization: Device <id>:<credential>` value; throws Unauthorized otherwise. */
  async authenticate(header: string | undefined): Promise<DeviceIdentity> {
    const m = /^Device ([0-9a-f]{40}):([A-Za-z0-9_-]{16,128})$/.exec(header ?? '');
    if (!m) throw errors.unauthorized('A device credential is required (Authorization: Device <id>:<credential>)');
    const [, deviceId, credential] = m;
    const digest = digestToken(credential);
    const hit = this.authCache.get(deviceId);
    if (hit && Date.now() - hit.at < 300_000 && sameDigest(hit.digest, digest)) return hit.identity;
    const d = await this.findDevice(deviceId);
    if (!d || !sameDigest(d.credentialHash, digest)) throw errors.unauthorized('The device credential is not valid');
    const identity = { tenantId: d.tenantId, deviceId: d.id, deviceName: d.computerDnsName, rbacGroupId: d.rbacGroupId };
    if (this.authCache.size > 200_000) this.authCache.clear();
    this.authCache.set(deviceId, { digest: d.credentialHash, identity, at: Date.now() });
    return identity;
  }

  /** Devices are looked up by id across tenants: the id is globally unique (160 random bits). */
  private async findDevice(deviceId: string): Promise<Device | null> {
    for (const t of await this.store.tenants.list()) {
      const d = await this.store.devices.get(t.id, deviceId);
      if (d) return d;
    }
    return null;
  }

  /** Records a heartbeat: last seen, health, versions, addresses; writes DeviceInfo rows. */
  async heartbeat(id: DeviceIdentity, body: HeartbeatInfo): Promise<{ heartbeatIntervalSeconds: number }> {
    const health = body?.sensorHealth ?? 'Active';
    if (!(SENSOR_HEALTH as readonly string[]).includes(health)) throw errors.invalidBody(`'sensorHealth' must be one of ${SENSOR_HEALTH.join(', ')}`);
    if (body.osBuild !== undefined && body.osBuild !== null && !Number.isInteger(body.osBuild)) throw errors.invalidBody("'osBuild' must be an integer");
    const ips = ipList(body.ipAddresses);
    const patch: Partial<Device> = { lastSeen: this.clock().toISOString(), sensorHealth: health as SensorHealth };
    if (body.osVersion !== undefined) patch.osVersion = str(body.osVersion);
    if (body.version !== undefined) patch.version = str(body.version);
    if (body.osBuild !== undefined) patch.osBuild = body.osBuild;
    if (body.agentVersion !== undefined) patch.agentVersion = str(body.agentVersion, 64);
    if (body.lastExternalIpAddress !== undefined) patch.lastExternalIpAddress = str(body.lastExternalIpAddress, 64);
    if (ips) {
      patch.ipAddresses = ips;
      patch.lastIpAddress = firstIpv4(ips);
    }
    const d = await this.store.devices.update(id.tenantId, id.deviceId, patch);
    if (!d) throw new PalisadeError('Unauthorized', 'The device is no longer enrolled');
    await this.writeDeviceRows(d, body.loggedOnUsers);
    return { heartbeatIntervalSeconds: DEFAULT_HEARTBEAT_SECONDS };
  }

  private async writeDeviceRows(d: Device, loggedOnUsers: HeartbeatInfo['loggedOnUsers']): Promise<void> {
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
