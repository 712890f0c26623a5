import { describe, expect, it } from 'vitest';
import { detectionRuleBody, emptyRuleForm } from './rule-draft.ts';

describe('detectionRuleBody', () => {
  it('makes a rule over the query that alerts on each row\'s device', () => {
    const body = detectionRuleBody({ ...emptyRuleForm(), displayName: ' Curl on servers ', period: '0', severity: 'low', category: 'CommandAndControl', mitreTechniques: 'T1105, T1071.001;T1105x' }, 'DeviceProcessEvents | take 1');
    expect(body).toEqual({
      displayName: 'Curl on servers',
      isEnabled: true,
      queryCondition: { queryText: 'DeviceProcessEvents | take 1' },
      schedule: { period: '0' },
      detectionAction: {
        alertTemplate: {
          title: 'Curl on servers', description: '', severity: 'low', category: 'CommandAndControl', recommendedActions: null,
          mitreTechniques: ['T1105', 'T1071.001', 'T1105x'],
          impactedAssets: [{ '@odata.type': '#microsoft.graph.security.impactedDeviceAsset', identifier: 'deviceId' }],
        },
        organizationalScope: null,
        responseActions: [],
      },
    });
  });

  it('keeps a title and recommended actions given apart from the name', () => {
    const t = (detectionRuleBody({ ...emptyRuleForm(), displayName: 'R', title: ' Alert title ', recommendedActions: ' Check it ' }, 'T').detectionAction as { alertTemplate: Record<string, unknown> }).alertTemplate;
    expect([t.title, t.recommendedActions]).toEqual(['Alert title', 'Check it']);
  });
});
