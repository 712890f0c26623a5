/**
 * Settings › Apps: the tenant's apps (OAuth2 clients) and the application permissions each holds.
 * Secrets are never shown; apps are created with `palisade admin app create`.
 */
import { DataGrid, type Column } from '../../components/data-grid.tsx';
import { useApi } from '../../context.ts';
import type { PageProps } from '../registry.ts';
import { APPS, type AppItem, useSettingsList } from './settings-api.ts';
import { SettingsTabs } from './settings-tabs.tsx';
import './settings.css';

/** The apps page. */
export default function AppsPage(_: PageProps) {
  const api = useApi();
  const load = useSettingsList<AppItem>(api, APPS);
  const columns: Column<AppItem>[] = [
    { header: 'App', sort: 'name', cell: (a) => a.name },
    { header: 'Client id', cell: (a) => <code>{a.clientId}</code> },
    { header: 'Permissions', cell: (a) => a.permissions.map((p) => <span key={p} className="tag">{p}</span>) },
    { header: 'Created', sort: 'createdAt', cell: (a) => a.createdAt },
  ];
  return (
    <div className="settings">
      <h1>Settings</h1>
      <SettingsTabs current="settings/apps" />
      <h2>Apps</h2>
      <p className="muted">Apps call the API with their own credentials. Create one with <code>palisade admin app create</code>; its secret is printed once there.</p>
      <DataGrid<AppItem> label="Apps" columns={columns} load={load} rowKey={(a) => a.clientId} initialSort={{ field: 'name', desc: false }} empty="No apps yet." />
    </div>
  );
}
