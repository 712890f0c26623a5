/**
 * Settings › Roles: MDE's roles — permission options as labelled checkboxes, over every device group
 * or chosen ones. The built-in administrator role is shown but cannot be changed or deleted.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { DataGrid, type Column } from '../../components/data-grid.tsx';
import { messageOf, useToast } from '../../components/toasts.tsx';
import { useApi } from '../../context.ts';
import type { PageProps } from '../registry.ts';
import type { RolePermissionOption } from '../../../../src/domain/role-permissions.ts';
import { PERMISSION_LABELS, ROLE_PERMISSION_OPTIONS } from './permission-labels.ts';
import { DEVICE_GROUPS, ROLES, itemPath, listOf, type DeviceGroupItem, type RoleItem, useSettingsList } from './settings-api.ts';
import { SettingsTabs } from './settings-tabs.tsx';
import './settings.css';

/** The rbacGroupId of the devices no group matches. */
const UNGROUPED = 0;

interface RoleForm {
  id: string | null;
  name: string;
  description: string;
  permissions: RolePermissionOption[];
  allGroups: boolean;
  groups: number[];
}

const EMPTY: RoleForm = { id: null, name: '', description: '', permissions: [], allGroups: true, groups: [] };

function formOf(r: RoleItem): RoleForm {
  return { id: r.id, name: r.name, description: r.description ?? '', permissions: [...r.permissions], allGroups: r.deviceGroups === 'all', groups: r.deviceGroups === 'all' ? [] : [...r.deviceGroups] };
}

/** The roles page. */
export default function RolesPage(_: PageProps) {
  const api = useApi();
  const toast = useToast();
  const [groups, setGroups] = useState<DeviceGroupItem[]>([]);
  const [reloadKey, setReloadKey] = useState(0);
  const [form, setForm] = useState<RoleForm>(EMPTY);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    listOf<DeviceGroupItem>(api, DEVICE_GROUPS, ac.signal).then(setGroups, (e: unknown) => { if (!ac.signal.aborted) setError(messageOf(e)); });
    return () => ac.abort();
  }, [api]);

  const groupName = (id: number) => (id === UNGROUPED ? 'Ungrouped devices' : groups.find((g) => g.id === id)?.name ?? `Group ${id}`);
  const load = useSettingsList<RoleItem>(api, ROLES);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body = { name: form.name.trim(), description: form.description.trim() || null, permissions: form.permissions, deviceGroups: form.allGroups ? 'all' : form.groups };
    try {
      if (form.id) await api.patch(itemPath(ROLES, form.id), body);
      else await api.post(ROLES, body);
      toast(`Role "${body.name}" saved`, 'success');
      setForm(EMPTY);
      setReloadKey((k) => k + 1);
    } catch (err) {
      setError(messageOf(err));
    }
  };

  const remove = async (r: RoleItem) => {
    if (!confirm(`Delete the role "${r.name}"? Its users lose what it grants.`)) return;
    try {
      await api.delete(itemPath(ROLES, r.id));
      toast(`Role "${r.name}" deleted`, 'success');
      setReloadKey((k) => k + 1);
    } catch (err) {
      toast(messageOf(err), 'error');
    }
  };

  const togglePermission = (p: RolePermissionOption) =>
    setForm((f) => ({ ...f, permissions: f.permissions.includes(p) ? f.permissions.filter((x) => x !== p) : [...f.permissions, p] }));
  const toggleGroup = (id: number) =>
    setForm((f) => ({ ...f, groups: f.groups.includes(id) ? f.groups.filter((x) => x !== id) : [...f.groups, id] }));

  const columns: Column<RoleItem>[] = [
    { header: 'Role', sort: 'name', cell: (r) => r.name },
    { header: 'Permissions', cell: (r) => r.permissions.map((p) => <span key={p} className="tag">{PERMISSION_LABELS[p]?.label ?? p}</span>) },
    { header: 'Device groups', cell: (r) => (r.deviceGroups === 'all' ? 'All device groups' : r.deviceGroups.map(groupName).join(', ') || 'None') },
    {
      header: 'Actions',
      cell: (r) => (r.builtIn ? <span className="muted">Built in</span> : (
        <span className="row">
          <button type="button" onClick={() => setForm(formOf(r))} aria-label={`Edit role ${r.name}`}>Edit</button>
          <button type="button" onClick={() => void remove(r)} aria-label={`Delete role ${r.name}`}>Delete</button>
        </span>
      )),
    },
  ];

  return (
    <div className="settings">
      <h1>Settings</h1>
      <SettingsTabs current="settings/roles" />
      <h2>Roles</h2>
      <DataGrid<RoleItem> label="Roles" columns={columns} load={load} rowKey={(r) => r.id} reloadKey={reloadKey} initialSort={{ field: 'name', desc: false }} empty="No roles yet." />
      <section aria-labelledby="role-form-heading" className="card">
        <h2 id="role-form-heading">{form.id ? `Edit role ${form.name}` : 'Create a role'}</h2>
        <form onSubmit={save} className="stack">
          <label><span>Role name</span><input required maxLength={128} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} /></label>
          <label><span>Description</span><input maxLength={1024} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} /></label>
          <fieldset>
            <legend>Permissions</legend>
            {ROLE_PERMISSION_OPTIONS.map((p) => (
              <div key={p} className="option">
                <label className="check">
                  <input type="checkbox" checked={form.permissions.includes(p)} onChange={() => togglePermission(p)} aria-describedby={`perm-help-${p.replace('.', '-')}`} />
                  {PERMISSION_LABELS[p].label}
                </label>
                <small id={`perm-help-${p.replace('.', '-')}`} className="muted">{PERMISSION_LABELS[p].help}</small>
              </div>
            ))}
          </fieldset>
          <fieldset>
            <legend>Device groups</legend>
            <label className="check"><input type="radio" name="role-groups" checked={form.allGroups} onChange={() => setForm({ ...form, allGroups: true })} />All device groups</label>
            <label className="check"><input type="radio" name="role-groups" checked={!form.allGroups} onChange={() => setForm({ ...form, allGroups: false })} />Only these device groups:</label>
            {!form.allGroups && [{ id: UNGROUPED, name: groupName(UNGROUPED) }, ...groups].map((g) => (
              <label key={g.id} className="check indent">
                <input type="checkbox" checked={form.groups.includes(g.id)} onChange={() => toggleGroup(g.id)} />
                {g.name}
              </label>
            ))}
          </fieldset>
          {error && <p className="error" role="alert">{error}</p>}
          <div className="row">
            <button type="submit" className="primary">{form.id ? 'Save role' : 'Create role'}</button>
            {form.id && <button type="button" onClick={() => setForm(EMPTY)}>Cancel</button>}
          </div>
        </form>
      </section>
    </div>
  );
}
