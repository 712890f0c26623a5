/**
 * Settings › Sign-in providers: the tenant's external OpenID Connect providers (`Sign in with
 * <name>` on the sign-in page). Add one, edit it — the claim carrying groups or roles and the rows
 * mapping a claim value to one of the tenant's roles —, disable or enable it, delete it after a
 * confirmation. The client secret is write-only: the page only says whether one is set.
 */
import { useState, type FormEvent } from 'react';
import { DataGrid, type Column } from '../../components/data-grid.tsx';
import { Progress } from '../../components/progress.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { messageOf, useToast } from '../../components/toasts.tsx';
import { useApi, useSession } from '../../context.ts';
import type { PageProps } from '../registry.ts';
import { IDENTITY_PROVIDERS, itemPath, type IdentityProviderItem, useSettingsList, useTenantRoles } from './settings-api.ts';
import { SettingsTabs } from './settings-tabs.tsx';
import './settings.css';

/** One row of the mapping: people whose claim holds `value` get the role `role`. */
interface MappingRow {
  key: number;
  value: string;
  role: string;
}

interface ProviderForm {
  id: string | null;
  name: string;
  issuer: string;
  clientId: string;
  /** A new secret; empty keeps the current one (or sets none). */
  clientSecret: string;
  removeSecret: boolean;
  hasClientSecret: boolean;
  scopes: string;
  rolesClaim: string;
  rows: MappingRow[];
  jitProvisioning: boolean;
}

let nextKey = 1;
const row = (value = '', role = ''): MappingRow => ({ key: nextKey++, value, role });

const EMPTY: ProviderForm = {
  id: null, name: '', issuer: '', clientId: '', clientSecret: '', removeSecret: false, hasClientSecret: false,
  scopes: 'openid profile email', rolesClaim: 'groups', rows: [], jitProvisioning: false,
};

function formOf(p: IdentityProviderItem): ProviderForm {
  return {
    id: p.id, name: p.name, issuer: p.issuer, clientId: p.clientId, clientSecret: '', removeSecret: false, hasClientSecret: p.hasClientSecret,
    scopes: p.scopes.join(' '), rolesClaim: p.rolesClaim, jitProvisioning: p.jitProvisioning,
    rows: Object.entries(p.roleMapping).flatMap(([value, roles]) => roles.map((r) => row(value, r))),
  };
}

/** The mapping the rows make (rows of one claim value merge; rows without a value or a role are left out). */
function mappingOf(rows: readonly MappingRow[]): Record<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const value = r.value.trim();
    if (!value || !r.role) continue;
    out.set(value, [...new Set([...(out.get(value) ?? []), r.role])]);
  }
  return Object.fromEntries(out);
}

/** The mapping as text for the list: `value → role, role`. */
function mappingText(m: Record<string, string[]>): string {
  return Object.entries(m).map(([v, roles]) => `${v} → ${roles.join(', ')}`).join('; ') || 'None';
}

