/**
 * The alert queue: a server-paged grid of alerts (newest first) filtered by status, severity,
 * classification and owner; bulk triage of the selected alerts in one `batchUpdate` (all or none);
 * and, for the alert named in `?id=`, its details, comments and triage (assign, classify, determine,
 * comment, resolve).
 */
import { useCallback, useEffect, useState } from 'react';
import { ALERT_CLASSIFICATIONS, ALERT_DETERMINATIONS, ALERT_SEVERITIES, SETTABLE_ALERT_STATUSES } from '../../../src/domain/alert.ts';
import { and, anyOf } from '../api/odata.ts';
import { DataGrid, type Column } from '../components/data-grid.tsx';
import { Filters, type FilterDef } from '../components/filters.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { messageOf, useToast } from '../components/toasts.tsx';
import { TriageForm, type TriageChoices } from '../components/triage-form.tsx';
import { useApi, useCan, useSession } from '../context.ts';
import { Link, setQuery } from '../router.tsx';
import { when } from './devices.tsx';
import type { PageProps } from './registry.ts';

/** The alert fields the console shows. */
export interface AlertRow {
  id: string;
  incidentId: number | null;
  title: string;
  description: string;
  severity: string;
  status: string;
  category: string;
  detectionSource: string;
  assignedTo: string | null;
  classification: string | null;
  determination: string | null;
  alertCreationTime: string;
  machineId: string | null;
  computerDnsName: string | null;
  comments: { comment: string; createdBy: string | null; createdTime: string }[];
}

/** The triage choices of an alert. */
export const ALERT_CHOICES: TriageChoices = { statuses: SETTABLE_ALERT_STATUSES, classifications: ALERT_CLASSIFICATIONS, determinations: ALERT_DETERMINATIONS };

const FILTERS: FilterDef[] = [
  { name: 'status', label: 'Status', options: ['New', 'InProgress', 'Resolved'] },
  { name: 'severity', label: 'Severity', options: ALERT_SEVERITIES },
  { name: 'classification', label: 'Classification', options: ALERT_CLASSIFICATIONS },
  { name: 'assignedTo', label: 'Assigned to', placeholder: 'user name' },
];

function AlertDetails({ id, onChanged }: { id: string; onChanged: () => void }) {
  const api = useApi();
  const toast = useToast();
  const me = useSession().user?.userName ?? '';
  const canWrite = useCan()('Alert.ReadWrite');
  const [alert, setAlert] = useState<AlertRow | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setAlert(null);
    api.get<AlertRow>(`/api/alerts/${encodeURIComponent(id)}`).then(setAlert, (e: unknown) => setError(messageOf(e)));
  }, [api, id]);
  const save = async (changes: Record<string, string | null>) => {
    try {
      setAlert(await api.patch<AlertRow>(`/api/alerts/${encodeURIComponent(id)}`, changes));
      toast('Alert updated', 'success');
      onChanged();
    } catch (e) {
      toast(messageOf(e), 'error');
    }
  };
  if (error) return <section className="card" aria-label="Alert"><p className="error" role="alert">{error}</p></section>;
  if (!alert) return <section className="card" aria-label="Alert"><p className="muted">Loading…</p></section>;
  return (
    <section className="card" aria-labelledby="alert-title">
      <div className="row">
        <h2 id="alert-title" style={{ flex: 1 }}>{alert.title}</h2>
        <button type="button" onClick={() => setQuery({ id: null })}>Close details</button>
      </div>
      <dl className="facts">
        <dt>Severity</dt><dd><StatusBadge value={alert.severity} /></dd>
        <dt>Status</dt><dd><StatusBadge value={alert.status} /></dd>
        <dt>Device</dt><dd>{alert.machineId ? <Link to={`devices/${alert.machineId}`}>{alert.computerDnsName ?? alert.machineId}</Link> : '—'}</dd>
        <dt>Category</dt><dd>{alert.category}</dd>
        <dt>Source</dt><dd>{alert.detectionSource}</dd>
        <dt>Incident</dt><dd>{alert.incidentId ?? '—'}</dd>
        <dt>Created</dt><dd>{when(alert.alertCreationTime)}</dd>
        <dt>Description</dt><dd>{alert.description}</dd>
      </dl>
      {canWrite && (
        <>
          <h3>Triage</h3>
          <TriageForm idPrefix="alert" current={alert} choices={ALERT_CHOICES} me={me} onSave={save} />
          {alert.status !== 'Resolved' && <button type="button" className="primary" onClick={() => void save({ status: 'Resolved' })}>Resolve alert</button>}
        </>
      )}
      <h3>Comments</h3>
      {alert.comments.length === 0 ? <p className="muted">No comments.</p> : (
        <ul>{alert.comments.map((c, i) => <li key={i}><strong>{c.createdBy ?? 'unknown'}</strong> <span className="muted">{when(c.createdTime)}</span>: {c.comment}</li>)}</ul>
      )}
    </section>
  );
}

