/**
 * "Create detection rule" from the hunting editor's query: a modal dialog asking the rule's name,
 * frequency and alert template, posting `/api/detectionrules`. The server compiles the query and
 * says what is missing (e.g. the Timestamp, DeviceId and ReportId columns every rule returns).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useApi } from '../../context.ts';
import { messageOf, useToast } from '../../components/toasts.tsx';
import { ALERT_CATEGORIES, RULE_PERIODS, RULE_SEVERITIES, detectionRuleBody, emptyRuleForm, type RuleForm } from './rule-draft.ts';

/** The dialog, open while `open`; `onClose` is called when it closes for any reason. */
export function RuleDialog({ open, query, onClose }: { open: boolean; query: string; onClose: () => void }) {
  const api = useApi();
  const toast = useToast();
  const dialog = useRef<HTMLDialogElement>(null);
  const [form, setForm] = useState<RuleForm>(emptyRuleForm);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      setError(null);
      d.showModal();
    } else if (!open && d.open) d.close();
  }, [open]);

  const set = (k: keyof RuleForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const rule = await api.post<{ id: string; displayName: string }>('/api/detectionrules', detectionRuleBody(form, query));
      toast(`Detection rule "${rule.displayName}" created`, 'success');
      setForm(emptyRuleForm());
      onClose();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} aria-labelledby="rule-dialog-title" onClose={onClose}>
      <form onSubmit={submit}>
        <h2 id="rule-dialog-title">Create detection rule</h2>
        <p className="muted">The rule runs the current query and raises an alert for each row. The query must return Timestamp, DeviceId and ReportId.</p>
        <label><span>Rule name</span><input required maxLength={200} value={form.displayName} onChange={set('displayName')} /></label>
        <label><span>Frequency</span>
          <select value={form.period} onChange={set('period')}>
            {RULE_PERIODS.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
          </select>
        </label>
        <label><span>Alert title</span><input maxLength={200} value={form.title} placeholder="The rule name" onChange={set('title')} /></label>
        <div className="row">
          <label><span>Severity</span>
            <select value={form.severity} onChange={set('severity')}>
              {RULE_SEVERITIES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
          <label><span>Category</span>
            <select value={form.category} onChange={set('category')}>
              {ALERT_CATEGORIES.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </label>
        </div>
        <label><span>MITRE techniques</span><input value={form.mitreTechniques} placeholder="T1059.001, T1027" onChange={set('mitreTechniques')} /></label>
        <label><span>Description</span><textarea rows={3} value={form.description} onChange={set('description')} /></label>
        <label><span>Recommended actions</span><textarea rows={2} value={form.recommendedActions} onChange={set('recommendedActions')} /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="row">
          <button type="submit" className="primary" disabled={busy}>Create rule</button>
          <button type="button" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </dialog>
  );
}