/** The sign-in providers page. */
export default function SignInProvidersPage(_: PageProps) {
  const api = useApi();
  const session = useSession();
  const toast = useToast();
  const [reloadKey, setReloadKey] = useState(0);
  const [form, setForm] = useState<ProviderForm>(EMPTY);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const callbackUrl = `${location.origin}/${session.tenantId}/oauth2/v2.0/federation/callback`;

  const roles = useTenantRoles(api, setError);
  const load = useSettingsList<IdentityProviderItem>(api, IDENTITY_PROVIDERS);

  /** Runs `work` with the page busy (progress shown, buttons off); true when it succeeded. */
  const run = async (what: string, work: () => Promise<unknown>, done: string, onError: (m: string) => void): Promise<boolean> => {
    setBusy(what);
    try {
      await work();
      toast(done, 'success');
      setReloadKey((k) => k + 1);
      return true;
    } catch (err) {
      onError(messageOf(err));
      return false;
    } finally {
      setBusy(null);
    }
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body: Record<string, unknown> = {
      name: form.name.trim(), clientId: form.clientId.trim(), scopes: form.scopes.split(/[\s,]+/).filter(Boolean),
      rolesClaim: form.rolesClaim.trim(), roleMapping: mappingOf(form.rows), jitProvisioning: form.jitProvisioning,
    };
    if (form.clientSecret) body.clientSecret = form.clientSecret;
    else if (form.removeSecret) body.clientSecret = null;
    if (!form.id) body.issuer = form.issuer.trim();
    const ok = await run('Saving the provider', () => (form.id ? api.patch(itemPath(IDENTITY_PROVIDERS, form.id), body) : api.post(IDENTITY_PROVIDERS, body)),
      `Sign-in provider "${form.name.trim()}" saved`, setError);
    if (ok) setForm(EMPTY);
  };

  const setEnabled = (p: IdentityProviderItem, enabled: boolean) =>
    void run(enabled ? 'Enabling the provider' : 'Disabling the provider', () => api.patch(itemPath(IDENTITY_PROVIDERS, p.id), { disabled: !enabled }),
      `Sign-in provider "${p.name}" ${enabled ? 'enabled' : 'disabled'}`, (m) => toast(m, 'error'));

  const remove = (p: IdentityProviderItem) => {
    if (!confirm(`Delete the sign-in provider "${p.name}"? Its users stay, but cannot sign in through it until it is added again.`)) return;
    void run('Deleting the provider', () => api.delete(itemPath(IDENTITY_PROVIDERS, p.id)), `Sign-in provider "${p.name}" deleted`, (m) => toast(m, 'error'))
      .then((ok) => ok && form.id === p.id && setForm(EMPTY));
  };

  const setRow = (key: number, change: Partial<MappingRow>) => setForm((f) => ({ ...f, rows: f.rows.map((r) => (r.key === key ? { ...r, ...change } : r)) }));

  const columns: Column<IdentityProviderItem>[] = [
    { header: 'Provider', sort: 'name', cell: (p) => p.name },
    { header: 'Issuer', sort: 'issuer', cell: (p) => <code>{p.issuer}</code> },
    { header: 'Client', cell: (p) => <><code>{p.clientId}</code> {p.hasClientSecret ? <span className="muted">(secret set)</span> : <span className="muted">(public client)</span>}</> },
    { header: 'Role mapping', cell: (p) => <><span className="muted">{p.rolesClaim}:</span> {mappingText(p.roleMapping)}</> },
    { header: 'New users', sort: 'jitProvisioning', cell: (p) => (p.jitProvisioning ? 'Created at first sign-in' : 'Created by an administrator') },
    { header: 'Status', sort: 'disabled', cell: (p) => <StatusBadge value={p.disabled ? 'Disabled' : 'Active'} /> },
    {
      header: 'Actions',
      cell: (p) => (
        <span className="row">
          <button type="button" disabled={busy !== null} onClick={() => { setError(null); setForm(formOf(p)); }} aria-label={`Edit sign-in provider ${p.name}`}>Edit</button>
          <button type="button" disabled={busy !== null} onClick={() => setEnabled(p, p.disabled)} aria-label={`${p.disabled ? 'Enable' : 'Disable'} sign-in provider ${p.name}`}>
            {p.disabled ? 'Enable' : 'Disable'}
          </button>
          <button type="button" disabled={busy !== null} onClick={() => remove(p)} aria-label={`Delete sign-in provider ${p.name}`}>Delete</button>
        </span>
      ),
    },
  ];

  return (
    <div className="settings">
      <h1>Settings</h1>
      <SettingsTabs current="settings/sign-in-providers" />
      <h2>Sign-in providers</h2>
      <p className="muted">
        People sign in with their organisation&apos;s OpenID Connect provider (Entra ID, Keycloak, Okta…) through a <em>Sign in with</em> button on the sign-in page.
        Register Palisade at the provider as a web application with the redirect URI <code>{callbackUrl}</code>.
      </p>
      {busy && <Progress label={busy} done={0} total={null} />}
      <DataGrid<IdentityProviderItem> label="Sign-in providers" columns={columns} load={load} rowKey={(p) => p.id} reloadKey={reloadKey} initialSort={{ field: 'name', desc: false }} empty="No sign-in providers yet." />

      <section aria-labelledby="provider-form-heading" className="card">
        <h2 id="provider-form-heading">{form.id ? `Edit sign-in provider ${form.name}` : 'Add a sign-in provider'}</h2>
        <form onSubmit={save} className="stack" aria-busy={busy !== null}>
          <label><span>Name (shown as “Sign in with …”)</span><input required maxLength={64} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} autoComplete="off" /></label>
          <label>
            <span>Issuer URL</span>
            <input required type="url" value={form.issuer} readOnly={form.id !== null} aria-describedby="issuer-help" onChange={(e) => setForm({ ...form, issuer: e.target.value })} autoComplete="off" />
            <small id="issuer-help" className="muted">{form.id ? 'The issuer cannot change: its users are linked to it. Add another provider for a new issuer.' : 'Exactly as the provider’s /.well-known/openid-configuration names it; https.'}</small>
          </label>
          <label><span>Client id</span><input required maxLength={256} value={form.clientId} onChange={(e) => setForm({ ...form, clientId: e.target.value })} autoComplete="off" /></label>
          <label>
            <span>{form.hasClientSecret ? 'New client secret' : 'Client secret'}</span>
            <input type="password" maxLength={1024} value={form.clientSecret} disabled={form.removeSecret} aria-describedby="secret-help" autoComplete="new-password"
              onChange={(e) => setForm({ ...form, clientSecret: e.target.value })} />
            <small id="secret-help" className="muted">
              {form.hasClientSecret ? 'A secret is set; it is never shown. Leave this empty to keep it.' : 'Leave empty for a public client (PKCE only), if the provider allows it.'}
            </small>
          </label>
          {form.hasClientSecret && (
            <label className="check"><input type="checkbox" checked={form.removeSecret} onChange={(e) => setForm({ ...form, removeSecret: e.target.checked, clientSecret: '' })} />Remove the secret (a public client)</label>
          )}
          <label><span>Scopes (separated by spaces)</span><input value={form.scopes} onChange={(e) => setForm({ ...form, scopes: e.target.value })} autoComplete="off" /></label>
          <label>
            <span>Claim holding the groups or roles</span>
            <input required maxLength={128} value={form.rolesClaim} aria-describedby="claim-help" onChange={(e) => setForm({ ...form, rolesClaim: e.target.value })} autoComplete="off" />
            <small id="claim-help" className="muted">For example groups, roles, or realm_access.roles (a dotted name reaches into an object).</small>
          </label>
          <fieldset>
            <legend>Role mapping: people whose claim holds the value get the role</legend>
            {form.rows.length === 0 && <p className="muted">No mapping rows: people from this provider get no role.</p>}
            {form.rows.map((r, i) => (
              <div key={r.key} className="row mapping-row">
                <label><span>Claim value {i + 1}</span><input maxLength={256} value={r.value} onChange={(e) => setRow(r.key, { value: e.target.value })} autoComplete="off" /></label>
                <label>
                  <span>Role {i + 1}</span>
                  <select value={r.role} onChange={(e) => setRow(r.key, { role: e.target.value })}>
                    <option value="">Choose a role</option>
                    {roles.map((x) => <option key={x.id} value={x.name}>{x.name}</option>)}
                    {r.role && !roles.some((x) => x.name === r.role) && <option value={r.role}>{r.role}</option>}
                  </select>
                </label>
                <button type="button" onClick={() => setForm((f) => ({ ...f, rows: f.rows.filter((x) => x.key !== r.key) }))} aria-label={`Remove mapping row ${i + 1}`}>Remove</button>
              </div>
            ))}
            <div><button type="button" onClick={() => setForm((f) => ({ ...f, rows: [...f.rows, row()] }))}>Add a mapping row</button></div>
          </fieldset>
          <label className="check">
            <input type="checkbox" checked={form.jitProvisioning} onChange={(e) => setForm({ ...form, jitProvisioning: e.target.checked })} />
            Create a Palisade user at a person&apos;s first sign-in
          </label>
          {error && <p className="error" role="alert">{error}</p>}
          <div className="row">
            <button type="submit" className="primary" disabled={busy !== null}>{form.id ? 'Save provider' : 'Add provider'}</button>
            {form.id && <button type="button" onClick={() => { setError(null); setForm(EMPTY); }}>Cancel</button>}
          </div>
        </form>
      </section>
    </div>
  );
}
