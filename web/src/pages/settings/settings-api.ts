/**
 * The settings API (`/api/settings/…`) as the console's settings pages read and write it: users,
 * roles, device groups, sign-in providers and apps of the tenant, for holders of the portal-settings permission;
 * with the two hooks the pages share (a list's grid loader, the tenant's roles for assigning them).
 */
import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '../../api/client.ts';
import type { PageRequest } from '../../components/data-grid.tsx';
import { localPage } from '../../components/local-page.ts';
import { messageOf } from '../../components/toasts.tsx';
import type { DeviceGroupRule } from '../../../../src/domain/device-group.ts';
import type { RolePermissionOption } from '../../../../src/domain/role-permissions.ts';

/** A user as the settings API lists it (no secrets). */
export interface UserItem {
  id: string;
  userPrincipalName: string;
  displayName: string;
  roles: string[];
  disabled: boolean;
  totpEnabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
}

/** A role: MDE's permission options over all device groups or some. */
export interface RoleItem {
  id: string;
  name: string;
  description: string | null;
  permissions: RolePermissionOption[];
  deviceGroups: 'all' | number[];
  builtIn?: boolean;
}

/** A device group with its rank, remediation level and matching rule. */
export interface DeviceGroupItem {
  /** The rbacGroupId machines in the group carry. */
  id: number;
  name: string;
  description: string | null;
  rank: number;
  remediationLevel: string;
  rule: DeviceGroupRule;
}

/** An app (OAuth2 client) of the tenant, without its secrets. */
export interface AppItem {
  clientId: string;
  name: string;
  permissions: string[];
  createdAt: string;
}

/** An external OpenID Connect sign-in provider as the settings API shows it: never its secret, only whether one is set. */
export interface IdentityProviderItem {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  hasClientSecret: boolean;
  scopes: string[];
  rolesClaim: string;
  /** Claim value → the role names it grants. */
  roleMapping: Record<string, string[]>;
  jitProvisioning: boolean;
  disabled: boolean;
  createdAt: string;
}

/** The items of a settings list (`{ "@odata.context", "value": [...] }`). */
export async function listOf<T>(api: ApiClient, path: string, signal?: AbortSignal): Promise<T[]> {
  const body = await api.get<{ value?: T[] }>(path, signal);
  return body.value ?? [];
}

/** A data grid's loader over a whole settings list, sorted and paged in the browser (settings lists are small). */
export function useSettingsList<T>(api: ApiClient, path: string) {
  return useCallback(async (r: PageRequest, signal: AbortSignal) =>
    localPage(await listOf<T>(api, path, signal), r, (x, name) => x[name as keyof T]), [api, path]);
}

/** The tenant's roles, for the pages that assign them; a failure to read them goes to `onError`. */
export function useTenantRoles(api: ApiClient, onError: (message: string) => void): RoleItem[] {
  const [roles, setRoles] = useState<RoleItem[]>([]);
  useEffect(() => {
    const ac = new AbortController();
    listOf<RoleItem>(api, ROLES, ac.signal).then(setRoles, (e: unknown) => { if (!ac.signal.aborted) onError(messageOf(e)); });
    return () => ac.abort();
  }, [api]); // onError is the page's state setter, which never changes
  return roles;
}

/** The path of one item of a settings list. */
export function itemPath(list: string, id: string | number): string {
  return `${list}/${encodeURIComponent(String(id))}`;
}

export const USERS = '/api/settings/users';
export const ROLES = '/api/settings/roles';
export const DEVICE_GROUPS = '/api/settings/devicegroups';
export const APPS = '/api/settings/apps';
export const IDENTITY_PROVIDERS = '/api/settings/identityproviders';