/** The alert queue page. */
export default function Alerts({ query }: PageProps) {
  const api = useApi();
  const toast = useToast();
  const me = useSession().user?.userName ?? '';
  const canWrite = useCan()('Alert.ReadWrite');
  const values = Object.fromEntries(FILTERS.map((f) => [f.name, query.get(f.name) ?? '']));
  const filter = and(anyOf('status', [values.status]), anyOf('severity', [values.severity]), anyOf('classification', [values.classification]), anyOf('assignedTo', [values.assignedTo.trim()]));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reloadKey, setReloadKey] = useState(0);
  const openId = query.get('id');
  const load = useCallback((r: { top: number; skip: number; orderby?: string; filter?: string }, signal: AbortSignal) => api.list<AlertRow>('/api/alerts', r, signal), [api]);
  const onFilter = useCallback((name: string, value: string) => setQuery({ [name]: value }), []);
  const bulk = async (changes: Record<string, string | null>) => {
    if (selected.size === 0) {
      toast('Select alerts first', 'info');
      return;
    }
    try {
      await api.post('/api/alerts/batchUpdate', { alertIds: [...selected], ...changes });
      toast(`${selected.size} alert(s) updated`, 'success');
      setSelected(new Set());
      setReloadKey((k) => k + 1);
    } catch (e) {
      toast(messageOf(e), 'error');
    }
  };
  const columns: Column<AlertRow>[] = [
    { header: 'Title', sort: 'title', cell: (a) => <Link to={`alerts?${new URLSearchParams({ ...Object.fromEntries(query), id: a.id })}`} aria-current={a.id === openId ? 'true' : undefined}>{a.title}</Link> },
    { header: 'Severity', sort: 'severity', cell: (a) => <StatusBadge value={a.severity} /> },
    { header: 'Status', sort: 'status', cell: (a) => <StatusBadge value={a.status} /> },
    { header: 'Device', sort: 'computerDnsName', cell: (a) => (a.machineId ? <Link to={`devices/${a.machineId}`}>{a.computerDnsName ?? a.machineId}</Link> : '—') },
    { header: 'Assigned to', sort: 'assignedTo', cell: (a) => a.assignedTo ?? '—' },
    { header: 'Classification', cell: (a) => a.classification ?? '—' },
    { header: 'Created', sort: 'alertCreationTime', cell: (a) => when(a.alertCreationTime) },
  ];
  return (
    <>
      <h1>Alerts</h1>
      <Filters label="Filter alerts" defs={FILTERS} values={values} onChange={onFilter} />
      {openId && <AlertDetails key={openId} id={openId} onChanged={() => setReloadKey((k) => k + 1)} />}
      {canWrite && (
        <section aria-labelledby="bulk">
          <h2 id="bulk">Selected alerts ({selected.size})</h2>
          <TriageForm idPrefix="bulk" current={{}} choices={ALERT_CHOICES} me={me} onSave={bulk} submitLabel="Apply to selected" />
        </section>
      )}
      <DataGrid label="Alerts" columns={columns} load={load} rowKey={(a) => a.id} filter={filter} reloadKey={reloadKey}
        selection={canWrite ? { selected, onChange: setSelected } : undefined} initialSort={{ field: 'alertCreationTime', desc: true }} empty="No alert matches these filters." />
    </>
  );
}
