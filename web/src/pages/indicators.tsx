/**
 * Indicators: the tenant's active indicators (server-paged, filtered by type and action), one added
 * by a form, deleted one by one or as a selection (BatchDelete), and a CSV file imported through
 * `POST /api/indicators/import` in batches of 500 with a progress bar and each refused row's reason.
 */
import { useCallback, useState, type ChangeEvent, type FormEvent } from 'react';
import { INDICATOR_ACTIONS, INDICATOR_SEVERITIES, INDICATOR_TYPES } from '../../../src/domain/indicator.ts';
import { batches, indicatorsOfCsv } from '../api/indicator-csv.ts';
import { and, anyOf } from '../api/odata.ts';
import { DataGrid, type Column } from '../components/data-grid.tsx';
import { Filters, type FilterDef } from '../components/filters.tsx';
import { Progress } from '../components/progress.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { messageOf, useToast } from '../components/toasts.tsx';
import { useApi } from '../context.ts';
import { setQuery } from '../router.tsx';
import { when } from './devices.tsx';
import type { PageProps } from './registry.ts';

/** The indicator fields the console shows. */
interface IndicatorRow {
  id: string;
  indicatorValue: string;
  indicatorType: string;
  action: string;
  severity: string;
  title: string;
  createdBy: string;
  creationTimeDateTimeUtc: string;
  expirationTime: string | null;
}

interface ImportResult {
  value: { id: string | null; indicator: string; isFailed: boolean; failureReason: string | null }[];
}

const FILTERS: FilterDef[] = [
  { name: 'type', label: 'Type', options: INDICATOR_TYPES },
  { name: 'action', label: 'Action', options: INDICATOR_ACTIONS },
];

function AddIndicator({ onAdded }: { onAdded: () => void }) {
  const api = useApi();
  const toast = useToast();
  const empty = { indicatorType: 'FileSha256', indicatorValue: '', action: 'Block', severity: 'Medium', title: '', description: '' };
  const [v, setV] = useState(empty);
  const field = (k: keyof typeof empty) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setV({ ...v, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api.post('/api/indicators', { ...v, description: v.description || v.title });
      toast(`Indicator ${v.indicatorValue} added`, 'success');
      setV(empty);
      onAdded();
    } catch (err) {
      toast(messageOf(err), 'error');
    }
  };
  return (
    <form className="filters" aria-label="Add an indicator" onSubmit={(e) => void submit(e)}>
      <label><span>Type</span><select value={v.indicatorType} onChange={field('indicatorType')}>{INDICATOR_TYPES.map((t) => <option key={t}>{t}</option>)}</select></label>
      <label><span>Value</span><input required value={v.indicatorValue} onChange={field('indicatorValue')} maxLength={2000} /></label>
      <label><span>Action</span><select value={v.action} onChange={field('action')}>{INDICATOR_ACTIONS.map((t) => <option key={t}>{t}</option>)}</select></label>
      <label><span>Severity</span><select value={v.severity} onChange={field('severity')}>{INDICATOR_SEVERITIES.map((t) => <option key={t}>{t}</option>)}</select></label>
      <label><span>Title</span><input required value={v.title} onChange={field('title')} maxLength={200} /></label>
      <label><span>Description</span><input value={v.description} onChange={field('description')} maxLength={2000} /></label>
      <button type="submit" className="primary">Add indicator</button>
    </form>
  );
}

