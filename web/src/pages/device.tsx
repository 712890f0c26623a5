/**
 * A device: its facts and tags (editable), its response actions as buttons (isolate, release,
 * restrict and lift the restriction, antivirus scan, investigation package, stop and quarantine a
 * file) with the status of each request polled every 2 s while one is pending or running, its
 * alerts, and a timeline of its events from advanced hunting (the last 7 days, newest first).
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { runHunting } from '../api/hunting.ts';
import { DataGrid, type Column } from '../components/data-grid.tsx';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { messageOf, useToast } from '../components/toasts.tsx';
import { useApi, useCan } from '../context.ts';
import { Link } from '../router.tsx';
import { cancellable, downloadPackage, type MachineActionRow } from './action-center.tsx';
import type { AlertRow } from './alerts.tsx';
import { when, type MachineRow } from './devices.tsx';
import type { PageProps } from './registry.ts';

/** A response action the device page offers: its route segment, button, MDE type and body. */
interface ResponseAction {
  path: string;
  type: string;
  label: string;
  /** The delegated permission it needs. */
  permission: string;
  body?: Record<string, string>;
  /** A value the user gives besides the comment, sent under `key` (e.g. the file's SHA-1). */
  input?: { key: string; label: string; pattern: string };
  danger?: boolean;
}

const RESPONSE_ACTIONS: ResponseAction[] = [
  { path: 'isolate', type: 'Isolate', label: 'Isolate device', permission: 'Machine.Isolate', body: { IsolationType: 'Full' }, danger: true },
  { path: 'unisolate', type: 'Unisolate', label: 'Release from isolation', permission: 'Machine.Isolate' },
  { path: 'restrictCodeExecution', type: 'RestrictCodeExecution', label: 'Restrict app execution', permission: 'Machine.RestrictExecution', danger: true },
  { path: 'unrestrictCodeExecution', type: 'UnrestrictCodeExecution', label: 'Remove app restriction', permission: 'Machine.RestrictExecution' },
  { path: 'runAntiVirusScan', type: 'RunAntiVirusScan', label: 'Run antivirus scan', permission: 'Machine.Scan', body: { ScanType: 'Quick' } },
  { path: 'collectInvestigationPackage', type: 'CollectInvestigationPackage', label: 'Collect investigation package', permission: 'Machine.CollectForensics' },
  {
    path: 'StopAndQuarantineFile', type: 'StopAndQuarantineFile', label: 'Stop and quarantine file', permission: 'Machine.StopAndQuarantine', danger: true,
    input: { key: 'Sha1', label: 'SHA-1 of the file', pattern: '[0-9a-fA-F]{40}' },
  },
];

/** The hunting query of a device's timeline; the id is checked to be 40 hex digits before it is written into the query. */
export function timelineQuery(deviceId: string): string {
  if (!/^[0-9a-f]{40}$/i.test(deviceId)) throw new Error('Not a device id');
  return `union DeviceProcessEvents, DeviceNetworkEvents, DeviceFileEvents, DeviceLogonEvents, DeviceRegistryEvents, DeviceEvents
| where DeviceId == '${deviceId.toLowerCase()}' and Timestamp > ago(7d)
| top 200 by Timestamp desc
| project Timestamp, ActionType, FileName, FolderPath, ProcessCommandLine, RemoteIP, RemoteUrl, AccountName, InitiatingProcessFileName`;
}

function describeEvent(e: Record<string, unknown>): string {
  const parts = [e.FileName, e.ProcessCommandLine, e.RemoteUrl || e.RemoteIP, e.AccountName && `account ${String(e.AccountName)}`, e.InitiatingProcessFileName && `by ${String(e.InitiatingProcessFileName)}`];
  return parts.filter((p) => p !== null && p !== undefined && p !== '').map(String).join(' · ');
}

const ALERT_COLUMNS: Column<AlertRow>[] = [
  { header: 'Title', sort: 'title', cell: (a) => <Link to={`alerts?id=${encodeURIComponent(a.id)}`}>{a.title}</Link> },
  { header: 'Severity', sort: 'severity', cell: (a) => <StatusBadge value={a.severity} /> },
  { header: 'Status', sort: 'status', cell: (a) => <StatusBadge value={a.status} /> },
  { header: 'Created', sort: 'alertCreationTime', cell: (a) => when(a.alertCreationTime) },
];

