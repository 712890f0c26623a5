/**
 * The settings API (Palisade's own; MDE keeps these in its portal): a tenant's users, roles, device
 * groups, external sign-in providers and apps under `/api/settings/…`, and its audit log at `/api/auditlogs` (OData). Every route
 * needs `PortalSettings.Manage` (users get it from a role with the `managePortalSettings` option);
 * the use cases check it, validate bodies and audit every change.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { REQUIRE } from '../../../domain/permissions.ts';
import type { DeviceGroup } from '../../../domain/device-group.ts';
import { REMEDIATION_LEVELS } from '../../../domain/device-group.ts';
import type { Role } from '../../../domain/role.ts';
import { ROLE_PERMISSION_OPTIONS } from '../../../domain/role-permissions.ts';
import { AUDIT_LOG } from '../../../entities/audit-log.ts';
import { parseListQuery } from '../../../odata/index.ts';
import type { AuditLogService } from '../../../services/audit-log.ts';
import type { DeviceGroupService } from '../../../services/device-groups.ts';
import type { ExternalIdpService, ExternalIdpView } from '../../../services/external-idps.ts';
import type { RoleService } from '../../../services/roles.ts';
import type { TenantService } from '../../../services/tenants.ts';
import type { UserService, UserView } from '../../../services/users.ts';
import { collection, entity, entityPage } from '../../odata-response.ts';
import type { ApiRoute } from '../../route-table.ts';

/** The use cases the settings routes call. */
export interface SettingsRouteServices {
  users: UserService;
  roles: RoleService;
  deviceGroups: DeviceGroupService;
  tenants: TenantService;
  auditLog: AuditLogService;
  externalIdps: ExternalIdpService;
}

/** The ids the examples name; the permission matrix tests replace them with records they created. */
export const EXAMPLE_USER_ID = '00000000-0000-4000-8000-0000000005e1';
export const EXAMPLE_ROLE_ID = '00000000-0000-4000-8000-00000000401e';
export const EXAMPLE_GROUP_ID = '4711';
export const EXAMPLE_IDP_ID = '00000000-0000-4000-8000-0000000001d9';

const nullable = (t: TSchema) => Type.Union([t, Type.Null()]);
const list = (item: TSchema) => Type.Object({ '@odata.context': Type.String(), value: Type.Array(item) });

const userSchema = Type.Object({
  id: Type.String(),
  userPrincipalName: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.String(), { description: 'Names of the roles the user holds' }),
  disabled: Type.Boolean(),
  totpEnabled: Type.Boolean({ description: 'Sign-in asks for an authenticator code' }),
  external: Type.Optional(nullable(Type.Object({}, { additionalProperties: true, description: 'The external identity provider account the user signs in with, if any' }))),
  createdAt: Type.String(),
  lastSignInAt: nullable(Type.String()),
  password: Type.Optional(Type.String({ description: 'The generated password, in the answer to POST only (shown once)' })),
});
const roleSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: nullable(Type.String()),
  permissions: Type.Array(Type.String({ enum: [...ROLE_PERMISSION_OPTIONS] })),
  deviceGroups: Type.Union([Type.Literal('all'), Type.Array(Type.Integer())], { description: "'all', or rbacGroupIds (0 = the ungrouped devices)" }),
  builtIn: Type.Boolean(),
  createdAt: Type.String(),
});
const ruleSchema = Type.Object({
  names: Type.Array(Type.String()), domains: Type.Array(Type.String()), tags: Type.Array(Type.String()), osPlatforms: Type.Array(Type.String()),
});
const groupSchema = Type.Object({
  id: Type.Integer({ description: 'The rbacGroupId machines in the group carry' }),
  name: Type.String(),
  description: nullable(Type.String()),
  rank: Type.Integer(),
  remediationLevel: Type.String({ enum: [...REMEDIATION_LEVELS] }),
  rule: ruleSchema,
  createdAt: Type.String(),
});
const appSchema = Type.Object({
  clientId: Type.String(), name: Type.String(), permissions: Type.Array(Type.String()), createdAt: Type.String(),
  publicClient: Type.Boolean({ description: 'A public client (no secret; users sign in through it)' }), redirectUris: Type.Array(Type.String()),
});

