/**
 * Custom detection rules: `/api/detectionrules`, Palisade's own API shaped after Microsoft Graph's
 * detectionRule (security/rules/detectionRules): list (OData), get, create, update, delete.
 */
import { Type } from '@sinclair/typebox';
import { REQUIRE } from '../../../domain/permissions.ts';
import { DETECTION_RULE } from '../../../entities/detection-rule.ts';
import { RULE_WRITE, type DetectionRuleService } from '../../../services/detection-rules.ts';
import { parseListQuery } from '../../../odata/index.ts';
import { entity, entityPage, selectedEntity } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';

const one = { 200: DETECTION_RULE.schemas.entity };
const created = { 201: DETECTION_RULE.schemas.entity };
const many = { 200: DETECTION_RULE.schemas.collection };

/** The id the examples name; the permission matrix test replaces it with a rule it created. */
export const EXAMPLE_RULE_ID = '00000000-0000-4000-8000-00000000d7c1';
const idParams = Type.Object({ ruleId: Type.String({ maxLength: 100, description: 'Detection rule id' }) });

/** A rule over the simulator's encoded PowerShell, as the examples and the documentation show it. */
export const EXAMPLE_RULE = {
  displayName: 'Encoded PowerShell',
  isEnabled: true,
  queryCondition: {
    queryText: 'DeviceProcessEvents\n| where FileName =~ "powershell.exe" and ProcessCommandLine has_any ("-enc", "-EncodedCommand")\n| project Timestamp, DeviceId, DeviceName, ReportId, AccountName, SHA1, ProcessCommandLine',
  },
  schedule: { period: '1H' },
  detectionAction: {
    alertTemplate: {
      title: 'Encoded PowerShell command line',
      description: 'A process started PowerShell with an encoded command, a common way to hide a script.',
      severity: 'medium',
      category: 'Execution',
      recommendedActions: 'Decode the command and review the process tree.',
      mitreTechniques: ['T1059.001', 'T1027'],
      impactedAssets: [
        { '@odata.type': '#microsoft.graph.security.impactedDeviceAsset', identifier: 'deviceId' },
        { '@odata.type': '#microsoft.graph.security.impactedUserAsset', identifier: 'accountName' },
      ],
    },
    organizationalScope: null,
    responseActions: [{ '@odata.type': '#microsoft.graph.security.collectInvestigationPackageResponseAction', identifier: 'deviceId' }],
  },
};

/** Request bodies are checked by the use case (property by property, with MDE error codes); the schema documents them. */
const ruleBody = Type.Object({
  displayName: Type.Optional(Type.String()),
  isEnabled: Type.Optional(Type.Boolean()),
  queryCondition: Type.Optional(Type.Object({ queryText: Type.String() })),
  schedule: Type.Optional(Type.Object({ period: Type.String({ description: "'0' (near real time) or 5M…24H" }) })),
  detectionAction: Type.Optional(Type.Object({
    alertTemplate: Type.Object({}, { additionalProperties: true }),
    organizationalScope: Type.Optional(Type.Unknown()),
    responseActions: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  })),
}, { additionalProperties: true });

/** The detection rule routes, bound to a DetectionRuleService. */
export function detectionRuleRoutes(rules: DetectionRuleService, clock: () => Date = () => new Date()): ApiRoute[] {
  const common = { auth: 'bearer', tag: 'Detection rules' } as const;
  const write = { permissions: RULE_WRITE[0], alsoRequires: RULE_WRITE[1] };
  const idOf = (params: unknown) => (params as { ruleId: string }).ruleId;
  return [
    {
      ...common, method: 'GET', url: '/detectionrules', permissions: REQUIRE.alertRead,
      summary: 'List custom detection rules (OData $filter, $top ≤ 1,000, $skip, $count, $orderby, $select)',
      schema: { querystring: Type.Object({}, { additionalProperties: Type.String() }), response: many },
      handler: async (req, reply, ctx) => {
        const q = parseListQuery(req.query as Record<string, string>, DETECTION_RULE.set);
        return entityPage(req, reply, DETECTION_RULE, q, await rules.list(ctx, q), clock());
      },
    },
    {
      ...common, method: 'POST', url: '/detectionrules', ...write,
      summary: 'Create a custom detection rule (its query is compiled first; a scheduled rule runs at once)',
      schema: { body: ruleBody, response: created },
      example: { body: EXAMPLE_RULE },
      handler: async (req, reply, ctx) => {
        const rule = await rules.create(ctx, req.body);
        void reply.code(201);
        return entity(req, reply, DETECTION_RULE.set.name, DETECTION_RULE.json(rule, clock()));
      },
    },
    {
      ...common, method: 'GET', url: '/detectionrules/:ruleId', permissions: REQUIRE.alertRead,
      summary: 'Get a custom detection rule ($select)',
      schema: { params: idParams, response: one },
      example: { params: { ruleId: EXAMPLE_RULE_ID } },
      handler: async (req, reply, ctx) => {
        return selectedEntity(req, reply, DETECTION_RULE, () => rules.get(ctx, idOf(req.params)), clock);
      },
    },
    {
      ...common, method: 'PATCH', url: '/detectionrules/:ruleId', ...write,
      summary: 'Update a custom detection rule (the properties sent replace the rule\'s)',
      schema: { params: idParams, body: ruleBody, response: one },
      example: { params: { ruleId: EXAMPLE_RULE_ID }, body: { displayName: 'Encoded PowerShell (renamed)' } },
      handler: async (req, reply, ctx) => entity(req, reply, DETECTION_RULE.set.name, DETECTION_RULE.json(await rules.update(ctx, idOf(req.params), req.body), clock())),
    },
    {
      ...common, method: 'DELETE', url: '/detectionrules/:ruleId', ...write,
      summary: 'Delete a custom detection rule (the alerts it raised stay)',
      schema: { params: idParams, response: { 204: Type.Null() } },
      example: { params: { ruleId: EXAMPLE_RULE_ID } },
      handler: async (req, reply, ctx) => {
        await rules.delete(ctx, idOf(req.params));
        return reply.code(204).send();
      },
    },
  ];
}
