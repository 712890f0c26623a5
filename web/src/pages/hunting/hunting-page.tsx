/**
 * Advanced hunting: a KQL query over the last 30 days of events, written in the Kusto editor
 * (completion over Palisade's tables), run with `POST /api/advancedqueries/run` as the signed-in
 * user (their device groups apply), with progress and cancel; the rows in a sortable grid with CSV
 * export, a chart for `summarize` (or `render`) results, saved queries (one's own and the team's
 * shared ones, on the server) and "create detection rule".
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { Progress } from '../../components/progress.tsx';
import { messageOf, useToast } from '../../components/toasts.tsx';
import { useApi, useCan, useSession } from '../../context.ts';
import type { PageProps } from '../registry.ts';
import { chartOf, hasSummarize, renderHint } from './chart-data.ts';
import { runHunting, type HuntingResult } from '../../api/hunting.ts';
import { KustoEditor } from './kusto-editor.tsx';
import { markerOfError, type QueryMarker } from './query-error.ts';
import { ResultChart } from './result-chart.tsx';
import { ResultGrid } from './result-grid.tsx';
import { resultsToCsv } from './results-csv.ts';
import { RuleDialog } from './rule-dialog.tsx';
import { browserQueriesKey, deleteSavedQuery, listSavedQueries, MAX_NAME_LENGTH, moveBrowserQueries, saveQuery, type SavedQuery } from './saved-queries.ts';
import './hunting.css';

/** The query a new editor starts with. */
export const STARTER_QUERY = 'DeviceProcessEvents\n| where Timestamp > ago(1d)\n| summarize Processes = count() by bin(Timestamp, 1h)\n| render timechart';

interface Ran {
  query: string;
  result: HuntingResult;
  seconds: number;
  key: number;
}

