/**
 * The rows of a hunting result in the console's data grid, paged and sorted in the browser (the
 * API returns the whole result at once); a click or Enter on a value copies it.
 */
import { useCallback, useMemo } from 'react';
import { DataGrid, type Column, type PageRequest } from '../../components/data-grid.tsx';
import { localPage } from '../../components/local-page.ts';
import { messageOf, useToast } from '../../components/toasts.tsx';
import type { HuntingColumn, HuntingRow } from '../../api/hunting.ts';
import { cellText } from './hunting-result.ts';

interface NumberedRow {
  n: number;
  row: HuntingRow;
}

/** Longest text a cell shows (the copy takes the whole value). */
const SHOWN = 300;

function CopyCell({ value, column }: { value: unknown; column: string }) {
  const toast = useToast();
  const text = cellText(value);
  if (text === '') return null;
  const copy = () => {
    navigator.clipboard.writeText(text).then(() => toast(`Copied ${column}`, 'info'), (e: unknown) => toast(messageOf(e), 'error'));
  };
  return (
    <button type="button" className="cell-copy" title={`Copy ${column}`} onClick={copy}>
      {text.length > SHOWN ? `${text.slice(0, SHOWN)}…` : text}
    </button>
  );
}

/** The result grid; `resultKey` changes with each new result so the grid starts on its first page. */
export function ResultGrid({ columns, rows, resultKey }: { columns: readonly HuntingColumn[]; rows: readonly HuntingRow[]; resultKey: number }) {
  const gridColumns = useMemo<Column<NumberedRow>[]>(() => columns.map((c) => ({
    header: c.Name,
    sort: c.Name,
    cell: (r: NumberedRow) => <CopyCell value={r.row[c.Name]} column={c.Name} />,
  })), [columns]);
  const numbered = useMemo(() => rows.map((row, n) => ({ n, row })), [rows]);
  const load = useCallback(async (r: PageRequest) => localPage(numbered, r, (x, name) => x.row[name]), [numbered]);
  return (
    <DataGrid<NumberedRow>
      key={resultKey}
      label="Query results"
      columns={gridColumns}
      load={load}
      rowKey={(r) => String(r.n)}
      pageSize={50}
      empty="The query returned no rows."
    />
  );
}
