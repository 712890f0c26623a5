import type { TableDecl } from '../types.ts';
import { COLUMNS as C, DEVICE_KEY } from '../columns.ts';

/** The DeviceNetworkInfo advanced-hunting table: columns, KQL types and order exactly as MDE publishes them. */
export const deviceNetworkInfo: TableDecl = {
  name: 'DeviceNetworkInfo',
  description: 'Network adapter configuration of devices',
  columns: [
    ...DEVICE_KEY,
    { name: 'NetworkAdapterName', type: 'string', description: 'Name of the network adapter' },
    { name: 'MacAddress', type: 'string', description: 'MAC address of the network adapter' },
    { name: 'NetworkAdapterType', type: 'string', description: 'Adapter type, using .NET NetworkInterfaceType names' },
    { name: 'NetworkAdapterStatus', type: 'string', description: 'Operational status of the adapter, using .NET OperationalStatus names' },
    { name: 'TunnelType', type: 'string', description: 'Tunneling protocol, when the adapter is a tunnel' },
    { name: 'ConnectedNetworks', type: 'string', description: 'Networks the adapter is connected to (name, category, description, internet flag) as JSON text' },
    { name: 'DnsAddresses', type: 'string', description: 'DNS server addresses as JSON array text' },
    { name: 'IPv4Dhcp', type: 'string', description: 'IPv4 address of the DHCP server' },
    { name: 'IPv6Dhcp', type: 'string', description: 'IPv6 address of the DHCP server' },
    { name: 'DefaultGateways', type: 'string', description: 'Default gateway addresses as JSON array text' },
    { name: 'IPAddresses', type: 'string', description: 'Addresses on the adapter with subnet prefix and address space, as JSON array text' },
    C.ReportId,
    { name: 'NetworkAdapterVendor', type: 'string', description: 'Manufacturer of the network adapter' },
  ],
};