const idpSchema = Type.Object({
  id: Type.String(),
  name: Type.String({ description: 'Shown on the sign-in page as `Sign in with <name>`' }),
  issuer: Type.String({ description: "The provider's issuer URL, as its discovery document names it" }),
  clientId: Type.String(),
  hasClientSecret: Type.Boolean({ description: 'Whether a client secret is set (it is never returned)' }),
  scopes: Type.Array(Type.String()),
  rolesClaim: Type.String({ description: "The claim holding the person's groups or roles (dotted for a member of an object)" }),
  roleMapping: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Claim value → the Palisade role names it grants' }),
  jitProvisioning: Type.Boolean({ description: 'A person the tenant does not know yet becomes a user at the first sign-in' }),
  disabled: Type.Boolean({ description: 'A disabled provider is not on the sign-in page and its sign-ins are refused' }),
  createdAt: Type.String(),
});

/** Bodies are checked by the use cases (MDE error codes); the schemas document them. */
const open = { additionalProperties: true };
const userBody = Type.Object({
  userPrincipalName: Type.String({ maxLength: 256 }), displayName: Type.Optional(Type.String({ maxLength: 256 })), roles: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100 })),
}, open);
const userPatch = Type.Object({
  displayName: Type.Optional(Type.String({ maxLength: 256 })), roles: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100 })), disabled: Type.Optional(Type.Boolean()),
}, open);
const roleFields = {
  description: Type.Optional(nullable(Type.String({ maxLength: 1024 }))),
  permissions: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
  deviceGroups: Type.Optional(Type.Union([Type.Literal('all'), Type.Array(Type.Integer(), { maxItems: 1000 })])),
};
const roleBody = Type.Object({ name: Type.String({ maxLength: 128 }), ...roleFields }, open);
const rolePatch = Type.Object({ name: Type.Optional(Type.String({ maxLength: 128 })), ...roleFields }, open);
const groupFields = {
  description: Type.Optional(nullable(Type.String({ maxLength: 1024 }))),
  rank: Type.Optional(Type.Integer({ minimum: 1 })),
  remediationLevel: Type.Optional(Type.String({ maxLength: 64 })),
};
const groupRule = Type.Object({
  names: Type.Optional(Type.Array(Type.String())), domains: Type.Optional(Type.Array(Type.String())),
  tags: Type.Optional(Type.Array(Type.String())), osPlatforms: Type.Optional(Type.Array(Type.String())),
}, open);
const groupBody = Type.Object({ name: Type.String({ maxLength: 128 }), rule: groupRule, ...groupFields }, open);
const groupPatch = Type.Object({ name: Type.Optional(Type.String({ maxLength: 128 })), rule: Type.Optional(groupRule), ...groupFields }, open);

const idpFields = {
  clientId: Type.String({ maxLength: 256 }),
  clientSecret: Type.Optional(nullable(Type.String({ maxLength: 1024, description: 'Write-only; null removes it (a public client, PKCE only)' }))),
  scopes: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 50 })),
  rolesClaim: Type.Optional(Type.String({ maxLength: 128 })),
  roleMapping: Type.Optional(Type.Record(Type.String({ maxLength: 256 }), Type.Array(Type.String({ maxLength: 128 }), { maxItems: 100 }))),
  jitProvisioning: Type.Optional(Type.Boolean()),
  disabled: Type.Optional(Type.Boolean()),
};
const idpBody = Type.Object({ name: Type.String({ maxLength: 64 }), issuer: Type.String({ maxLength: 2048 }), ...idpFields }, open);
const idpPatch = Type.Object({ name: Type.Optional(Type.String({ maxLength: 64 })), ...idpFields, clientId: Type.Optional(idpFields.clientId) }, open);

