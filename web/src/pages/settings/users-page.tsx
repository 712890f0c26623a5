/**
 * Settings › Users: the tenant's local users; create one (a password is generated and shown once),
 * change a user's roles, disable or enable an account, sign a user out everywhere.
 */
import { useState, type FormEvent } from 'react';
import { DataGrid, type Column } from '../../components/data-grid.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { messageOf, useToast } from '../../components/toasts.tsx';
import { useApi } from '../../context.ts';
import type { PageProps } from '../registry.ts';
import { USERS, itemPath, type RoleItem, type UserItem, useSettingsList, useTenantRoles } from './settings-api.ts';
import { SettingsTabs } from './settings-tabs.tsx';
import './settings.css';

/** Role names as labelled checkboxes in a group named `legend`. */
export function RoleChoice({ legend, roles, chosen, onChange }: { legend: string; roles: readonly RoleItem[]; chosen: readonly string[]; onChange: (next: string[]) => void }) {
  const toggle = (name: string) => onChange(chosen.includes(name) ? chosen.filter((r) => r !== name) : [...chosen, name]);
  return (
    <fieldset>
      <legend>{legend}</legend>
      {roles.length === 0 && <p className="muted">No roles yet.</p>}
      {roles.map((r) => (
        <label key={r.id} className="check">
          <input type="checkbox" checked={chosen.includes(r.name)} onChange={() => toggle(r.name)} />
          {r.name}
        </label>
      ))}
    </fieldset>
  );
}

/** The users page. */
export default function UsersPage(_: PageProps) {
  const api = useApi();
  const toast = useToast();
  const [reloadKey, setReloadKey] = useState(0);
  const [upn, setUpn] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [newRoles, setNewRoles] = useState<string[]>([]);
  const [created, setCreated] = useState<{ upn: string; password: string } | null>(null);
  const [editing, setEditing] = useState<UserItem | null>(null);
  const [editRoles, setEditRoles] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  const roles = useTenantRoles(api, setError);
  const load = useSettingsList<UserItem>(api, USERS);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const body = { userPrincipalName: upn.trim(), displayName: displayName.trim() || upn.trim(), roles: newRoles };
      const res = await api.post<UserItem & { password: string }>(USERS, body);
      setCreated({ upn: res.userPrincipalName, password: res.password });
      setUpn('');
      setDisplayName('');
      setNewRoles([]);
      setReloadKey((k) => k + 1);
    } catch (err) {
      setError(messageOf(err));
    }
  };

  const patch = async (u: UserItem, change: Partial<Pick<UserItem, 'roles' | 'disabled' | 'displayName'>>, done: string) => {
    try {
      await api.patch(itemPath(USERS, u.id), change);
      toast(done, 'success');
      setReloadKey((k) => k + 1);
      return true;
    } catch (err) {
      toast(messageOf(err), 'error');
      return false;
    }
  };

  const signOutEverywhere = async (u: UserItem) => {
    if (!window.confirm(`Sign ${u.userPrincipalName} out everywhere? Every session ends; the account stays enabled.`)) return;
    try {
      const r = await api.post<{ revokedSessions: number }>(`${itemPath(USERS, u.id)}/revokeSignInSessions`, {});
      toast(`${u.userPrincipalName} signed out everywhere (${r.revokedSessions} session${r.revokedSessions === 1 ? '' : 's'})`, 'success');
    } catch (err) {
      toast(messageOf(err), 'error');
    }
  };

  const columns: Column<UserItem>[] = [
    { header: 'User name', sort: 'userPrincipalName', cell: (u) => u.userPrincipalName },
    { header: 'Display name', sort: 'displayName', cell: (u) => u.displayName },
    { header: 'Roles', cell: (u) => u.roles.map((r) => <span key={r} className="tag">{r}</span>) },
    { header: 'Status', sort: 'disabled', cell: (u) => <StatusBadge value={u.disabled ? 'Disabled' : 'Active'} /> },
    { header: 'Authenticator', sort: 'totpEnabled', cell: (u) => (u.totpEnabled ? 'Enrolled' : 'None') },
    { header: 'Last sign-in', sort: 'lastSignInAt', cell: (u) => u.lastSignInAt ?? 'Never' },
    {
      header: 'Actions',
      cell: (u) => (
        <span className="row">
          <button type="button" onClick={() => { setEditing(u); setEditRoles(u.roles); }} aria-label={`Change roles of ${u.userPrincipalName}`}>Roles…</button>
          <button type="button" onClick={() => void patch(u, { disabled: !u.disabled }, `${u.userPrincipalName} ${u.disabled ? 'enabled' : 'disabled'}`)}
            aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.userPrincipalName}`}>
            {u.disabled ? 'Enable' : 'Disable'}
          </button>
          <button type="button" onClick={() => void signOutEverywhere(u)} aria-label={`Sign out everywhere: ${u.userPrincipalName}`}>Sign out everywhere</button>
        </span>
      ),
    },
  ];

  return (
    <div className="settings">
      <h1>Settings</h1>
      <SettingsTabs current="settings/users" />
      <h2>Users</h2>
      {error && <p className="error" role="alert">{error}</p>}
      <DataGrid<UserItem> label="Users" columns={columns} load={load} rowKey={(u) => u.id} reloadKey={reloadKey} initialSort={{ field: 'userPrincipalName', desc: false }} empty="No users yet." />

      {editing && (
        <section aria-labelledby="edit-user-heading" className="card">
          <h2 id="edit-user-heading">Roles of {editing.userPrincipalName}</h2>
          <RoleChoice legend="Roles" roles={roles} chosen={editRoles} onChange={setEditRoles} />
          <div className="row">
            <button type="button" className="primary" onClick={() => void patch(editing, { roles: editRoles }, `Roles of ${editing.userPrincipalName} saved`).then((ok) => ok && setEditing(null))}>Save roles</button>
            <button type="button" onClick={() => setEditing(null)}>Cancel</button>
          </div>
        </section>
      )}

      <section aria-labelledby="new-user-heading" className="card">
        <h2 id="new-user-heading">Create a user</h2>
        <form onSubmit={create} className="stack">
          <label><span>User name (name@domain)</span><input required value={upn} onChange={(e) => setUpn(e.target.value)} autoComplete="off" /></label>
          <label><span>Display name</span><input value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="off" /></label>
          <RoleChoice legend="Roles of the new user" roles={roles} chosen={newRoles} onChange={setNewRoles} />
          <div><button type="submit" className="primary">Create user</button></div>
        </form>
        {created && (
          <div role="status" className="notice-inline">
            <p>User <strong>{created.upn}</strong> was created. Its one-time password is shown only now; give it to the user, who signs in with it:</p>
            <p><code className="secret">{created.password}</code>{' '}
              <button type="button" onClick={() => void navigator.clipboard.writeText(created.password).then(() => toast('Password copied', 'info'))}>Copy password</button>{' '}
              <button type="button" onClick={() => setCreated(null)}>Done</button>
            </p>
          </div>
        )}
      </section>
    </div>
  );
}
