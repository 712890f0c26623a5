/**
 * The dashboard: alerts of the last 30 days per day and severity (a hunting aggregate over
 * AlertInfo), device health (counts by health status, `$top=0&$count=true`), the top detections of
 * the last 7 days, and the machine actions still in flight. Each panel loads on its own, so one the
 * user may not read (hunting needs its permission) does not hide the others.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { HEALTH_STATUSES } from '../../../src/domain/device.ts';
import { runHunting } from '../api/hunting.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { TimeChart } from '../components/time-chart.tsx';
import { messageOf } from '../components/toasts.tsx';
import { useApi } from '../context.ts';
import { Link } from '../router.tsx';
import type { MachineActionRow } from './action-center.tsx';

const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;
const DAY = 86_400;

function useLoad<T>(load: () => Promise<T>): { data: T | null; error: string | null } {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  useEffect(() => {
    let live = true;
    load().then((data) => live && setState({ data, error: null }), (e: unknown) => live && setState({ data: null, error: messageOf(e) }));
    return () => {
      live = false;
    };
  }, []);
  return state;
}

function Panel({ title, error, loading, children, wide }: { title: string; error: string | null; loading: boolean; children: ReactNode; wide?: boolean }) {
  return (
    <section className={`card${wide ? ' wide' : ''}`} aria-labelledby={`p-${title}`}>
      <h2 id={`p-${title}`}>{title}</h2>
      {error ? <p className="error">{error}</p> : loading ? <p className="muted">Loading…</p> : children}
    </section>
  );
}

/** The dashboard page. */
export default function Dashboard() {
  const api = useApi();
  const overTime = useLoad(async () => {
    const r = await runHunting(api, 'AlertInfo | where Timestamp > ago(30d) | summarize Alerts = count() by Day = bin(Timestamp, 1d), Severity');
    const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
    const x = Array.from({ length: 30 }, (_, i) => today - (29 - i) * DAY);
    const series = SEVERITIES.map((s) => ({ name: s, values: x.map(() => 0) as (number | null)[] }));
    for (const row of r.Results) {
      const day = Math.floor(Date.parse(String(row.Day)) / 1000 / DAY) * DAY;
      const i = x.indexOf(day);
      const s = series.find((v) => v.name === row.Severity);
      if (i >= 0 && s) s.values[i] = (s.values[i] ?? 0) + Number(row.Alerts);
    }
    const total = series.reduce((n, s) => n + s.values.reduce<number>((a, b) => a + (b ?? 0), 0), 0);
    return { x, series, total };
  });
  const health = useLoad(() => Promise.all(HEALTH_STATUSES.map(async (h) => {
    const page = await api.list('/api/machines', { top: 0, filter: `healthStatus eq '${h}'` });
    return { status: h, count: page.total ?? 0 };
  })));
  const top = useLoad(async () => (await runHunting(api, 'AlertInfo | where Timestamp > ago(7d) | summarize Alerts = count() by Title | top 10 by Alerts')).Results);
  const inFlight = useLoad(() => api.list<MachineActionRow>('/api/machineactions', { top: 10, filter: "status eq 'Pending' or status eq 'InProgress'", orderby: 'creationDateTimeUtc desc' }));

  return (
    <>
      <h1>Dashboard</h1>
      <div className="cards">
        <Panel title="Alerts over the last 30 days" error={overTime.error} loading={!overTime.data} wide>
          {overTime.data && (
            <TimeChart
              label="Alerts per day by severity"
              x={overTime.data.x}
              series={overTime.data.series}
              summary={`${overTime.data.total} alerts in 30 days; ${overTime.data.series.map((s) => `${s.name} ${s.values.reduce<number>((a, b) => a + (b ?? 0), 0)}`).join(', ')}.`}
            />
          )}
        </Panel>
        <Panel title="Device health" error={health.error} loading={!health.data}>
          <table aria-label="Devices by health status">
            <tbody>
              {health.data?.filter((h) => h.count > 0 || h.status === 'Active').map((h) => (
                <tr key={h.status}>
                  <th scope="row"><StatusBadge value={h.status} /></th>
                  <td><Link to={`devices?health=${h.status}`}>{h.count.toLocaleString('en-US')}</Link></td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
        <Panel title="Top detections, 7 days" error={top.error} loading={!top.data}>
          {top.data?.length ? (
            <ol>
              {top.data.map((r) => <li key={String(r.Title)}>{String(r.Title)} <span className="muted">({String(r.Alerts)})</span></li>)}
            </ol>
          ) : <p className="muted">No alerts in 7 days.</p>}
        </Panel>
        <Panel title="Actions in flight" error={inFlight.error} loading={!inFlight.data}>
          {inFlight.data?.items.length ? (
            <ul>
              {inFlight.data.items.map((a) => (
                <li key={a.id}>{a.type} on <Link to={`devices/${a.machineId}`}>{a.computerDnsName ?? a.machineId}</Link> <StatusBadge value={a.status} /></li>
              ))}
            </ul>
          ) : <p className="muted">None.</p>}
          <p><Link to="actions">Action center</Link>{inFlight.data?.total ? ` (${inFlight.data.total} in flight)` : ''}</p>
        </Panel>
      </div>
    </>
  );
}