const userParams = Type.Object({ userId: Type.String({ maxLength: 256, description: 'User object id or user principal name' }) });
const roleParams = Type.Object({ roleId: Type.String({ maxLength: 256, description: 'Role id or name' }) });
const groupParams = Type.Object({ groupId: Type.String({ maxLength: 256, description: 'rbacGroupId or group name' }) });
const idpParams = Type.Object({ idpId: Type.String({ maxLength: 256, description: 'Provider id or name' }) });

/** A user as the settings API shows it. */
function userJson(u: UserView, password?: string | null): Record<string, unknown> {
  const { tenantId: _t, ...rest } = u;
  return { ...rest, external: u.external ?? null, ...(password ? { password } : {}) };
}

/** A role as the settings API shows it. */
function roleJson(r: Role): Record<string, unknown> {
  return { id: r.id, name: r.name, description: r.description, permissions: r.permissions, deviceGroups: r.deviceGroups, builtIn: r.builtIn, createdAt: r.createdAt };
}

/** A device group as the settings API shows it (its id is the rbacGroupId machines carry). */
function groupJson(g: DeviceGroup): Record<string, unknown> {
  return { id: g.id, name: g.name, description: g.description, rank: g.rank, remediationLevel: g.remediationLevel, rule: g.rule, createdAt: g.createdAt };
}

/** An identity provider as the settings API shows it (never its secret). */
function idpJson(i: ExternalIdpView): Record<string, unknown> {
  const { tenantId: _t, ...rest } = i;
  return rest;
}

