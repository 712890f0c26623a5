/** What SIEMs pull (services/siem.ts); how a detection is shown is src/entities/siem-detection.ts. */
import type { Alert } from './alert.ts';
import type { Device } from './device.ts';

/** One detection of MDE's legacy SIEM API: the alert and its machine (null when the machine is no longer known). */
export interface Detection {
  alert: Alert;
  device: Device | null;
}
