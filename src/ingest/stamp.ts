/**
 * The stamp step: identity comes from the device credential, never from the row. DeviceId and
 * DeviceName are overwritten on every table that has them; the tenant and device group travel with
 * the batch into the store's hidden columns.
 */
import type { ValidLine } from './validate-line.ts';
import { ok } from './step.ts';
import type { StepResult } from './step.ts';

/** Who sent the batch, as established by the device credential. */
export interface DeviceIdentity {
  tenantId: string;
  deviceId: string;
  deviceName: string;
  rbacGroupId: number;
}

const hasDeviceColumns = new WeakMap<object, { id: boolean; name: boolean }>();

/** Sets DeviceId/DeviceName from the identity (where the table has those columns). */
export function stampLine(line: ValidLine, who: DeviceIdentity): StepResult<ValidLine> {
  let has = hasDeviceColumns.get(line.table);
  if (!has) {
    has = { id: line.table.columns.some((c) => c.name === 'DeviceId'), name: line.table.columns.some((c) => c.name === 'DeviceName') };
    hasDeviceColumns.set(line.table, has);
  }
  if (has.id) line.row.DeviceId = who.deviceId;
  if (has.name) line.row.DeviceName = who.deviceName;
  return ok(line);
}
