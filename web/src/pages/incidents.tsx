/**
 * The incident queue: a server-paged grid of incidents (alerts grouped by the server), filtered by
 * status, severity and owner; the incident named in `?id=` shows its alerts and comments and takes
 * triage (resolving an incident resolves its alerts on the server); the selected incidents take one
 * triage change together (one PATCH each, with progress).
 */
import { useCallback, useEffect, useState } from 'react';
import { ALERT_SEVERITIES, INCIDENT_CLASSIFICATIONS, INCIDENT_DETERMINATIONS, SETTABLE_INCIDENT_STATUSES } from '../../../src/domain/alert.ts';
import { and, anyOf } from '../api/odata.ts';
import { DataGrid, type Column } from '../components/data-grid.tsx';
import { Filters, type FilterDef } from '../components/filters.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { messageOf, useToast } from '../components/toasts.tsx';
import { TriageForm, type TriageChoices } from '../components/triage-form.tsx';
import { Progress } from '../components/progress.tsx';
import { useApi, useCan, useSession } from '../context.ts';
import { Link, setQuery } from '../router.tsx';
import { when } from './devices.tsx';
import type { PageProps } from './registry.ts';

interface IncidentRow {
  incidentId: number;
  incidentName: string;
  status: string;
  severity: string;
  assignedTo: string | null;
  classification: string;
  determination: string;
  createdTime: string;
  lastUpdateTime: string;
  comments: { comment: string; createdBy: string | null; createdTime: string }[];
  alerts?: { alertId: string; title: string; status: string; severity: string }[];
}

const INCIDENT_CHOICES: TriageChoices = { statuses: SETTABLE_INCIDENT_STATUSES, classifications: INCIDENT_CLASSIFICATIONS, determinations: INCIDENT_DETERMINATIONS };

const FILTERS: FilterDef[] = [
  { name: 'status', label: 'Status', options: ['Active', 'InProgress', 'Resolved'] },
  { name: 'severity', label: 'Severity', options: ALERT_SEVERITIES },
  { name: 'assignedTo', label: 'Assigned to', placeholder: 'user name' },
];

function IncidentDetails({ id, onChanged }: { id: string; onChanged: () => void }) {
  const api = useApi();
  const toast = useToast();
  const me = useSession().user?.userName ?? '';
  const canWrite = useCan()('Alert.ReadWrite');
  const [incident, setIncident] = useState<IncidentRow | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<IncidentRow>(`/api/incidents/${encodeURIComponent(id)}`).then(setIncident, (e: unknown) => setError(messageOf(e)));
  }, [api, id]);
  const save = async (changes: Record<string, string | null>) => {
    try {
      setIncident(await api.patch<IncidentRow>(`/api/incidents/${encodeURIComponent(id)}`, changes));
      toast('Incident updated', 'success');
      onChanged();
    } catch (e) {
      toast(messageOf(e), 'error');
    }
  };
  if (error) return <section className="card"><p className="error" role="alert">{error}</p></section>;
  if (!incident) return <section className="card"><p className="muted">Loading…</p></section>;
  return (
    <section className="card" aria-labelledby="incident-title">
      <div className="row">
        <h2 id="incident-title" style={{ flex: 1 }}>{incident.incidentName}</h2>
        <button type="button" onClick={() => setQuery({ id: null })}>Close details</button>
      </div>
      {canWrite && <TriageForm idPrefix="incident" current={incident} choices={INCIDENT_CHOICES} me={me} onSave={save} />}
      <h3>Alerts</h3>
      <ul>{(incident.alerts ?? []).map((a) => <li key={a.alertId}><Link to={`alerts?id=${encodeURIComponent(a.alertId)}`}>{a.title}</Link> <StatusBadge value={a.severity} /> <StatusBadge value={a.status} /></li>)}</ul>
      <h3>Comments</h3>
      {incident.comments.length === 0 ? <p className="muted">No comments.</p> : (
        <ul>{incident.comments.map((c, i) => <li key={i}><strong>{c.createdBy ?? 'unknown'}</strong> <span className="muted">{when(c.createdTime)}</span>: {c.comment}</li>)}</ul>
      )}
    </section>
  );
}

/** The incident queue page. */
export default function Incidents({ query }: PageProps) {
  const api = useApi();
  const toast = useToast();
  const me = useSession().user?.userName ?? '';
  const canWrite = useCan()('Alert.ReadWrite');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const values = Object.fromEntries(FILTERS.map((f) => [f.name, query.get(f.name) ?? '']));
  const filter = and(anyOf('status', [values.status]), anyOf('severity', [values.severity]), anyOf('assignedTo', [values.assignedTo.trim()]));
  const [reloadKey, setReloadKey] = useState(0);
  const openId = query.get('id');
  const load = useCallback((r: { top: number; skip: number; orderby?: string; filter?: string }, signal: AbortSignal) => api.list<IncidentRow>('/api/incidents', r, signal), [api]);
  const onFilter = useCallback((name: string, value: string) => setQuery({ [name]: value }), []);
  // incidents have no batch route: one PATCH each, with progress; the ones that failed stay selected
  const bulk = async (changes: Record<string, string | null>) => {
    if (selected.size === 0) {
      toast('Select incidents first', 'info');
      return;
    }
    const ids = [...selected];
    const failed = new Set<string>();
    setProgress({ done: 0, total: ids.length });
    for (const id of ids) {
      try {
        await api.patch(`/api/incidents/${encodeURIComponent(id)}`, changes);
      } catch (e) {
        failed.add(id);
        toast(`Incident ${id}: ${messageOf(e)}`, 'error');
      }
      setProgress((p) => p && { ...p, done: p.done + 1 });
    }
    setProgress(null);
    if (failed.size < ids.length) toast(`${ids.length - failed.size} incident(s) updated`, 'success');
    setSelected(failed);
    setReloadKey((k) => k + 1);
  };
  const columns: Column<IncidentRow>[] = [
    { header: 'Incident', sort: 'incidentName', cell: (i) => <Link to={`incidents?${new URLSearchParams({ ...Object.fromEntries(query), id: String(i.incidentId) })}`}>{i.incidentName}</Link> },
    { header: 'Severity', sort: 'severity', cell: (i) => <StatusBadge value={i.severity} /> },
    { header: 'Status', sort: 'status', cell: (i) => <StatusBadge value={i.status} /> },
    { header: 'Assigned to', sort: 'assignedTo', cell: (i) => i.assignedTo ?? '—' },
    { header: 'Classification', cell: (i) => i.classification },
    { header: 'Updated', sort: 'lastUpdateTime', cell: (i) => when(i.lastUpdateTime) },
  ];
  return (
    <>
      <h1>Incidents</h1>
      <Filters label="Filter incidents" defs={FILTERS} values={values} onChange={onFilter} />
      {openId && <IncidentDetails key={openId} id={openId} onChanged={() => setReloadKey((k) => k + 1)} />}
      {canWrite && (
        <section aria-labelledby="bulk">
          <h2 id="bulk">Selected incidents ({selected.size})</h2>
          <TriageForm idPrefix="bulk" current={{}} choices={INCIDENT_CHOICES} me={me} onSave={bulk} submitLabel="Apply to selected" />
          {progress && <Progress label="Updating incidents" done={progress.done} total={progress.total} />}
        </section>
      )}
      <DataGrid label="Incidents" columns={columns} load={load} rowKey={(i) => String(i.incidentId)} filter={filter} reloadKey={reloadKey}
        selection={canWrite ? { selected, onChange: setSelected } : undefined} initialSort={{ field: 'lastUpdateTime', desc: true }} empty="No incident matches these filters." />
    </>
  );
}
