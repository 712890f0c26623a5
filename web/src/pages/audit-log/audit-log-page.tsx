/**
 * The audit log: every change made in the tenant — who (the user's or app's name), what, on what,
 * when, and whether it succeeded — newest first, filtered and paged on the server
 * (`GET /api/auditlogs` with OData).
 */
import { useCallback } from 'react';
import { and, anyOf, startsWith } from '../../api/odata.ts';
import { DataGrid, type Column, type PageRequest } from '../../components/data-grid.tsx';
import { Filters, type FilterDef } from '../../components/filters.tsx';
import { StatusBadge } from '../../components/status-badge.tsx';
import { useApi } from '../../context.ts';
import { setQuery } from '../../router.tsx';
import type { PageProps } from '../registry.ts';
import './audit-log.css';

/** One audit record as the API lists it. */
export interface AuditItem {
  /** The record's number: later records have higher numbers. */
  id: number;
  time: string;
  actorKind: string;
  actorId: string;
  actorName: string | null;
  action: string;
  target: string;
  result: string;
  details: string | null;
}

const FILTERS: FilterDef[] = [
  { name: 'actor', label: 'Actor starts with', placeholder: 'user or app name' },
  { name: 'action', label: 'Action starts with', placeholder: 'e.g. alert.' },
  { name: 'target', label: 'Target', placeholder: 'exact id' },
  { name: 'result', label: 'Result', options: ['success', 'failure'] },
  { name: 'since', label: 'Since (UTC, e.g. 2026-12-01)', placeholder: 'YYYY-MM-DD[Thh:mm]' },
];

/** The `$filter` of the page's filter values (unusable dates are left out). */
export function auditFilter(v: Record<string, string>): string | undefined {
  const since = v.since && !Number.isNaN(Date.parse(v.since)) ? `time ge ${new Date(Date.parse(v.since.length <= 10 ? `${v.since}T00:00:00Z` : v.since)).toISOString()}` : null;
  return and(
    startsWith('actorName', v.actor ?? ''),
    startsWith('action', v.action ?? ''),
    anyOf('target', [v.target?.trim() ?? '']),
    anyOf('result', [v.result ?? '']),
    since,
  );
}

/** The audit log page. */
export default function AuditLogPage({ query }: PageProps) {
  const api = useApi();
  const values = Object.fromEntries(FILTERS.map((f) => [f.name, query.get(f.name) ?? '']));
  const filter = auditFilter(values);
  const load = useCallback((r: PageRequest, signal: AbortSignal) => api.list<AuditItem>('/api/auditlogs', r, signal), [api]);
  const onFilter = useCallback((name: string, value: string) => setQuery({ [name]: value }), []);
  const columns: Column<AuditItem>[] = [
    { header: 'Time (UTC)', sort: 'time', className: 'time', cell: (a) => a.time.replace('T', ' ').replace(/(\.\d+)?Z$/, '') },
    { header: 'Actor', sort: 'actorName', cell: (a) => a.actorName ?? `${a.actorKind} ${a.actorId}` },
    { header: 'Action', sort: 'action', cell: (a) => a.action },
    { header: 'Target', sort: 'target', className: 'target', cell: (a) => a.target },
    { header: 'Result', cell: (a) => <StatusBadge value={a.result === 'success' ? 'Succeeded' : 'Failed'} label={a.result} /> },
    { header: 'Details', className: 'details', cell: (a) => <span title={a.details ?? undefined}>{a.details ?? ''}</span> },
  ];
  return (
    <div className="audit-log">
      <h1>Audit log</h1>
      <Filters label="Filter the audit log" defs={FILTERS} values={values} onChange={onFilter} />
      <DataGrid<AuditItem> label="Audit records" columns={columns} load={load} filter={filter} rowKey={(a) => String(a.id)}
        initialSort={{ field: 'time', desc: true }} empty="No audit records match." />
    </div>
  );
}