/** Offers `text` as a file download named `name`. */
function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The advanced hunting page. */
export default function HuntingPage({ query: pageQuery }: PageProps) {
  const api = useApi();
  const session = useSession();
  const toast = useToast();
  const can = useCan();
  // a rule runs a hunting query and raises alerts: it needs both
  const mayCreateRule = can('Alert.ReadWrite') && can('AdvancedQuery.Read', 'AdvancedHunting.Read');
  const initial = useMemo(() => pageQuery.get('query') ?? STARTER_QUERY, [pageQuery]);
  const text = useRef(initial);
  const [running, setRunning] = useState<{ started: number; abort: AbortController } | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [ran, setRan] = useState<Ran | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [markers, setMarkers] = useState<QueryMarker[]>([]);
  const [replace, setReplace] = useState<{ text: string } | null>(null);
  const [ruleOpen, setRuleOpen] = useState(false);
  const [saveName, setSaveName] = useState('');
  const [shareIt, setShareIt] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<SavedQuery[]>([]);
  const [chosen, setChosen] = useState('');

  // the saved queries (with those an earlier console kept in this browser, moved to the server once)
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        let list = await listSavedQueries(api);
        const moved = await moveBrowserQueries(api, localStorage, browserQueriesKey(session.tenantId, session.user?.userName ?? 'anonymous'), list);
        if (moved > 0) list = await listSavedQueries(api);
        if (live) setSaved(list);
        if (moved > 0) toast(`${moved} saved ${moved === 1 ? 'query' : 'queries'} moved from this browser to the server`, 'info');
      } catch (e) {
        if (live) toast(`Saved queries: ${messageOf(e)}`, 'error');
      }
    })();
    return () => { live = false; };
  }, [api, session, toast]);

  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setElapsed((performance.now() - running.started) / 1000), 100);
    return () => clearInterval(t);
  }, [running]);
  useEffect(() => () => running?.abort.abort(), [running]);

  const run = async () => {
    if (running) return;
    const query = text.current;
    const abort = new AbortController();
    const started = performance.now();
    setRunning({ started, abort });
    setElapsed(0);
    setError(null);
    setMarkers([]);
    try {
      const result = await runHunting(api, query, abort.signal);
      setRan((r) => ({ query, result, seconds: (performance.now() - started) / 1000, key: (r?.key ?? 0) + 1 }));
    } catch (e) {
      if (abort.signal.aborted) setError('The query was cancelled.');
      else {
        setError(messageOf(e));
        const marker = e instanceof ApiError ? markerOfError(query, { error: e.details }) : null;
        if (marker) setMarkers([marker]);
      }
    } finally {
      setRunning(null);
    }
  };

  const save = async () => {
    setSaving(true);
    try {
      const q = await saveQuery(api, saved, saveName, text.current, shareIt);
      setSaved(await listSavedQueries(api));
      setChosen(q.id);
      setSaveName('');
      toast(`Query "${q.name}" saved${q.shared ? ' and shared' : ''}`, 'success');
    } catch (e) {
      toast(messageOf(e), 'error');
    } finally {
      setSaving(false);
    }
  };
  const open = () => {
    const q = saved.find((s) => s.id === chosen);
    if (q) setReplace({ text: q.query });
  };
  const remove = async () => {
    const q = saved.find((s) => s.id === chosen);
    if (!q) return;
    if (q.shared && !window.confirm(`"${q.name}" is shared: deleting it takes it from everyone who hunts. Delete it?`)) return;
    try {
      await deleteSavedQuery(api, q.id);
      setSaved(await listSavedQueries(api));
      setChosen('');
      toast(`Query "${q.name}" deleted`, 'info');
    } catch (e) {
      toast(messageOf(e), 'error');
    }
  };
  const own = saved.filter((q) => !q.shared);
  const shared = saved.filter((q) => q.shared);

  const chart = useMemo(() => {
    if (!ran) return null;
    const hint = renderHint(ran.query);
    if (!hint && !hasSummarize(ran.query)) return null;
    return chartOf(ran.result.Schema, ran.result.Results, hint);
  }, [ran]);

  return (
    <div className="hunting">
      <h1>Advanced hunting</h1>
      <section aria-labelledby="query-heading">
        <h2 id="query-heading" className="visually-hidden">Query</h2>
        <KustoEditor initialValue={initial} label="Hunting query (KQL)" markers={markers} replace={replace}
          onChange={(t) => { text.current = t; }} onRun={() => void run()} />
        <div className="toolbar">
          <button type="button" className="primary" onClick={() => void run()} disabled={!!running}>Run query</button>
          {running && <button type="button" onClick={() => running.abort.abort()}>Cancel query</button>}
          {mayCreateRule && <button type="button" onClick={() => setRuleOpen(true)}>Create detection rule</button>}
          <span className="spacer" />
          <label><span>Save as</span><input value={saveName} maxLength={MAX_NAME_LENGTH} onChange={(e) => setSaveName(e.target.value)} /></label>
          <label className="check"><input type="checkbox" checked={shareIt} onChange={(e) => setShareIt(e.target.checked)} />Share with the team</label>
          <button type="button" onClick={() => void save()} disabled={!saveName.trim() || saving}>{saving ? 'Saving…' : 'Save query'}</button>
          <label><span>Saved queries</span>
            <select value={chosen} onChange={(e) => setChosen(e.target.value)}>
              <option value="">{saved.length ? 'Choose a saved query' : 'No saved queries yet'}</option>
              {own.length > 0 && <optgroup label="My queries">{own.map((q) => <option key={q.id} value={q.id}>{q.name}</option>)}</optgroup>}
              {shared.length > 0 && (
                <optgroup label="Shared queries">
                  {shared.map((q) => <option key={q.id} value={q.id}>{q.mine ? q.name : `${q.name} (${q.ownerName})`}</option>)}
                </optgroup>
              )}
            </select>
          </label>
          <button type="button" onClick={open} disabled={!chosen}>Open</button>
          <button type="button" onClick={() => void remove()} disabled={!chosen}>Delete</button>
        </div>
        {running && <Progress label="Running query" done={0} total={null} text={`Running… ${elapsed.toFixed(1)} s`} />}
        {error && <p className="error" role="alert">{error}</p>}
      </section>
      {ran && (
        <section aria-labelledby="results-heading">
          <div className="toolbar">
            <h2 id="results-heading">Results</h2>
            <span className="muted" role="status">
              {ran.result.Results.length.toLocaleString('en-US')} rows in {ran.seconds.toFixed(2)} s
            </span>
            <button type="button" disabled={!ran.result.Results.length}
              onClick={() => download(`hunting-results-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`, 'text/csv;charset=utf-8', resultsToCsv(ran.result.Schema, ran.result.Results))}>
              Export CSV
            </button>
          </div>
          {chart && <ResultChart data={chart} label="Chart of the results" />}
          <ResultGrid columns={ran.result.Schema} rows={ran.result.Results} resultKey={ran.key} />
        </section>
      )}
      {mayCreateRule && <RuleDialog open={ruleOpen} query={text.current} onClose={() => setRuleOpen(false)} />}
    </div>
  );
}