/** The device page. */
export default function Device({ params }: PageProps) {
  const api = useApi();
  const toast = useToast();
  const can = useCan();
  const id = params.id;
  const [machine, setMachine] = useState<MachineRow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [actions, setActions] = useState<MachineActionRow[]>([]);
  const [available, setAvailable] = useState<Record<string, string | null>>({});
  const [asking, setAsking] = useState<ResponseAction | null>(null);
  const [extra, setExtra] = useState('');
  const [timeline, setTimeline] = useState<Record<string, unknown>[] | null>(null);
  const [timelineError, setTimelineError] = useState<string | null>(null);
  const [tag, setTag] = useState('');

  const loadMachine = useCallback(() => api.get<MachineRow>(`/api/machines/${encodeURIComponent(id)}`).then(setMachine, (e: unknown) => setError(messageOf(e))), [api, id]);
  const loadActions = useCallback(async () => {
    const page = await api.list<MachineActionRow>(`/api/machines/${encodeURIComponent(id)}/machineactions`, { top: 20, orderby: 'creationDateTimeUtc desc', count: false });
    setActions(page.items);
    return page.items;
  }, [api, id]);

  useEffect(() => {
    void loadMachine();
    loadActions().catch(() => setActions([]));
    api.get<{ value: { action: string; isAvailable: boolean; notSupportedReason: string | null }[] }>(`/api/machines/${encodeURIComponent(id)}/availableMachineActions`)
      .then((r) => setAvailable(Object.fromEntries(r.value.map((a) => [a.action, a.isAvailable ? null : (a.notSupportedReason ?? 'Not available on this device')]))))
      .catch(() => setAvailable({}));
    let query: string | null = null;
    try {
      query = timelineQuery(id);
    } catch (e) {
      setTimelineError(messageOf(e));
    }
    if (query) runHunting(api, query).then((r) => setTimeline(r.Results), (e: unknown) => setTimelineError(messageOf(e)));
  }, [api, id, loadMachine, loadActions]);

  // live status: poll while an action is pending or running
  const inFlight = actions.some(cancellable);
  useEffect(() => {
    if (!inFlight) return;
    const t = setInterval(() => {
      loadActions().then((items) => {
        if (!items.some(cancellable)) void loadMachine();
      }, () => {});
    }, 2_000);
    return () => clearInterval(t);
  }, [inFlight, loadActions, loadMachine]);

  const request = async (a: ResponseAction, comment: string, value: string) => {
    try {
      await api.post(`/api/machines/${encodeURIComponent(id)}/${a.path}`, { Comment: comment, ...a.body, ...(a.input ? { [a.input.key]: value.trim() } : {}) });
      toast(`${a.label}: requested`, 'success');
      await loadActions();
    } catch (e) {
      toast(messageOf(e), 'error');
    }
  };

  const editTag = async (action: 'Add' | 'Remove', value: string, e?: FormEvent) => {
    e?.preventDefault();
    if (!value.trim()) return;
    try {
      setMachine(await api.post<MachineRow>(`/api/machines/${encodeURIComponent(id)}/tags`, { Value: value.trim(), Action: action }));
      if (action === 'Add') setTag('');
      toast(`Tag “${value.trim()}” ${action === 'Add' ? 'added' : 'removed'}`, 'success');
    } catch (err) {
      toast(messageOf(err), 'error');
    }
  };

  const loadAlerts = useCallback((r: { top: number; skip: number; orderby?: string }, signal: AbortSignal) => api.list<AlertRow>(`/api/machines/${encodeURIComponent(id)}/alerts`, r, signal), [api, id]);

  if (error) return <><h1>Device</h1><p className="error" role="alert">{error}</p></>;
  if (!machine) return <><h1>Device</h1><p className="muted">Loading…</p></>;
  const latest = new Map<string, MachineActionRow>();
  for (const a of actions) if (!latest.has(a.type)) latest.set(a.type, a);
  return (
    <>
      <h1>{machine.computerDnsName}</h1>
      <div className="cards">
        <section className="card" aria-labelledby="facts">
          <h2 id="facts">Overview</h2>
          <dl className="facts">
            <dt>Health</dt><dd><StatusBadge value={machine.healthStatus} /></dd>
            <dt>Risk</dt><dd><StatusBadge value={machine.riskScore} /></dd>
            <dt>OS</dt><dd>{machine.osPlatform} {machine.osVersion ?? ''}</dd>
            <dt>Device group</dt><dd>{machine.rbacGroupName ?? '—'}</dd>
            <dt>IP address</dt><dd>{machine.lastIpAddress ?? '—'}</dd>
            <dt>Sensor</dt><dd>{machine.agentVersion ?? '—'}</dd>
            <dt>First seen</dt><dd>{when(machine.firstSeen)}</dd>
            <dt>Last seen</dt><dd>{when(machine.lastSeen)}</dd>
            <dt>Device id</dt><dd><code>{machine.id}</code></dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="tags">
          <h2 id="tags">Tags</h2>
          <ul className="row" style={{ listStyle: 'none', padding: 0 }}>
            {machine.machineTags.map((t) => (
              <li key={t} className="tag">{t} {can('Machine.ReadWrite') && <button type="button" className="link" aria-label={`Remove tag ${t}`} onClick={() => void editTag('Remove', t)}>×</button>}</li>
            ))}
            {machine.machineTags.length === 0 && <li className="muted">No tags.</li>}
          </ul>
          {can('Machine.ReadWrite') && <form className="row" onSubmit={(e) => void editTag('Add', tag, e)}>
            <label><span>New tag</span><input value={tag} onChange={(e) => setTag(e.target.value)} maxLength={200} /></label>
            <button type="submit" disabled={!tag.trim()}>Add tag</button>
          </form>}
        </section>
        <section className="card" aria-labelledby="respond">
          <h2 id="respond">Response actions</h2>
          <div className="row">
            {RESPONSE_ACTIONS.map((a) => {
              const reason = !can(a.permission) ? `Your roles do not allow this (${a.permission})` : (available[a.type] ?? null);
              const pending = latest.get(a.type);
              return (
                <button key={a.type} type="button" className={a.danger ? 'danger' : undefined} disabled={!!reason || (!!pending && cancellable(pending))}
                  title={reason ?? undefined} onClick={() => { setExtra(''); setAsking(a); }}>
                  {a.label}
                </button>
              );
            })}
          </div>
          {RESPONSE_ACTIONS.some((a) => !can(a.permission)) && (
            <p className="muted">Your roles allow only some of these actions; the others are disabled ({RESPONSE_ACTIONS.filter((a) => !can(a.permission)).map((a) => a.label).join(', ')}).</p>
          )}
        </section>
        <section className="card wide" aria-labelledby="recent">
          <h2 id="recent">Actions on this device</h2>
          {actions.length === 0 ? <p className="muted">No actions yet.</p> : (
            <table aria-label="Actions on this device">
              <thead><tr><th scope="col">Action</th><th scope="col">Status</th><th scope="col">Requested by</th><th scope="col">Updated</th><th scope="col">Do</th></tr></thead>
              <tbody aria-live="polite">
                {actions.map((a) => (
                  <tr key={a.id}>
                    <td>{a.type}</td>
                    <td><StatusBadge value={a.status} label={`${a.type} status`} /></td>
                    <td>{a.requestor}</td>
                    <td>{when(a.lastUpdateDateTimeUtc)}</td>
                    <td>
                      {a.type === 'CollectInvestigationPackage' && a.status === 'Succeeded' && (
                        <button type="button" onClick={() => downloadPackage(api, a.id).catch((e: unknown) => toast(messageOf(e), 'error'))}>Download package</button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card wide" aria-labelledby="alerts">
          <h2 id="alerts">Alerts</h2>
          <DataGrid label="Alerts on this device" columns={ALERT_COLUMNS} load={loadAlerts} rowKey={(a) => a.id} pageSize={10}
            initialSort={{ field: 'alertCreationTime', desc: true }} empty="No alerts on this device." />
        </section>
        <section className="card wide" aria-labelledby="timeline">
          <h2 id="timeline">Timeline (7 days)</h2>
          {timelineError ? <p className="error">{timelineError}</p> : !timeline ? <p className="muted">Loading…</p> : timeline.length === 0 ? <p className="muted">No events in 7 days.</p> : (
            <ol className="timeline" aria-label="Events, newest first">
              {timeline.map((e, i) => (
                <li key={i}><time dateTime={String(e.Timestamp)}>{when(String(e.Timestamp))}</time> <strong>{String(e.ActionType ?? '')}</strong> <span>{describeEvent(e)}</span></li>
              ))}
            </ol>
          )}
        </section>
      </div>
      <ConfirmDialog open={asking !== null} title={asking ? `${asking.label}: ${machine.computerDnsName}` : ''} confirmLabel={asking?.label ?? 'Confirm'}
        danger={asking?.danger} defaultComment="" onClose={(comment) => {
          const a = asking;
          setAsking(null);
          if (a && comment) void request(a, comment, extra);
        }}>
        {asking?.input && (
          <label>
            <span>{asking.input.label}</span>
            <input value={extra} onChange={(e) => setExtra(e.target.value)} required pattern={asking.input.pattern} />
          </label>
        )}
      </ConfirmDialog>
    </>
  );
}
