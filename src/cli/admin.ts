/**
 * `palisade admin …`: tenants, apps, local users, roles, external identity providers, device groups, onboarding packages, device
 * credentials and the key sealing the state store's secrets. Works against the data directory (or `--state URL`, with the key file
 * the server uses or `--secrets-key FILE`) while the server runs. Every command acts as a local operator (the OS user, `operatorCtx`),
 * so each change is authorized and audited like any other call.
 */
import type { Command } from 'commander';
import { randomUUID } from 'node:crypto';
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { composeAdministration, type Administration } from '../compose.ts';
import { parseStateStoreUrl } from '../store/state/open.ts';
import { operatorCtx, type Ctx } from '../domain/context.ts';
import { REMEDIATION_LEVELS, type DeviceGroup } from '../domain/device-group.ts';
import { parseRoleMapping } from '../domain/external-idp.ts';
import { parseRbacConfig } from '../domain/rbac-config.ts';
import type { Role } from '../domain/role.ts';
import { ROLE_PERMISSION_OPTIONS } from '../domain/role-permissions.ts';
import type { TenantService } from '../services/tenants.ts';
import { dataPaths, readServerRecord, secretsKeyFor, stateUrlFor } from './data-dir.ts';
import { parseDuration } from './duration.ts';

interface Common { data: string; state?: string; secretsKey?: string; json?: boolean; tenant?: string }

async function withStore<T>(o: Common & { keyLost?: boolean }, fn: (a: Administration, t: TenantService) => Promise<T>): Promise<T> {
  const url = stateUrlFor(o.data, o.state);
  const target = parseStateStoreUrl(url);
  if (target.kind === 'sqlite' && !existsSync(target.path)) {
    throw new Error(`No Palisade data in ${dataPaths(o.data).root}; start it once with \`npx palisade serve --data ${o.data}\` (or pass --state)`);
  }
  const a = await composeAdministration(url, { secretsKey: secretsKeyFor(o.data, o.secretsKey), keyLost: !!o.keyLost });
  try {
    return await fn(a, a.tenants);
  } finally {
    await a.close();
  }
}

/** The first line of standard input, without its line break (a password piped in). */
async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

