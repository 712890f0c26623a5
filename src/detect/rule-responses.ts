/**
 * The automatic actions of custom detection rules (Graph's responseActions), carried out for each
 * new alert a rule raises: isolate, collect an investigation package, run an antivirus scan, stop
 * and quarantine a file become machine actions on the event's device (requestor: the rule's id,
 * requestSource CustomDetection; an action of the kind already open on the device is left to run),
 * block and allow a file become file indicators of the tenant (the device groups the action names).
 * A response that cannot be carried out is logged and the others still run; the alert stays.
 */
import type { Logger } from 'pino';
import { assetColumn, type DetectionRule, type ResponseAction } from '../domain/detection-rule.ts';
import { systemCtx } from '../domain/context.ts';
import type { ActionRequest, MachineActionService } from '../services/machine-actions.ts';
import type { IndicatorService } from '../services/indicators.ts';

const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const SHA1 = /^[0-9a-f]{40}$/i;
const SHA256 = /^[0-9a-f]{64}$/i;
const PREFIX = '#microsoft.graph.security.';

/** Carries out a rule's automatic actions for the result row of a new alert. */
export interface RuleResponder {
  respond(rule: DetectionRule, row: Record<string, unknown>, alertId: string): Promise<void>;
}

/** The hash a file action names: the identifier's column, or for `deviceId` the row's SHA1 (then the initiating process's). */
function fileHashOf(a: ResponseAction, row: Record<string, unknown>): string | null {
  if (a.identifier === 'deviceId') return str(row.SHA1) ?? str(row.InitiatingProcessSHA1);
  return str(row[assetColumn(a.identifier)]);
}

/** The machine action a response asks for, or null when it is not a machine action. */
function machineRequestOf(a: ResponseAction, row: Record<string, unknown>, comment: string): ActionRequest | null {
  switch (a['@odata.type']) {
    case `${PREFIX}isolateDeviceResponseAction`:
      return { type: 'Isolate', scope: a.isolationType === 'selective' ? 'Selective' : 'Full', comment };
    case `${PREFIX}collectInvestigationPackageResponseAction`:
      return { type: 'CollectInvestigationPackage', scope: null, comment };
    case `${PREFIX}runAntivirusScanResponseAction`:
      // a quick scan: an automatic full scan would walk every local file system of the device
      return { type: 'RunAntiVirusScan', scope: 'Quick', comment };
    case `${PREFIX}stopAndQuarantineFileResponseAction`: {
      const sha1 = fileHashOf(a, row);
      if (!sha1 || !SHA1.test(sha1)) throw new Error(`the row holds no SHA-1 for ${a.identifier}`);
      return { type: 'StopAndQuarantineFile', scope: null, comment, sha1: sha1.toLowerCase() };
    }
    default:
      return null;
  }
}

/** The rule responder over the machine action and indicator use cases. */
export function createRuleResponder(deps: { actions: MachineActionService; indicators: IndicatorService; log?: Logger }): RuleResponder {
  return {
    async respond(rule, row, alertId) {
      const comment = `Automatic action of custom detection rule '${rule.displayName}' (${rule.id}) for alert ${alertId}`;
      for (const a of rule.detectionAction.responseActions) {
        try {
          const machine = machineRequestOf(a, row, comment);
          if (machine) {
            const deviceId = str(row.DeviceId);
            if (!deviceId) throw new Error('the row names no DeviceId');
            await deps.actions.requestForRule(rule.tenantId, rule.id, deviceId, machine);
            continue;
          }
          const hash = fileHashOf(a, row);
          if (!hash || !(SHA1.test(hash) || SHA256.test(hash))) throw new Error(`the row holds no file hash for ${a.identifier}`);
          const block = a['@odata.type'] === `${PREFIX}blockFileResponseAction`;
          const ctx = systemCtx(rule.tenantId, ['Ti.ReadWrite.All']);
          await deps.indicators.submit(ctx, {
            indicatorValue: hash.toLowerCase(), indicatorType: SHA1.test(hash) ? 'FileSha1' : 'FileSha256',
            action: block ? 'BlockAndRemediate' : 'Allowed',
            title: `${block ? 'Blocked' : 'Allowed'} by custom detection rule '${rule.displayName}'`,
            description: comment, severity: 'Medium', generateAlert: false,
            ...(a.deviceGroupNames?.length ? { rbacGroupNames: a.deviceGroupNames } : {}),
          });
        } catch (e) {
          deps.log?.warn({ err: e, tenantId: rule.tenantId, ruleId: rule.id, alertId, action: a['@odata.type'] }, 'an automatic action of a detection rule was not carried out');
        }
      }
    },
  };
}
