/**
 * Filter controls above a list: each a labelled select or text box; the page keeps the values (in
 * its URL query) and turns them into `$filter` with api/odata.ts.
 */
import { useEffect, useState } from 'react';

/** One filter control: a select of options (with "Any") or free text. */
export interface FilterDef {
  name: string;
  label: string;
  options?: readonly string[];
  placeholder?: string;
}

/** A row of filter controls; text boxes report their value after typing pauses (300 ms). */
export function Filters({ defs, values, onChange, label }: { defs: FilterDef[]; values: Record<string, string>; onChange: (name: string, value: string) => void; label: string }) {
  return (
    <form className="filters" role="search" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {defs.map((d) => (
        <label key={d.name}>
          <span>{d.label}</span>
          {d.options ? (
            <select value={values[d.name] ?? ''} onChange={(e) => onChange(d.name, e.target.value)}>
              <option value="">Any</option>
              {d.options.map((o) => <option key={o} value={o}>{o}</option>)}
            </select>
          ) : (
            <DebouncedText value={values[d.name] ?? ''} placeholder={d.placeholder} onChange={(v) => onChange(d.name, v)} />
          )}
        </label>
      ))}
    </form>
  );
}

function DebouncedText({ value, placeholder, onChange }: { value: string; placeholder?: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const t = setTimeout(() => onChange(text), 300);
    return () => clearTimeout(t);
  }, [text, value, onChange]);
  return <input type="search" value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} />;
}