/** Who runs this command, for the audit log. */
function operatorName(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The operator's context on `--tenant` (or the only tenant). */
async function operatorOn(o: Common, ts: TenantService): Promise<Ctx> {
  return operatorCtx((await ts.resolveTenant(o.tenant)).id, operatorName());
}

function out(o: Common, json: unknown, text: string): void {
  process.stdout.write(o.json ? JSON.stringify(json, null, 2) + '\n' : text + '\n');
}

/** A device group as `--json` prints it (rbacGroupId is the id machines carry). */
function groupJson(g: DeviceGroup) {
  return { rbacGroupId: g.id, name: g.name, rank: g.rank, remediationLevel: g.remediationLevel, description: g.description, rule: g.rule, createdAt: g.createdAt };
}

function ruleText(g: DeviceGroup): string {
  const parts = [['name', g.rule.names], ['domain', g.rule.domains], ['tag', g.rule.tags], ['os', g.rule.osPlatforms]] as const;
  return parts.filter(([, v]) => v.length).map(([k, v]) => `${k}=${v.join('|')}`).join(' AND ');
}

/** The operator acting on what all tenants share (the secrets key): the service records the change in every tenant's audit log. */
function operatorOfAll(): Ctx {
  return operatorCtx('*', operatorName());
}

/** The key rotation of a store with a key file. */
function keyRotation(a: Administration) {
  if (!a.secrets) throw new Error('A state store held in memory has no key file');
  return a.secrets;
}

/** Commander's accumulator of a repeatable option. */
const collectValues = (v: string, prev: string[]) => [...prev, v];

/** A role as `--json` prints it. */
function roleJson(r: Role) {
  return { id: r.id, name: r.name, description: r.description, permissions: r.permissions, deviceGroups: r.deviceGroups, builtIn: r.builtIn, createdAt: r.createdAt };
}

/** rbacGroupIds of device groups given by id or name (any case); `0` is the ungrouped devices. */
async function groupIdsOf(a: Administration, ctx: Ctx, given: readonly string[]): Promise<number[]> {
  const groups = await a.deviceGroups.list(ctx);
  return given.map((g) => {
    if (g.trim() === '0') return 0;
    const found = groups.find((x) => String(x.id) === g.trim() || x.name.toLowerCase() === g.trim().toLowerCase());
    if (!found) throw new Error(`There is no device group '${g}' (see \`palisade admin device-group list\`)`);
    return found.id;
  });
}

const common = (c: Command) =>
  c.option('--data <dir>', 'data directory', './data').option('--state <url>', 'state store URL (default: the one the server uses)')
    .option('--secrets-key <file>', 'key file sealing the state store\'s secrets (default: the one the server uses)').option('--json', 'print JSON');

/** Registers the admin subcommands. */
export function registerAdmin(program: Command): void {
  const admin = program.command('admin').description('administer tenants, apps and onboarding');

  const tenant = admin.command('tenant').description('tenants');
  common(tenant.command('create').description('create a tenant').requiredOption('--name <name>', 'tenant name').option('--id <guid>', 'tenant id (default: new GUID)'))
    .action(async (o: Common & { name: string; id?: string }) => {
      const t = await withStore(o, (_s, ts) => ts.createTenant(operatorCtx(o.id ?? randomUUID(), operatorName()), o.name));
      out(o, { tenantId: t.id, name: t.name }, `Created tenant ${t.id} (${t.name})`);
    });
  common(tenant.command('list').description('list tenants')).action(async (o: Common) => {
    const all = await withStore(o, (_s, ts) => ts.listTenants());
    out(o, all.map((t) => ({ tenantId: t.id, name: t.name })), all.map((t) => `${t.id}  ${t.name}`).join('\n') || '(no tenants)');
  });

  const app = admin.command('app').description('OAuth2 apps (client credentials)');
  common(app.command('create').description('create an app; prints its secret once (a --public client has none)')
    .requiredOption('--name <name>', 'app name')
    .option('--permissions <list>', 'comma-separated MDE application permissions, e.g. Machine.Read.All,AdvancedQuery.Read.All')
    .option('--public', 'a public client (native app, CLI): no secret; users sign in through it with PKCE or a device code')
    .option('--redirect-uri <uri>', 'a redirect URI of a public client (repeatable); http://127.0.0.1/… matches any port', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--tenant <id>', 'tenant id (default: the only tenant)'))
    .action(async (o: Common & { name: string; permissions?: string; public?: boolean; redirectUri: string[] }) => {
      if (o.public) {
        if (o.permissions) throw new Error('A public client holds no application permissions: its tokens carry the signed-in user\'s');
        const c = await withStore(o, async (_s, ts) => ts.createPublicApp(await operatorOn(o, ts), o.name, o.redirectUri));
        out(o, { ...c, publicClient: true, redirectUris: o.redirectUri }, `tenantId:     ${c.tenantId}\nclientId:     ${c.clientId}\n(public client: no secret)`);
        return;
      }
      if (!o.permissions) throw new Error('--permissions is required (or --public for a public client)');
      if (o.redirectUri.length) throw new Error('--redirect-uri is for public clients (--public)');
      const c = await withStore(o, async (_s, ts) => ts.createApp(await operatorOn(o, ts), o.name, o.permissions!.split(',')));
      out(o, c, `tenantId:     ${c.tenantId}\nclientId:     ${c.clientId}\nclientSecret: ${c.clientSecret}\n(the secret is not shown again)`);
    });
  common(app.command('list').description('list apps').option('--tenant <id>', 'tenant id')).action(async (o: Common) => {
    const apps = await withStore(o, async (_s, ts) => ts.listApps(await operatorOn(o, ts)));
    out(o, apps.map((a) => ({ clientId: a.clientId, name: a.name, permissions: a.permissions, createdAt: a.createdAt, publicClient: a.publicClient, redirectUris: a.redirectUris })),
      apps.map((a) => `${a.clientId}  ${a.name}  ${a.publicClient ? `public ${a.redirectUris.join(' ')}` : a.permissions.join(',')}`).join('\n') || '(no apps)');
  });
  common(app.command('delete').description('delete an app').argument('<clientId>').option('--tenant <id>', 'tenant id'))
    .action(async (clientId: string, o: Common) => {
      await withStore(o, async (_s, ts) => ts.deleteApp(await operatorOn(o, ts), clientId));
      out(o, { deleted: clientId }, `Deleted app ${clientId} (its tokens are refused from now on)`);
    });

  const user = admin.command('user').description('local user accounts');
  common(user.command('create').description('create a local user; without --password-stdin a password is generated and printed once')
    .requiredOption('--upn <name>', 'user principal name, e.g. alice@contoso.com')
    .option('--display-name <name>', 'display name (default: the user principal name)')
    .option('--role <name>', 'a role the user holds (repeatable; see `admin role list`)', collectValues, [])
    .option('--password-stdin', 'read the password from standard input (first line)')
    .option('--idp <name>', 'a user of this external identity provider (no password): the first person it signs in with this name becomes the user')
    .option('--tenant <id>', 'tenant id (default: the only tenant)'))
    .action(async (o: Common & { upn: string; displayName?: string; role: string[]; passwordStdin?: boolean; idp?: string }) => {
      if (o.idp) {
        if (o.passwordStdin || o.role.length) throw new Error('A user of an identity provider has no password, and its roles come from the provider\'s mapping at each sign-in');
        const u = await withStore(o, async (a, ts) => a.externalIdps.createUser(await operatorOn(o, ts), o.idp!, { userPrincipalName: o.upn, displayName: o.displayName }));
        out(o, u, `Created user ${u.userPrincipalName} (${u.id}) of identity provider ${o.idp}: it signs in with \`Sign in with ${o.idp}\``);
        return;
      }
      const password = o.passwordStdin ? await firstLineOfStdin() : undefined;
      const made = await withStore(o, async (a, ts) => a.users.create(await operatorOn(o, ts), {
        userPrincipalName: o.upn, displayName: o.displayName, roles: o.role, password,
      }));
      const u = made.user;
      out(o, { ...u, ...(made.generatedPassword ? { password: made.generatedPassword } : {}) },
        `Created user ${u.userPrincipalName} (${u.id})` + (made.generatedPassword ? `\npassword: ${made.generatedPassword}\n(the password is not shown again)` : ''));
    });
  common(user.command('list').description('list local users').option('--tenant <id>', 'tenant id')).action(async (o: Common) => {
    const users = await withStore(o, async (a, ts) => a.users.list(await operatorOn(o, ts)));
    out(o, users, users.map((u) => `${u.id}  ${u.userPrincipalName}  ${u.displayName}  roles=${u.roles.join(',') || '-'}`
      + `${u.totpEnabled ? '  totp' : ''}${u.disabled ? '  disabled' : ''}${u.external ? `  from=${u.external.issuer}` : ''}  lastSignIn=${u.lastSignInAt ?? 'never'}`).join('\n') || '(no users)');
  });
  common(user.command('disable').description('disable a local user: every later sign-in is refused')
    .argument('<user>', 'user id or user principal name').option('--tenant <id>', 'tenant id'))
    .action(async (who: string, o: Common) => {
      const u = await withStore(o, async (a, ts) => a.users.disable(await operatorOn(o, ts), who));
      out(o, u, `Disabled user ${u.userPrincipalName} (${u.id})`);
    });

  common(user.command('revoke-sign-ins').description('sign a user out everywhere: every sign-in session so far is revoked; the account stays enabled')
    .argument('<user>', 'user id or user principal name').option('--tenant <id>', 'tenant id'))
    .action(async (who: string, o: Common) => {
      const r = await withStore(o, async (a, ts) => a.users.revokeSignIns(await operatorOn(o, ts), who));
      out(o, { userId: r.user.id, revokedSessions: r.revoked }, `Signed ${r.user.userPrincipalName} out everywhere: ${r.revoked} sign-in session${r.revoked === 1 ? '' : 's'} revoked`);
    });

  common(user.command('set-roles').description('replace the roles a user holds (no --role: none)')
    .argument('<user>', 'user id or user principal name')
    .option('--role <name>', 'a role the user holds (repeatable)', collectValues, [])
    .option('--tenant <id>', 'tenant id'))
    .action(async (who: string, o: Common & { role: string[] }) => {
      const u = await withStore(o, async (a, ts) => a.users.update(await operatorOn(o, ts), who, { roles: o.role }));
      out(o, u, `${u.userPrincipalName} now holds: ${u.roles.join(', ') || '(no role)'}`);
    });

  common(user.command('totp-enroll').description('start TOTP enrolment: prints the otpauth:// URI to enrol an authenticator app from')
    .argument('<user>', 'user id or user principal name').option('--tenant <id>', 'tenant id'))
    .action(async (who: string, o: Common) => {
      const e = await withStore(o, async (a, ts) => a.users.enrollTotp(await operatorOn(o, ts), who));
      out(o, e, `${e.otpauthUri}\n(confirm with \`palisade admin user totp-confirm ${who} CODE\`; sign-in needs a code from then on)`);
    });
  common(user.command('totp-confirm').description('confirm TOTP enrolment with a current code from the authenticator app')
    .argument('<user>', 'user id or user principal name').argument('<code>', 'the 6-digit code').option('--tenant <id>', 'tenant id'))
    .action(async (who: string, code: string, o: Common) => {
      const u = await withStore(o, async (a, ts) => a.users.confirmTotp(await operatorOn(o, ts), who, code));
      out(o, u, `TOTP is on for ${u.userPrincipalName}`);
    });

  const idp = admin.command('idp').description('external OpenID Connect identity providers people sign in with');
  common(idp.command('add').description('add a provider; its users sign in with `Sign in with NAME` on the sign-in page')
    .requiredOption('--name <name>', 'the name on the sign-in button, e.g. Contoso')
    .requiredOption('--issuer <url>', 'the provider\'s issuer URL (https; http only on a loopback address)')
    .requiredOption('--client-id <id>', 'the client id Palisade is registered with at the provider')
    .option('--client-secret-stdin', 'read the client secret from standard input (first line); without it Palisade is a public client (PKCE only)')
    .option('--scopes <list>', 'space- or comma-separated scopes (default: openid profile email)')
    .option('--roles-claim <claim>', 'the claim holding the person\'s groups or roles', 'groups')
    .option('--map <VALUE=ROLE[,ROLE…]>', 'grant these Palisade roles to people whose roles claim holds VALUE (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--jit', 'create a Palisade user at the first sign-in of a person it does not know yet')
    .option('--tenant <id>', 'tenant id (default: the only tenant)'))
    .action(async (o: Common & { name: string; issuer: string; clientId: string; clientSecretStdin?: boolean; scopes?: string; rolesClaim: string; map: string[]; jit?: boolean }) => {
      const roleMapping = parseRoleMapping(o.map);
      const clientSecret = o.clientSecretStdin ? await firstLineOfStdin() : null;
      const made = await withStore(o, async (a, ts) => a.externalIdps.add(await operatorOn(o, ts), {
        name: o.name, issuer: o.issuer, clientId: o.clientId, clientSecret, scopes: o.scopes?.split(/[\s,]+/).filter(Boolean),
        rolesClaim: o.rolesClaim, roleMapping, jitProvisioning: o.jit === true,
      }));
      out(o, made, `Added identity provider ${made.name} (${made.id})\ncallback URL to register at the provider: https://<this server>/${made.tenantId}/oauth2/v2.0/federation/callback`);
    });
  common(idp.command('list').description('list providers (client secrets are never shown)').option('--tenant <id>', 'tenant id')).action(async (o: Common) => {
    const all = await withStore(o, async (a, ts) => a.externalIdps.list(await operatorOn(o, ts)));
    out(o, all, all.map((i) => `${i.id}  ${i.name}  ${i.issuer}  client=${i.clientId}${i.hasClientSecret ? ' (secret set)' : ''}  ${i.rolesClaim}: `
      + (Object.entries(i.roleMapping).map(([v, r]) => `${v}=${r.join(',')}`).join(' ') || '-') + (i.jitProvisioning ? '  jit' : '')).join('\n') || '(no identity providers)');
  });
  common(idp.command('remove').description('remove a provider; its users stay but cannot sign in through it').argument('<idOrName>').option('--tenant <id>', 'tenant id'))
    .action(async (idOrName: string, o: Common) => {
      const gone = await withStore(o, async (a, ts) => a.externalIdps.remove(await operatorOn(o, ts), idOrName));
      out(o, { removed: gone.id, name: gone.name }, `Removed identity provider ${gone.name} (${gone.id})`);
    });

  const device = admin.command('device').description('enrolled devices');
  common(device.command('revoke').description('revoke a device\'s credential: its sensor is refused from the next call on')
    .argument('<machineId>', 'machine id (40 hex characters) or computer name').option('--tenant <id>', 'tenant id'))
    .action(async (id: string, o: Common) => {
      const d = await withStore(o, async (a, ts) => a.devices.revokeCredential(await operatorOn(o, ts), id));
      out(o, { revoked: d.id, computerDnsName: d.computerDnsName }, `Revoked the credential of ${d.id} (${d.computerDnsName})`);
    });

  const role = admin.command('role').description('roles: MDE\'s permission options over device groups, held by users');
  common(role.command('create').description('create a role')
    .requiredOption('--name <name>', 'role name (unique in the tenant, any case)')
    .option('--description <text>', 'description')
    .option('--permission <option>', `a permission option (repeatable): ${ROLE_PERMISSION_OPTIONS.join(' | ')}`, collectValues, [])
    .option('--device-group <idOrName>', 'a device group the role covers (repeatable; 0 = the ungrouped devices)', collectValues, [])
    .option('--all-device-groups', 'cover every device group, the ungrouped devices included')
    .option('--tenant <id>', 'tenant id'))
    .action(async (o: Common & { name: string; description?: string; permission: string[]; deviceGroup: string[]; allDeviceGroups?: boolean }) => {
      const r = await withStore(o, async (a, ts) => {
        const ctx = await operatorOn(o, ts);
        if (o.allDeviceGroups && o.deviceGroup.length) throw new Error('Give either --all-device-groups or --device-group, not both');
        const deviceGroups = o.allDeviceGroups ? 'all' : await groupIdsOf(a, ctx, o.deviceGroup);
        return a.roles.create(ctx, { name: o.name, description: o.description, permissions: o.permission, deviceGroups });
      });
      out(o, roleJson(r), `Created role ${r.name} (${r.id})`);
    });
  common(role.command('list').description('list roles, the built-in one first').option('--tenant <id>', 'tenant id')).action(async (o: Common) => {
    const all = await withStore(o, async (a, ts) => a.roles.list(await operatorOn(o, ts)));
    out(o, all.map(roleJson), all.map((r) => `${r.id}  ${r.name}${r.builtIn ? ' (built in)' : ''}  permissions=${r.permissions.join(',') || '-'}`
      + `  deviceGroups=${r.deviceGroups === 'all' ? 'all' : r.deviceGroups.join(',') || '-'}`).join('\n'));
  });
  common(role.command('delete').description('delete a role; users holding it lose it').argument('<idOrName>').option('--tenant <id>', 'tenant id'))
    .action(async (idOrName: string, o: Common) => {
      const r = await withStore(o, async (a, ts) => a.roles.delete(await operatorOn(o, ts), idOrName));
      out(o, { deleted: r.id, name: r.name }, `Deleted role ${r.name} (${r.id})`);
    });

  const rbac = admin.command('rbac').description('RBAC configuration files: device groups, roles and users at once (docs/examples/rbac/)');
  common(rbac.command('apply').description('create or update the file\'s device groups (in rank order), roles and users; applying it again changes nothing')
    .argument('<file>', 'the configuration (JSON)').option('--tenant <id>', 'tenant id'))
    .action(async (file: string, o: Common) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new Error(`${file} is not readable JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
      const config = parseRbacConfig(parsed);
      const report = await withStore(o, async (a, ts) => a.rbac.apply(await operatorOn(o, ts), config));
      const lines = (['deviceGroups', 'roles', 'users'] as const).flatMap((k) => report[k].map((x) =>
        `${k === 'deviceGroups' ? 'device group' : k.slice(0, -1)} ${x.name}: ${x.result}${'password' in x && x.password ? `  password: ${x.password} (not shown again)` : ''}`));
      out(o, report, lines.join('\n') || '(the file declares nothing)');
    });

  const group = admin.command('device-group').description('device groups: ranked rules that place each device in one group');
  const collect = collectValues;
  common(group.command('create').description('create a device group and regroup the tenant\'s devices')
    .requiredOption('--name <name>', 'group name (unique in the tenant)')
    .option('--rank <n>', 'rank, 1 = tried first (default: last)')
    .option('--name-pattern <pattern>', 'computer name to match, * as prefix/suffix wildcard (repeatable)', collect, [])
    .option('--domain <pattern>', 'domain to match, * as prefix/suffix wildcard (repeatable)', collect, [])
    .option('--tag <pattern>', 'device tag to match (repeatable)', collect, [])
    .option('--os <platform>', 'OS platform to match, e.g. Linux, Windows11 (repeatable)', collect, [])
    .option('--remediation-level <level>', `one of: ${REMEDIATION_LEVELS.join(' | ')}`)
    .option('--description <text>', 'description')
    .option('--tenant <id>', 'tenant id'))
    .action(async (o: Common & { name: string; rank?: string; namePattern: string[]; domain: string[]; tag: string[]; os: string[]; remediationLevel?: string; description?: string }) => {
      const rank = o.rank === undefined ? undefined : Number(o.rank);
      const { group: g, regrouped } = await withStore(o, async (a, ts) => a.deviceGroups.create(await operatorOn(o, ts), {
        name: o.name, rank, description: o.description, remediationLevel: o.remediationLevel,
        rule: { names: o.namePattern, domains: o.domain, tags: o.tag, osPlatforms: o.os },
      }));
      out(o, { ...groupJson(g), regrouped }, `Created device group ${g.id} (${g.name}) at rank ${g.rank}; ${regrouped} device(s) changed group`);
    });
  common(group.command('list').description('list device groups, rank 1 first').option('--tenant <id>', 'tenant id')).action(async (o: Common) => {
    const all = await withStore(o, async (a, ts) => a.deviceGroups.list(await operatorOn(o, ts)));
    out(o, all.map(groupJson), all.map((g) => `${g.rank}. ${g.id}  ${g.name}  [${g.remediationLevel}]  ${ruleText(g)}`).join('\n') || '(no device groups: every device is ungrouped)');
  });
  common(group.command('update').description('change a device group (options given replace its values; any rule option replaces the whole rule) and regroup the tenant\'s devices')
    .argument('<idOrName>')
    .option('--name <name>', 'new name')
    .option('--rank <n>', 'new rank, 1 = tried first')
    .option('--name-pattern <pattern>', 'computer name to match (repeatable)', collect, [])
    .option('--domain <pattern>', 'domain to match (repeatable)', collect, [])
    .option('--tag <pattern>', 'device tag to match (repeatable)', collect, [])
    .option('--os <platform>', 'OS platform to match (repeatable)', collect, [])
    .option('--remediation-level <level>', `one of: ${REMEDIATION_LEVELS.join(' | ')}`)
    .option('--description <text>', 'description')
    .option('--tenant <id>', 'tenant id'))
    .action(async (idOrName: string, o: Common & { name?: string; rank?: string; namePattern: string[]; domain: string[]; tag: string[]; os: string[]; remediationLevel?: string; description?: string }) => {
      const ruleGiven = o.namePattern.length + o.domain.length + o.tag.length + o.os.length > 0;
      const { group: g, regrouped } = await withStore(o, async (a, ts) => a.deviceGroups.update(await operatorOn(o, ts), idOrName, {
        name: o.name, rank: o.rank === undefined ? undefined : Number(o.rank), description: o.description, remediationLevel: o.remediationLevel,
        rule: ruleGiven ? { names: o.namePattern, domains: o.domain, tags: o.tag, osPlatforms: o.os } : undefined,
      }));
      out(o, { ...groupJson(g), regrouped }, `Updated device group ${g.id} (${g.name}) at rank ${g.rank}; ${regrouped} device(s) changed group`);
    });
  common(group.command('delete').description('delete a device group; its devices are regrouped').argument('<idOrName>').option('--tenant <id>', 'tenant id'))
    .action(async (idOrName: string, o: Common) => {
      const { group: g, regrouped } = await withStore(o, async (a, ts) => a.deviceGroups.delete(await operatorOn(o, ts), idOrName));
      out(o, { deleted: g.id, name: g.name, regrouped }, `Deleted device group ${g.id} (${g.name}); ${regrouped} device(s) changed group`);
    });

  const secrets = admin.command('secrets').description('the key sealing the secrets in the state store (signing keys, TOTP secrets, provider client secrets)');
  common(secrets.command('status').description('show the keys and how the secret values stand')).action(async (o: Common) => {
    const c = await withStore(o, async (a) => keyRotation(a).census(operatorOfAll()));
    out(o, c, `keys (oldest first): ${c.keys.join(', ')}\nsealed with the newest key: ${c.newest}, with older keys: ${c.older}, in the clear: ${c.clear}, not opening: ${c.unreadable}`);
  });
  common(secrets.command('rotate-key').description('add a new key to the key file and re-seal every secret with it; the older keys stay unless --drop-old')
    .option('--drop-old', 'then keep only the new key (back up the key file first)'))
    .action(async (o: Common & { dropOld?: boolean }) => {
      const r = await withStore(o, async (a) => keyRotation(a).rotateKey(operatorOfAll(), { dropOld: !!o.dropOld }));
      out(o, r, `New key ${r.keyId}: re-sealed ${r.resealed} secret value(s)${o.dropOld ? `; dropped ${r.dropped} older key(s)` : '; the older keys are kept (drop them with --drop-old)'}`
        + (r.census.unreadable ? `\n${r.census.unreadable} value(s) do not open with any key and were left as they are (see docs/operations.md, "Secrets at rest")` : ''));
    });

  common(secrets.command('forget-unreadable').description('remove the secret values that no key opens: signing keys are made anew, TOTP users must enrol again, providers need their client secret again')
    .option('--key-lost', 'the key file is lost for good: make a new one (every sealed value is then forgotten)'))
    .action(async (o: Common & { keyLost?: boolean }) => {
      const r = await withStore(o, async (a) => keyRotation(a).forgetUnreadable(operatorOfAll()));
      out(o, r, `Forgot ${r.forgotten} secret value(s) that no key opens; ${r.newSigningKeys.length} tenant(s) got a new signing key`);
    });

  common(admin.command('onboarding-package').description('write an onboarding package for sensors')
    .requiredOption('--out <file>', 'where to write the package (JSON)')
    .option('--tenant <id>', 'tenant id')
    .option('--expires <duration>', 'how long the enrollment token is valid (e.g. 7d, 12h)', '7d')
    .option('--url <url>', 'server URL sensors should use (default: the running server\'s)'))
    .action(async (o: Common & { out: string; expires: string; url?: string }) => {
      const rec = readServerRecord(o.data);
      const serverUrl = o.url ?? rec?.url;
      if (!serverUrl) throw new Error('The server URL is unknown; start the server once or pass --url');
      const caPath = dataPaths(o.data).caPem;
      const ca = existsSync(caPath) ? readFileSync(caPath, 'utf8') : null;
      const ttl = parseDuration(o.expires);
      const pkg = await withStore(o, async (a, ts) => {
        const ctx = await operatorOn(o, ts);
        const tok = await a.gateway.createEnrollmentToken(ctx, ttl);
        return { version: 1, serverUrl, tenantId: ctx.tenantId, caCertificate: ca, enrollmentToken: tok.token, enrollmentTokenId: tok.id, expiresAt: tok.expiresAt };
      });
      writeFileSync(o.out, JSON.stringify(pkg, null, 2) + '\n', { mode: 0o600 });
      out(o, { file: o.out, tenantId: pkg.tenantId, enrollmentTokenId: pkg.enrollmentTokenId, expiresAt: pkg.expiresAt },
        `Wrote ${o.out} (tenant ${pkg.tenantId}, valid until ${pkg.expiresAt})`);
    });
  common(admin.command('revoke-enrollment').description('revoke an onboarding package\'s enrollment token').argument('<tokenId>').option('--tenant <id>', 'tenant id'))
    .action(async (id: string, o: Common) => {
      await withStore(o, async (a, ts) => a.gateway.revokeEnrollmentToken(await operatorOn(o, ts), id));
      out(o, { revoked: id }, `Revoked enrollment token ${id}`);
    });
}
