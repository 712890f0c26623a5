import { describe, expect, it } from 'vitest';
import type { Ctx } from '../domain/context.ts';
import type { DetectionRule, ResponseAction } from '../domain/detection-rule.ts';
import type { IndicatorService } from '../services/indicators.ts';
import type { ActionRequest, MachineActionService } from '../services/machine-actions.ts';
import { createRuleResponder } from './rule-responses.ts';

const SHA1 = 'aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d';
const DEVICE = 'ab'.repeat(20);

function ruleWith(responseActions: ResponseAction[]): DetectionRule {
  return {
    tenantId: 't', id: 'rule-1', displayName: 'R', detectionAction: { alertTemplate: {} as never, organizationalScope: null, responseActions },
  } as unknown as DetectionRule;
}

function fakes() {
  const machine: { machineId: string; req: ActionRequest; requestor: string }[] = [];
  const submitted: { ctx: Ctx; body: Record<string, unknown> }[] = [];
  const actions = { requestForRule: async (_t: string, ruleId: string, machineId: string, req: ActionRequest) => { machine.push({ machineId, req, requestor: ruleId }); return { action: {} as never, created: true }; } } as unknown as MachineActionService;
  const indicators = { submit: async (ctx: Ctx, body: Record<string, unknown>) => { submitted.push({ ctx, body }); return {} as never; } } as unknown as IndicatorService;
  return { machine, submitted, responder: createRuleResponder({ actions, indicators }) };
}

describe('rule responses', () => {
  it('turn machine response actions into machine actions on the row\'s device, requested by the rule', async () => {
    const f = fakes();
    await f.responder.respond(ruleWith([
      { '@odata.type': '#microsoft.graph.security.isolateDeviceResponseAction', identifier: 'deviceId', isolationType: 'selective' },
      { '@odata.type': '#microsoft.graph.security.runAntivirusScanResponseAction', identifier: 'deviceId' },
      { '@odata.type': '#microsoft.graph.security.stopAndQuarantineFileResponseAction', identifier: 'initiatingProcessSHA1' },
      { '@odata.type': '#microsoft.graph.security.collectInvestigationPackageResponseAction', identifier: 'deviceId' },
    ]), { DeviceId: DEVICE, InitiatingProcessSHA1: SHA1.toUpperCase() }, 'alert-1');
    expect(f.machine.map((m) => [m.machineId, m.requestor, m.req.type, m.req.scope, m.req.sha1])).toEqual([
      [DEVICE, 'rule-1', 'Isolate', 'Selective', undefined],
      [DEVICE, 'rule-1', 'RunAntiVirusScan', 'Quick', undefined],
      [DEVICE, 'rule-1', 'StopAndQuarantineFile', null, SHA1],
      [DEVICE, 'rule-1', 'CollectInvestigationPackage', null, undefined],
    ]);
    expect(f.machine[0].req.comment).toMatch(/rule 'R' \(rule-1\) for alert alert-1/);
  });

  it('turn block and allow into file indicators, and skip what the row cannot serve without stopping the rest', async () => {
    const f = fakes();
    await f.responder.respond(ruleWith([
      { '@odata.type': '#microsoft.graph.security.stopAndQuarantineFileResponseAction', identifier: 'sha1' },
      { '@odata.type': '#microsoft.graph.security.blockFileResponseAction', identifier: 'sha256', deviceGroupNames: ['Servers'] },
      { '@odata.type': '#microsoft.graph.security.allowFileResponseAction', identifier: 'sha1' },
    ]), { DeviceId: DEVICE, SHA256: 'b'.repeat(64) }, 'alert-2');
    expect(f.machine).toEqual([]);
    expect(f.submitted.map((s) => s.body)).toEqual([
      expect.objectContaining({ indicatorValue: 'b'.repeat(64), indicatorType: 'FileSha256', action: 'BlockAndRemediate', rbacGroupNames: ['Servers'] }),
    ]);
    expect(f.submitted[0].ctx.principal.kind).toBe('system');
  });
});
