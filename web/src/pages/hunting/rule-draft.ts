/**
 * The body of `POST /api/detectionrules` made from the hunting editor's query and the form of the
 * "create detection rule" dialog. The server checks everything again (the query's columns, the
 * period, the template); this only shapes what the person entered.
 */
import { ALERT_CATEGORIES } from '../../../../src/domain/alert.ts';
import { RULE_SEVERITIES } from '../../../../src/domain/detection-rule.ts';

export { ALERT_CATEGORIES, RULE_SEVERITIES };

/** The run frequencies the dialog offers: near real time (`0`) and the periods MDE's portal offers. */
export const RULE_PERIODS: readonly { value: string; label: string }[] = [
  { value: '0', label: 'Continuous (near real time)' },
  { value: '1H', label: 'Every hour' },
  { value: '3H', label: 'Every 3 hours' },
  { value: '12H', label: 'Every 12 hours' },
  { value: '24H', label: 'Every 24 hours' },
];

/** What the dialog asks. */
export interface RuleForm {
  displayName: string;
  period: string;
  title: string;
  severity: string;
  category: string;
  description: string;
  recommendedActions: string;
  /** MITRE technique ids separated by commas or spaces, e.g. `T1059.001, T1027`. */
  mitreTechniques: string;
}

/** The dialog's starting values for a query. */
export function emptyRuleForm(): RuleForm {
  return { displayName: '', period: '1H', title: '', severity: 'medium', category: 'SuspiciousActivity', description: '', recommendedActions: '', mitreTechniques: '' };
}

/** The request body creating a rule over `queryText` that alerts on the device of each row. */
export function detectionRuleBody(form: RuleForm, queryText: string): Record<string, unknown> {
  const displayName = form.displayName.trim();
  return {
    displayName,
    isEnabled: true,
    queryCondition: { queryText },
    schedule: { period: form.period },
    detectionAction: {
      alertTemplate: {
        title: form.title.trim() || displayName,
        description: form.description.trim(),
        severity: form.severity,
        category: form.category,
        recommendedActions: form.recommendedActions.trim() || null,
        mitreTechniques: form.mitreTechniques.split(/[\s,;]+/).filter(Boolean),
        impactedAssets: [{ '@odata.type': '#microsoft.graph.security.impactedDeviceAsset', identifier: 'deviceId' }],
      },
      organizationalScope: null,
      responseActions: [],
    },
  };
}