function ImportCsv({ onImported }: { onImported: () => void }) {
  const api = useApi();
  const toast = useToast();
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [failures, setFailures] = useState<{ indicator: string; reason: string }[]>([]);
  const [summary, setSummary] = useState<string | null>(null);
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setFailures([]);
    setSummary(null);
    let items: Record<string, unknown>[];
    try {
      items = indicatorsOfCsv(await file.text());
    } catch (err) {
      toast(messageOf(err), 'error');
      return;
    }
    setProgress({ done: 0, total: items.length });
    let ok = 0;
    const failed: { indicator: string; reason: string }[] = [];
    try {
      for (const batch of batches(items)) {
        const r = await api.post<ImportResult>('/api/indicators/import', { Indicators: batch });
        for (const x of r.value) {
          if (x.isFailed) failed.push({ indicator: x.indicator, reason: x.failureReason ?? 'refused' });
          else ok++;
        }
        setProgress((p) => p && { ...p, done: p.done + batch.length });
      }
      setSummary(`Imported ${ok} of ${items.length} indicators from ${file.name}${failed.length ? `; ${failed.length} refused` : ''}.`);
    } catch (err) {
      setSummary(`The import stopped: ${messageOf(err)} (${ok} imported before).`);
    } finally {
      setFailures(failed);
      setProgress(null);
      onImported();
    }
  };
  return (
    <section aria-labelledby="import">
      <h2 id="import">Import from CSV</h2>
      <label>
        <span>CSV file (MDE's template: IndicatorType, IndicatorValue, Action, Title, …)</span>
        <input type="file" accept=".csv,text/csv" onChange={(e) => void onFile(e)} disabled={progress !== null} />
      </label>
      {progress && <Progress label="Importing indicators" done={progress.done} total={progress.total} />}
      {summary && <p role="status">{summary}</p>}
      {failures.length > 0 && (
        <table aria-label="Refused rows">
          <thead><tr><th scope="col">Indicator</th><th scope="col">Reason</th></tr></thead>
          <tbody>{failures.slice(0, 200).map((f, i) => <tr key={i}><td>{f.indicator}</td><td>{f.reason}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}

/** The indicators page. */
export default function Indicators({ query }: PageProps) {
  const api = useApi();
  const toast = useToast();
  const values = Object.fromEntries(FILTERS.map((f) => [f.name, query.get(f.name) ?? '']));
  const filter = and(anyOf('indicatorType', [values.type]), anyOf('action', [values.action]));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reloadKey, setReloadKey] = useState(0);
  const reload = useCallback(() => setReloadKey((k) => k + 1), []);
  const load = useCallback((r: { top: number; skip: number; orderby?: string; filter?: string }, signal: AbortSignal) => api.list<IndicatorRow>('/api/indicators', r, signal), [api]);
  const onFilter = useCallback((name: string, value: string) => setQuery({ [name]: value }), []);
  const remove = async (ids: string[]) => {
    try {
      if (ids.length === 1) await api.delete(`/api/indicators/${encodeURIComponent(ids[0])}`);
      else for (const b of batches(ids)) await api.post('/api/indicators/BatchDelete', { IndicatorIds: b });
      toast(`${ids.length} indicator(s) deleted`, 'success');
      setSelected(new Set());
      reload();
    } catch (e) {
      toast(messageOf(e), 'error');
    }
  };
  const columns: Column<IndicatorRow>[] = [
    { header: 'Value', sort: 'indicatorValue', cell: (i) => <code>{i.indicatorValue}</code> },
    { header: 'Type', sort: 'indicatorType', cell: (i) => i.indicatorType },
    { header: 'Action', sort: 'action', cell: (i) => i.action },
    { header: 'Severity', sort: 'severity', cell: (i) => <StatusBadge value={i.severity} /> },
    { header: 'Title', sort: 'title', cell: (i) => i.title },
    { header: 'Created by', sort: 'createdBy', cell: (i) => i.createdBy },
    { header: 'Created', sort: 'creationTimeDateTimeUtc', cell: (i) => when(i.creationTimeDateTimeUtc) },
    { header: 'Do', cell: (i) => <button type="button" aria-label={`Delete indicator ${i.indicatorValue}`} onClick={() => void remove([i.id])}>Delete</button> },
  ];
  return (
    <>
      <h1>Indicators</h1>
      <section aria-labelledby="add"><h2 id="add">Add an indicator</h2><AddIndicator onAdded={reload} /></section>
      <ImportCsv onImported={reload} />
      <h2>Active indicators</h2>
      <Filters label="Filter indicators" defs={FILTERS} values={values} onChange={onFilter} />
      <div className="toolbar">
        <button type="button" className="danger" disabled={selected.size === 0} onClick={() => void remove([...selected])}>Delete selected ({selected.size})</button>
      </div>
      <DataGrid label="Indicators" columns={columns} load={load} rowKey={(i) => i.id} filter={filter} reloadKey={reloadKey}
        selection={{ selected, onChange: setSelected }} initialSort={{ field: 'creationTimeDateTimeUtc', desc: true }} empty="No indicators." />
    </>
  );
}
