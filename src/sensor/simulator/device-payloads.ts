/**
 * What a simulated device tells the server: its enrollment info and heartbeats, in the sensor
 * protocol's wire shapes.
 */
import type { EnrollInfo, Heartbeat, WireIpAddress } from '../transport/protocol.ts';
import type { SimDevice } from './fleet.ts';

/** The device's interfaces as the machine entity lists them. */
export function ipAddressesOf(device: SimDevice): WireIpAddress[] {
  return device.nics.map((n) => ({ ipAddress: n.ipAddress, macAddress: n.macAddress, type: n.type, operationalStatus: n.operationalStatus }));
}

/** Enrollment info for a simulated device (the token comes from the onboarding package). */
export function enrollInfoOf(device: SimDevice): EnrollInfo {
  return {
    computerDnsName: device.computerDnsName,
    osPlatform: device.osPlatform,
    osVersion: device.osVersion,
    version: device.version,
    osBuild: device.osBuild,
    osArchitecture: device.osArchitecture,
    osProcessor: device.osProcessor,
    agentVersion: device.agentVersion,
    ipAddresses: ipAddressesOf(device),
    lastExternalIpAddress: device.lastExternalIpAddress,
    aadDeviceId: device.aadDeviceId,
    machineTags: [...device.machineTags],
  };
}

/** A heartbeat for a simulated device; health defaults to Active. */
export function heartbeatOf(device: SimDevice, sensorHealth: Heartbeat['sensorHealth'] = 'Active'): Heartbeat {
  return {
    sensorHealth,
    osVersion: device.osVersion,
    osBuild: device.osBuild,
    agentVersion: device.agentVersion,
    ipAddresses: ipAddressesOf(device),
    lastExternalIpAddress: device.lastExternalIpAddress,
    loggedOnUsers: device.loggedOnUsers.map((u) => ({ UserName: u.accountName, DomainName: u.accountDomain, ...(u.accountSid ? { Sid: u.accountSid } : {}) })),
  };
}
