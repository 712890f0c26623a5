/**
 * The triage fields of an alert or an incident — status, owner, classification, determination and a
 * comment — as one labelled form; only the fields the user changed are sent.
 */
import { useState, type FormEvent } from 'react';

/** The values a triage form edits. */
export interface TriageValues {
  status?: string | null;
  assignedTo?: string | null;
  classification?: string | null;
  determination?: string | null;
}

/** The choices of each field. */
export interface TriageChoices {
  statuses: readonly string[];
  classifications: readonly string[];
  determinations: readonly string[];
}

/** Edits `current`; `onSave` gets the changed fields (and `comment` when one was written). */
export function TriageForm({ current, choices, me, onSave, submitLabel = 'Save', idPrefix }: {
  current: TriageValues;
  choices: TriageChoices;
  me: string;
  onSave: (changes: Record<string, string | null>) => Promise<void>;
  submitLabel?: string;
  idPrefix: string;
}) {
  const [v, setV] = useState<TriageValues>({});
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const value = (k: keyof TriageValues) => (k in v ? v[k] : current[k]) ?? '';
  const set = (k: keyof TriageValues, x: string) => setV((o) => ({ ...o, [k]: x === '' ? null : x }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const changes: Record<string, string | null> = {};
    for (const [k, x] of Object.entries(v)) if (x !== (current[k as keyof TriageValues] ?? null)) changes[k] = x ?? null;
    if (comment.trim()) changes.comment = comment.trim();
    if (Object.keys(changes).length === 0) return;
    setBusy(true);
    try {
      await onSave(changes);
      setV({});
      setComment('');
    } finally {
      setBusy(false);
    }
  };
  const select = (k: 'status' | 'classification' | 'determination', label: string, options: readonly string[], allowEmpty: boolean) => (
    <label htmlFor={`${idPrefix}-${k}`}>
      <span>{label}</span>
      <select id={`${idPrefix}-${k}`} value={value(k)} onChange={(e) => set(k, e.target.value)}>
        {(allowEmpty || !value(k)) && <option value="">{allowEmpty ? 'Not set' : '—'}</option>}
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </label>
  );
  return (
    <form className="filters" onSubmit={(e) => void submit(e)} aria-label="Triage">
      {select('status', 'Status', choices.statuses, false)}
      <label htmlFor={`${idPrefix}-assigned`}>
        <span>Assigned to</span>
        <span className="row">
          <input id={`${idPrefix}-assigned`} value={value('assignedTo')} onChange={(e) => set('assignedTo', e.target.value)} maxLength={200} />
          <button type="button" onClick={() => set('assignedTo', me)}>Assign to me</button>
        </span>
      </label>
      {select('classification', 'Classification', choices.classifications, true)}
      {select('determination', 'Determination', choices.determinations, true)}
      <label htmlFor={`${idPrefix}-comment`}>
        <span>Comment</span>
        <input id={`${idPrefix}-comment`} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={1000} />
      </label>
      <button type="submit" className="primary" disabled={busy}>{submitLabel}</button>
    </form>
  );
}