/** The settings and audit log routes. */
export function settingsRoutes(s: SettingsRouteServices, clock: () => Date = () => new Date()): ApiRoute[] {
  const settings = { auth: 'bearer', tag: 'Settings', permissions: REQUIRE.portalSettings } as const;
  const param = (p: unknown, k: string) => (p as Record<string, string>)[k];
  return [
    {
      ...settings, method: 'GET', url: '/settings/users', summary: 'List the tenant\'s users (no secrets)',
      schema: { response: { 200: list(userSchema) } },
      handler: async (req, reply, ctx) => collection(req, reply, 'Users', (await s.users.list(ctx)).map((u) => userJson(u))),
    },
    {
      ...settings, method: 'POST', url: '/settings/users', summary: 'Create a local user; the answer carries its generated password, shown once',
      schema: { body: userBody, response: { 201: userSchema } },
      example: { body: { userPrincipalName: 'new.analyst@contoso.com', displayName: 'New Analyst', roles: ['Palisade Administrator'] } },
      handler: async (req, reply, ctx) => {
        const b = req.body as { userPrincipalName: string; displayName?: string; roles?: string[] };
        const made = await s.users.create(ctx, { userPrincipalName: b.userPrincipalName, displayName: b.displayName, roles: b.roles });
        void reply.code(201);
        return entity(req, reply, 'Users', userJson(made.user, made.generatedPassword));
      },
    },
    {
      ...settings, method: 'PATCH', url: '/settings/users/:userId', summary: 'Change a user\'s display name, roles (replacing them) or disabled state',
      schema: { params: userParams, body: userPatch, response: { 200: userSchema } },
      example: { params: { userId: EXAMPLE_USER_ID }, body: { displayName: 'Renamed Analyst' } },
      handler: async (req, reply, ctx) => entity(req, reply, 'Users', userJson(await s.users.update(ctx, param(req.params, 'userId'), req.body as Record<string, unknown>))),
    },
    {
      ...settings, method: 'POST', url: '/settings/users/:userId/revokeSignInSessions',
      summary: 'Sign a user out everywhere: every sign-in session so far is revoked (its access and refresh tokens stop working); the account stays enabled',
      schema: { params: userParams, response: { 200: Type.Object({ value: Type.Boolean(), revokedSessions: Type.Integer() }) } },
      example: { params: { userId: EXAMPLE_USER_ID } },
      handler: async (req, _reply, ctx) => {
        const { revoked } = await s.users.revokeSignIns(ctx, param(req.params, 'userId'));
        return { value: true, revokedSessions: revoked };
      },
    },
    {
      ...settings, method: 'GET', url: '/settings/roles', summary: 'List the tenant\'s roles, the built-in Palisade Administrator first',
      schema: { response: { 200: list(roleSchema) } },
      handler: async (req, reply, ctx) => collection(req, reply, 'Roles', (await s.roles.list(ctx)).map(roleJson)),
    },
    {
      ...settings, method: 'POST', url: '/settings/roles', summary: 'Create a role: permission options over device groups',
      schema: { body: roleBody, response: { 201: roleSchema } },
      example: { body: { name: 'Tier 1 analysts', description: 'Triage alerts everywhere', permissions: ['viewData.securityOperations', 'alertsInvestigation'], deviceGroups: 'all' } },
      handler: async (req, reply, ctx) => {
        const role = await s.roles.create(ctx, req.body as Record<string, unknown> & { name: unknown });
        void reply.code(201);
        return entity(req, reply, 'Roles', roleJson(role));
      },
    },
    {
      ...settings, method: 'PATCH', url: '/settings/roles/:roleId', summary: 'Change a role (the built-in role cannot be changed); a new name follows into its users',
      schema: { params: roleParams, body: rolePatch, response: { 200: roleSchema } },
      example: { params: { roleId: EXAMPLE_ROLE_ID }, body: { description: 'Triage and investigation' } },
      handler: async (req, reply, ctx) => entity(req, reply, 'Roles', roleJson(await s.roles.update(ctx, param(req.params, 'roleId'), req.body as Record<string, unknown>))),
    },
    {
      ...settings, method: 'DELETE', url: '/settings/roles/:roleId', summary: 'Delete a role (not the built-in one); its users lose it',
      schema: { params: roleParams, response: { 204: Type.Null() } },
      example: { params: { roleId: EXAMPLE_ROLE_ID } },
      handler: async (req, reply, ctx) => {
        await s.roles.delete(ctx, param(req.params, 'roleId'));
        return reply.code(204).send();
      },
    },
    {
      ...settings, method: 'GET', url: '/settings/devicegroups', summary: 'List the tenant\'s device groups, rank 1 first',
      schema: { response: { 200: list(groupSchema) } },
      handler: async (req, reply, ctx) => collection(req, reply, 'DeviceGroups', (await s.deviceGroups.list(ctx)).map(groupJson)),
    },
    {
      ...settings, method: 'POST', url: '/settings/devicegroups', summary: 'Create a device group (ranked matching rule) and regroup the tenant\'s devices',
      schema: { body: groupBody, response: { 201: groupSchema } },
      example: { body: { name: 'Linux servers', description: 'Every Linux device', rule: { osPlatforms: ['Linux'] }, remediationLevel: 'Full remediation' } },
      handler: async (req, reply, ctx) => {
        const { group } = await s.deviceGroups.create(ctx, req.body as Parameters<DeviceGroupService['create']>[1]);
        void reply.code(201);
        return entity(req, reply, 'DeviceGroups', groupJson(group));
      },
    },
    {
      ...settings, method: 'PATCH', url: '/settings/devicegroups/:groupId', summary: 'Change a device group (a rule replaces the whole rule; rank moves it) and regroup the tenant\'s devices',
      schema: { params: groupParams, body: groupPatch, response: { 200: groupSchema } },
      example: { params: { groupId: EXAMPLE_GROUP_ID }, body: { description: 'Servers in production' } },
      handler: async (req, reply, ctx) => {
        const { group } = await s.deviceGroups.update(ctx, param(req.params, 'groupId'), req.body as Parameters<DeviceGroupService['update']>[2]);
        return entity(req, reply, 'DeviceGroups', groupJson(group));
      },
    },
    {
      ...settings, method: 'DELETE', url: '/settings/devicegroups/:groupId', summary: 'Delete a device group: its devices are regrouped and roles lose it',
      schema: { params: groupParams, response: { 204: Type.Null() } },
      example: { params: { groupId: EXAMPLE_GROUP_ID } },
      handler: async (req, reply, ctx) => {
        await s.deviceGroups.delete(ctx, param(req.params, 'groupId'));
        return reply.code(204).send();
      },
    },
    {
      ...settings, method: 'GET', url: '/settings/apps', summary: 'List the tenant\'s apps and their application permissions (never a secret)',
      schema: { response: { 200: list(appSchema) } },
      handler: async (req, reply, ctx) => collection(req, reply, 'Apps', (await s.tenants.listApps(ctx)).map((a) => ({
        clientId: a.clientId, name: a.name, permissions: a.permissions, createdAt: a.createdAt, publicClient: a.publicClient, redirectUris: a.redirectUris,
      }))),
    },
    {
      ...settings, method: 'GET', url: '/settings/identityproviders', summary: 'List the tenant\'s external OpenID Connect sign-in providers (never a secret)',
      schema: { response: { 200: list(idpSchema) } },
      handler: async (req, reply, ctx) => collection(req, reply, 'IdentityProviders', (await s.externalIdps.list(ctx)).map(idpJson)),
    },
    {
      ...settings, method: 'GET', url: '/settings/identityproviders/:idpId', summary: 'One external sign-in provider (never its secret)',
      schema: { params: idpParams, response: { 200: idpSchema } },
      example: { params: { idpId: EXAMPLE_IDP_ID } },
      handler: async (req, reply, ctx) => entity(req, reply, 'IdentityProviders', idpJson(await s.externalIdps.get(ctx, param(req.params, 'idpId')))),
    },
    {
      ...settings, method: 'POST', url: '/settings/identityproviders', summary: 'Add an external OpenID Connect sign-in provider; mapped roles must exist',
      schema: { body: idpBody, response: { 201: idpSchema } },
      example: { body: {
        name: 'Contoso', issuer: 'https://login.contoso.example/v2.0', clientId: 'palisade', clientSecret: 'example-secret', scopes: ['openid', 'profile', 'email'],
        rolesClaim: 'groups', roleMapping: { 'secops-admins': ['Palisade Administrator'] }, jitProvisioning: true,
      } },
      handler: async (req, reply, ctx) => {
        const made = await s.externalIdps.add(ctx, req.body as Parameters<ExternalIdpService['add']>[1]);
        void reply.code(201);
        return entity(req, reply, 'IdentityProviders', idpJson(made));
      },
    },
    {
      ...settings, method: 'PATCH', url: '/settings/identityproviders/:idpId',
      summary: 'Change a provider: name, client id or secret, scopes, roles claim, mapping (replacing it), just-in-time users, disabled',
      schema: { params: idpParams, body: idpPatch, response: { 200: idpSchema } },
      example: { params: { idpId: EXAMPLE_IDP_ID }, body: { disabled: true } },
      handler: async (req, reply, ctx) => entity(req, reply, 'IdentityProviders',
        idpJson(await s.externalIdps.update(ctx, param(req.params, 'idpId'), req.body as Parameters<ExternalIdpService['update']>[2]))),
    },
    {
      ...settings, method: 'DELETE', url: '/settings/identityproviders/:idpId', summary: 'Remove a provider; its users stay but cannot sign in through it',
      schema: { params: idpParams, response: { 204: Type.Null() } },
      example: { params: { idpId: EXAMPLE_IDP_ID } },
      handler: async (req, reply, ctx) => {
        await s.externalIdps.remove(ctx, param(req.params, 'idpId'));
        return reply.code(204).send();
      },
    },
    {
      ...settings, tag: 'Audit log', method: 'GET', url: '/auditlogs',
      summary: 'The audit log, newest first (OData $filter over time, actorKind, actorId, actorName, action, target, result; $orderby, $top ≤ 10,000, $skip, $count)',
      schema: { querystring: Type.Object({}, { additionalProperties: Type.String() }), response: { 200: AUDIT_LOG.schemas.collection } },
      example: { query: { $filter: "result eq 'success'", $top: '50' } },
      handler: async (req, reply, ctx) => {
        const q = parseListQuery(req.query as Record<string, string>, AUDIT_LOG.set);
        return entityPage(req, reply, AUDIT_LOG, q, await s.auditLog.list(ctx, q), clock());
      },
    },
  ];
}
