/**
 * The console's data grid: one page of a server-side OData list at a time (`$top`/`$skip`, sorting
 * by `$orderby`, `$count=true` for the total), so lists of 10,000 devices or alerts load one page.
 * Sortable headers are buttons with `aria-sort`; rows can be selected for bulk actions; a change of
 * `filter` goes back to the first page; a newer request aborts the one still running.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Page } from '../api/client.ts';
import { messageOf } from './toasts.tsx';

/** One column: its header, its cell, and the `$orderby` field it sorts by (when sortable). */
export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  sort?: string;
  className?: string;
}

/** The sort of a grid: an `$orderby` field and direction. */
export interface Sort {
  field: string;
  desc: boolean;
}

/** What a grid asks its page source for. */
export interface PageRequest {
  top: number;
  skip: number;
  orderby?: string;
  filter?: string;
}

/** The props of a DataGrid. */
export interface DataGridProps<T> {
  /** The table's accessible name. */
  label: string;
  columns: Column<T>[];
  /** Loads one page; the grid passes its paging, sort and filter. */
  load: (r: PageRequest, signal: AbortSignal) => Promise<Page<T>>;
  rowKey: (row: T) => string;
  /** The `$filter` of the list; a change reloads from the first page. */
  filter?: string;
  initialSort?: Sort;
  pageSize?: number;
  /** Selection for bulk actions (checkbox column) when given. */
  selection?: { selected: ReadonlySet<string>; onChange: (next: Set<string>) => void };
  /** Change it to reload the current page (after an edit). */
  reloadKey?: number;
  empty?: string;
}

/** A paged, sortable, server-side table. */
export function DataGrid<T>(p: DataGridProps<T>) {
  const pageSize = p.pageSize ?? 50;
  const [skip, setSkip] = useState(0);
  const [sort, setSort] = useState<Sort | undefined>(p.initialSort);
  const [page, setPage] = useState<Page<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const load = useRef(p.load);
  load.current = p.load;
  const lastFilter = useRef(p.filter);
  const effectiveSkip = lastFilter.current === p.filter ? skip : 0;

  useEffect(() => {
    if (lastFilter.current !== p.filter) {
      lastFilter.current = p.filter;
      setSkip(0);
    }
    const ac = new AbortController();
    setLoading(true);
    load.current({ top: pageSize, skip: effectiveSkip, orderby: sort ? `${sort.field} ${sort.desc ? 'desc' : 'asc'}` : undefined, filter: p.filter }, ac.signal)
      .then((pg) => {
        setPage(pg);
        setError(null);
      })
      .catch((e: unknown) => {
        if (!ac.signal.aborted) setError(messageOf(e));
      })
      .finally(() => {
        if (!ac.signal.aborted) setLoading(false);
      });
    return () => ac.abort();
  }, [effectiveSkip, sort, p.filter, pageSize, p.reloadKey]);

  const rows = page?.items ?? [];
  const total = page?.total ?? null;
  const keys = rows.map(p.rowKey);
  const sel = p.selection;
  const allSelected = !!sel && keys.length > 0 && keys.every((k) => sel.selected.has(k));
  const toggle = (k: string) => {
    if (!sel) return;
    const next = new Set(sel.selected);
    if (next.has(k)) next.delete(k);
    else next.add(k);
    sel.onChange(next);
  };
  const toggleAll = () => {
    if (!sel) return;
    const next = new Set(sel.selected);
    for (const k of keys) {
      if (allSelected) next.delete(k);
      else next.add(k);
    }
    sel.onChange(next);
  };
  const sortBy = (field: string) => {
    setSort((s) => (s?.field === field ? { field, desc: !s.desc } : { field, desc: false }));
    setSkip(0);
  };
  const first = rows.length ? effectiveSkip + 1 : 0;
  const last = effectiveSkip + rows.length;
  const hasNext = total !== null ? last < total : rows.length === pageSize;

  return (
    <div className="grid" aria-busy={loading}>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="grid-scroll">
        <table aria-label={p.label} aria-rowcount={total ?? undefined}>
          <thead>
            <tr>
              {sel && (
                <th scope="col" className="check">
                  <input type="checkbox" aria-label="Select all rows on this page" checked={allSelected} onChange={toggleAll} />
                </th>
              )}
              {p.columns.map((c) => {
                const sorted = c.sort && sort?.field === c.sort;
                return (
                  <th key={c.header} scope="col" className={c.className} aria-sort={sorted ? (sort!.desc ? 'descending' : 'ascending') : undefined}>
                    {c.sort ? (
                      <button type="button" className="sort" onClick={() => sortBy(c.sort!)}>
                        {c.header}
                        <span aria-hidden="true">{sorted ? (sort!.desc ? ' ▼' : ' ▲') : ''}</span>
                      </button>
                    ) : c.header}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={keys[i]} className={sel?.selected.has(keys[i]) ? 'selected' : undefined}>
                {sel && (
                  <td className="check">
                    <input type="checkbox" aria-label={`Select row ${effectiveSkip + i + 1}`} checked={sel.selected.has(keys[i])} onChange={() => toggle(keys[i])} />
                  </td>
                )}
                {p.columns.map((c) => <td key={c.header} className={c.className}>{c.cell(r)}</td>)}
              </tr>
            ))}
            {!loading && rows.length === 0 && !error && (
              <tr><td colSpan={p.columns.length + (sel ? 1 : 0)} className="muted">{p.empty ?? 'Nothing to show.'}</td></tr>
            )}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label={`${p.label} pages`}>
        <span aria-live="polite">{loading ? 'Loading…' : `${first}–${last}${total !== null ? ` of ${total.toLocaleString('en-US')}` : ''}`}</span>
        <button type="button" disabled={effectiveSkip === 0 || loading} onClick={() => setSkip(Math.max(0, effectiveSkip - pageSize))}>Previous page</button>
        <button type="button" disabled={!hasNext || loading} onClick={() => setSkip(effectiveSkip + pageSize)}>Next page</button>
      </nav>
    </div>
  );
}
