/**
 * The device inventory: a server-paged grid of machines (sortable by name, last seen, risk, health)
 * with filters — name, health, OS, risk, device group, tag — kept in the URL, and tags added to or
 * removed from the selected devices in one request (AddOrRemoveTagForMultipleMachines).
 */
import { useCallback, useState, type FormEvent } from 'react';
import { HEALTH_STATUSES, RISK_SCORES } from '../../../src/domain/device.ts';
import { and, anyOf, contains, startsWith } from '../api/odata.ts';
import { DataGrid, type Column } from '../components/data-grid.tsx';
import { Filters, type FilterDef } from '../components/filters.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { messageOf, useToast } from '../components/toasts.tsx';
import { useApi, useCan } from '../context.ts';
import { Link, setQuery } from '../router.tsx';
import type { PageProps } from './registry.ts';

/** The machine fields the console shows. */
export interface MachineRow {
  id: string;
  computerDnsName: string;
  osPlatform: string;
  osVersion: string | null;
  healthStatus: string;
  riskScore: string | null;
  exposureLevel: string | null;
  lastSeen: string;
  firstSeen: string;
  lastIpAddress: string | null;
  rbacGroupName: string | null;
  machineTags: string[];
  agentVersion: string | null;
}

/** A timestamp as the user's local date and time. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

const OS = ['Windows11', 'Windows10', 'WindowsServer2022', 'WindowsServer2019', 'Linux', 'macOS'];

const FILTERS: FilterDef[] = [
  { name: 'name', label: 'Name starts with', placeholder: 'e.g. web-' },
  { name: 'health', label: 'Health', options: HEALTH_STATUSES },
  { name: 'os', label: 'OS', options: OS },
  { name: 'risk', label: 'Risk', options: RISK_SCORES },
  { name: 'group', label: 'Device group', placeholder: 'group name' },
  { name: 'tag', label: 'Tag', placeholder: 'exact tag' },
];

const COLUMNS: Column<MachineRow>[] = [
  { header: 'Name', sort: 'computerDnsName', cell: (m) => <Link to={`devices/${m.id}`}>{m.computerDnsName}</Link> },
  { header: 'OS', sort: 'osPlatform', cell: (m) => m.osPlatform },
  { header: 'Health', sort: 'healthStatus', cell: (m) => <StatusBadge value={m.healthStatus} /> },
  { header: 'Risk', sort: 'riskScore', cell: (m) => <StatusBadge value={m.riskScore} /> },
  { header: 'Group', sort: 'rbacGroupName', cell: (m) => m.rbacGroupName ?? '—' },
  { header: 'Tags', cell: (m) => m.machineTags.map((t) => <span key={t} className="tag">{t}</span>) },
  { header: 'Last seen', sort: 'lastSeen', cell: (m) => when(m.lastSeen) },
];

/** The device inventory page. */
export default function Devices({ query }: PageProps) {
  const api = useApi();
  const toast = useToast();
  const canTag = useCan()('Machine.ReadWrite');
  const values = Object.fromEntries(FILTERS.map((f) => [f.name, query.get(f.name) ?? '']));
  const filter = and(
    startsWith('computerDnsName', values.name),
    anyOf('healthStatus', [values.health]),
    anyOf('osPlatform', [values.os]),
    anyOf('riskScore', [values.risk]),
    anyOf('rbacGroupName', [values.group.trim()]),
    contains('machineTags', values.tag.trim()),
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reloadKey, setReloadKey] = useState(0);
  const [tag, setTag] = useState('');
  const [busy, setBusy] = useState(false);
  const load = useCallback((r: { top: number; skip: number; orderby?: string; filter?: string }, signal: AbortSignal) => api.list<MachineRow>('/api/machines', r, signal), [api]);
  const onFilter = useCallback((name: string, value: string) => setQuery({ [name]: value }), []);

  const applyTag = async (action: 'Add' | 'Remove', e?: FormEvent) => {
    e?.preventDefault();
    const value = tag.trim();
    if (!value || selected.size === 0) return;
    setBusy(true);
    try {
      await api.post('/api/machines/AddOrRemoveTagForMultipleMachines', { Value: value, Action: action, MachineIds: [...selected] });
      toast(`Tag “${value}” ${action === 'Add' ? 'added to' : 'removed from'} ${selected.size} device(s)`, 'success');
      setReloadKey((k) => k + 1);
    } catch (err) {
      toast(messageOf(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Devices</h1>
      <Filters label="Filter devices" defs={FILTERS} values={values} onChange={onFilter} />
      {canTag && <form className="toolbar" aria-label="Tag the selected devices" onSubmit={(e) => void applyTag('Add', e)}>
        <label>
          <span>Tag</span>
          <input value={tag} onChange={(e) => setTag(e.target.value)} maxLength={200} />
        </label>
        <button type="submit" disabled={busy || !tag.trim() || selected.size === 0}>Add tag to selected</button>
        <button type="button" disabled={busy || !tag.trim() || selected.size === 0} onClick={() => void applyTag('Remove')}>Remove tag from selected</button>
        <span className="muted">{selected.size} selected</span>
      </form>}
      <DataGrid
        label="Devices"
        columns={COLUMNS}
        load={load}
        rowKey={(m) => m.id}
        filter={filter}
        initialSort={{ field: 'computerDnsName', desc: false }}
        selection={canTag ? { selected, onChange: setSelected } : undefined}
        reloadKey={reloadKey}
        empty="No device matches these filters."
      />
    </>
  );
}
