/**
 * The action center: every machine action of the tenant the user may see, newest first, filtered by
 * status and type; a pending or running action can be cancelled, and a finished investigation
 * package downloaded (the signed link of getPackageUri).
 */
import { useCallback, useState } from 'react';
import { MACHINE_ACTION_STATUSES, MACHINE_ACTION_TYPES } from '../../../src/domain/machine-action.ts';
import { and, anyOf } from '../api/odata.ts';
import { DataGrid, type Column } from '../components/data-grid.tsx';
import { Filters, type FilterDef } from '../components/filters.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { messageOf, useToast } from '../components/toasts.tsx';
import { useApi } from '../context.ts';
import { Link, setQuery } from '../router.tsx';
import type { ApiClient } from '../api/client.ts';
import { when } from './devices.tsx';
import type { PageProps } from './registry.ts';

/** The machine action fields the console shows. */
export interface MachineActionRow {
  id: string;
  type: string;
  status: string;
  machineId: string;
  computerDnsName: string | null;
  requestor: string;
  requestorComment: string;
  creationDateTimeUtc: string;
  lastUpdateDateTimeUtc: string;
}

/** Whether an action can still be cancelled. */
export function cancellable(a: MachineActionRow): boolean {
  return a.status === 'Pending' || a.status === 'InProgress';
}

/** Opens the investigation package of a finished collection (a signed link, valid for minutes). */
export async function downloadPackage(api: ApiClient, actionId: string): Promise<void> {
  const r = await api.get<{ value: string }>(`/api/machineactions/${encodeURIComponent(actionId)}/getPackageUri`);
  location.assign(r.value);
}

const FILTERS: FilterDef[] = [
  { name: 'status', label: 'Status', options: MACHINE_ACTION_STATUSES },
  { name: 'type', label: 'Action', options: MACHINE_ACTION_TYPES },
];

/** The action center page. */
export default function ActionCenter({ query }: PageProps) {
  const api = useApi();
  const toast = useToast();
  const [reloadKey, setReloadKey] = useState(0);
  const values = Object.fromEntries(FILTERS.map((f) => [f.name, query.get(f.name) ?? '']));
  const filter = and(anyOf('status', [values.status]), anyOf('type', [values.type]));
  const load = useCallback((r: { top: number; skip: number; orderby?: string; filter?: string }, signal: AbortSignal) => api.list<MachineActionRow>('/api/machineactions', r, signal), [api]);
  const onFilter = useCallback((name: string, value: string) => setQuery({ [name]: value }), []);

  const cancel = async (a: MachineActionRow) => {
    try {
      await api.post(`/api/machineactions/${encodeURIComponent(a.id)}/cancel`, { Comment: 'Cancelled in the console' });
      toast(`${a.type} on ${a.computerDnsName ?? a.machineId} cancelled`, 'success');
      setReloadKey((k) => k + 1);
    } catch (e) {
      toast(messageOf(e), 'error');
    }
  };
  const download = (a: MachineActionRow) => downloadPackage(api, a.id).catch((e: unknown) => toast(messageOf(e), 'error'));

  const columns: Column<MachineActionRow>[] = [
    { header: 'Action', sort: 'type', cell: (a) => a.type },
    { header: 'Device', cell: (a) => <Link to={`devices/${a.machineId}`}>{a.computerDnsName ?? a.machineId}</Link> },
    { header: 'Status', sort: 'status', cell: (a) => <StatusBadge value={a.status} /> },
    { header: 'Requested by', sort: 'requestor', cell: (a) => a.requestor },
    { header: 'Comment', cell: (a) => a.requestorComment },
    { header: 'Created', sort: 'creationDateTimeUtc', cell: (a) => when(a.creationDateTimeUtc) },
    { header: 'Updated', sort: 'lastUpdateDateTimeUtc', cell: (a) => when(a.lastUpdateDateTimeUtc) },
    {
      header: 'Do', cell: (a) => (
        <span className="row">
          {cancellable(a) && <button type="button" onClick={() => void cancel(a)} aria-label={`Cancel ${a.type} on ${a.computerDnsName ?? a.machineId}`}>Cancel</button>}
          {a.type === 'CollectInvestigationPackage' && a.status === 'Succeeded' && (
            <button type="button" onClick={() => void download(a)} aria-label={`Download package of ${a.computerDnsName ?? a.machineId}`}>Download package</button>
          )}
        </span>
      ),
    },
  ];

  return (
    <>
      <h1>Action center</h1>
      <Filters label="Filter actions" defs={FILTERS} values={values} onChange={onFilter} />
      <DataGrid label="Machine actions" columns={columns} load={load} rowKey={(a) => a.id} filter={filter} reloadKey={reloadKey}
        initialSort={{ field: 'creationDateTimeUtc', desc: true }} empty="No action matches these filters." />
    </>
  );
}
