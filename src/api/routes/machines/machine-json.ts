/**
 * The machine entity as MDE serializes it: every key present (null when there is no value), in
 * MDE's key order, datetimes in UTC with up to 7 fractional digits and trailing zeros trimmed.
 */
import { healthStatusOf, type Device } from '../../../domain/device.ts';
import { mdeDateTime } from '../../mde-datetime.ts';

/** Serializes a device as an MDE machine object. `now` fixes the derived health status. */
export function machineJson(d: Device, now: Date = new Date()): Record<string, unknown> {
  return {
    id: d.id,
    mergedIntoMachineId: null,
    isPotentialDuplication: false,
    isExcluded: false,
    exclusionReason: null,
    computerDnsName: d.computerDnsName,
    firstSeen: mdeDateTime(d.firstSeen),
    lastSeen: mdeDateTime(d.lastSeen),
    osPlatform: d.osPlatform,
    osVersion: d.osVersion,
    osProcessor: d.osProcessor,
    version: d.version,
    lastIpAddress: d.lastIpAddress,
    lastExternalIpAddress: d.lastExternalIpAddress,
    agentVersion: d.agentVersion,
    osBuild: d.osBuild,
    healthStatus: healthStatusOf(d, now),
    deviceValue: d.deviceValue,
    rbacGroupId: d.rbacGroupId,
    rbacGroupName: d.rbacGroupName,
    riskScore: d.riskScore,
    exposureLevel: d.exposureLevel,
    isAadJoined: d.isAadJoined,
    aadDeviceId: d.aadDeviceId,
    machineTags: d.machineTags,
    defenderAvStatus: d.defenderAvStatus,
    onboardingStatus: d.onboardingStatus,
    osArchitecture: d.osArchitecture,
    managedBy: d.managedBy,
    managedByStatus: d.managedByStatus,
    ipAddresses: d.ipAddresses.map((i) => ({ ipAddress: i.ipAddress, macAddress: i.macAddress, type: i.type, operationalStatus: i.operationalStatus })),
    vmMetadata: null,
  };
}
