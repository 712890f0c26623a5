/**
 * Settings › Device groups: MDE's ranked device groups. Rank 1 is matched first; a device joins the
 * first group whose rule matches it (values of one property: any may match; properties: all must),
 * else the ungrouped default. Each group has a remediation level.
 */
import { useCallback, useState, type FormEvent } from 'react';
import { DataGrid, type Column, type PageRequest } from '../../components/data-grid.tsx';
import { localPage } from '../../components/local-page.ts';
import { messageOf, useToast } from '../../components/toasts.tsx';
import { useApi } from '../../context.ts';
import type { PageProps } from '../registry.ts';
import { MAX_RULE_VALUES, REMEDIATION_LEVELS, type DeviceGroupRule } from '../../../../src/domain/device-group.ts';
import { DEVICE_GROUPS, itemPath, listOf, type DeviceGroupItem } from './settings-api.ts';
import { SettingsTabs } from './settings-tabs.tsx';
import './settings.css';

/** The rule's properties, their labels and what the person types. */
const RULE_FIELDS: readonly { key: keyof DeviceGroupRule; label: string; hint: string }[] = [
  { key: 'names', label: 'Device name', hint: 'e.g. web-*, *-sql' },
  { key: 'domains', label: 'Domain', hint: 'e.g. corp.example.com' },
  { key: 'tags', label: 'Tag', hint: 'e.g. finance, tier0' },
  { key: 'osPlatforms', label: 'OS', hint: 'e.g. Linux, Windows10' },
];

/** The values typed in one rule field: separated by commas, trimmed, empty ones dropped. */
export function ruleValues(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

interface GroupForm {
  id: number | null;
  name: string;
  description: string;
  remediationLevel: string;
  rule: Record<keyof DeviceGroupRule, string>;
}

const EMPTY: GroupForm = { id: null, name: '', description: '', remediationLevel: REMEDIATION_LEVELS[0], rule: { names: '', domains: '', tags: '', osPlatforms: '' } };

function formOf(g: DeviceGroupItem): GroupForm {
  return {
    id: g.id, name: g.name, description: g.description ?? '', remediationLevel: g.remediationLevel,
    rule: { names: g.rule.names.join(', '), domains: g.rule.domains.join(', '), tags: g.rule.tags.join(', '), osPlatforms: g.rule.osPlatforms.join(', ') },
  };
}

function ruleText(rule: DeviceGroupRule): string {
  const parts = RULE_FIELDS.filter((f) => rule[f.key].length).map((f) => `${f.label}: ${rule[f.key].join(' or ')}`);
  return parts.join('; ') || 'No condition (matches nothing)';
}

/** The device groups page. */
export default function DeviceGroupsPage(_: PageProps) {
  const api = useApi();
  const toast = useToast();
  const [reloadKey, setReloadKey] = useState(0);
  const [count, setCount] = useState(0);
  const [form, setForm] = useState<GroupForm>(EMPTY);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (r: PageRequest, signal: AbortSignal) => {
    const groups = await listOf<DeviceGroupItem>(api, DEVICE_GROUPS, signal);
    setCount(groups.length);
    return localPage(groups, r, (g, name) => g[name as keyof DeviceGroupItem]);
  }, [api]);

  const change = async (g: DeviceGroupItem, body: Record<string, unknown>, done: string) => {
    try {
      await api.patch(itemPath(DEVICE_GROUPS, g.id), body);
      toast(done, 'success');
      setReloadKey((k) => k + 1);
    } catch (err) {
      toast(messageOf(err), 'error');
    }
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const rule = Object.fromEntries(RULE_FIELDS.map((f) => [f.key, ruleValues(form.rule[f.key])])) as unknown as DeviceGroupRule;
    const tooMany = RULE_FIELDS.find((f) => rule[f.key].length > MAX_RULE_VALUES);
    if (tooMany) return setError(`${tooMany.label} takes at most ${MAX_RULE_VALUES} values.`);
    const body = { name: form.name.trim(), description: form.description.trim() || null, remediationLevel: form.remediationLevel, rule };
    try {
      if (form.id !== null) await api.patch(itemPath(DEVICE_GROUPS, form.id), body);
      else await api.post(DEVICE_GROUPS, body);
      toast(`Device group "${body.name}" saved; its devices are regrouped`, 'success');
      setForm(EMPTY);
      setReloadKey((k) => k + 1);
    } catch (err) {
      setError(messageOf(err));
    }
  };

  const remove = async (g: DeviceGroupItem) => {
    if (!confirm(`Delete the device group "${g.name}"? Its devices move to the next matching group or to the ungrouped devices.`)) return;
    try {
      await api.delete(itemPath(DEVICE_GROUPS, g.id));
      toast(`Device group "${g.name}" deleted`, 'success');
      setReloadKey((k) => k + 1);
    } catch (err) {
      toast(messageOf(err), 'error');
    }
  };

  const columns: Column<DeviceGroupItem>[] = [
    { header: 'Rank', sort: 'rank', cell: (g) => g.rank },
    { header: 'Device group', sort: 'name', cell: (g) => g.name },
    { header: 'Matching rule', cell: (g) => ruleText(g.rule) },
    { header: 'Remediation level', sort: 'remediationLevel', cell: (g) => g.remediationLevel },
    {
      header: 'Actions',
      cell: (g) => (
        <span className="row">
          <button type="button" disabled={g.rank <= 1} onClick={() => void change(g, { rank: g.rank - 1 }, `${g.name} moved up`)} aria-label={`Move ${g.name} up (rank ${g.rank - 1})`}>Up</button>
          <button type="button" disabled={g.rank >= count} onClick={() => void change(g, { rank: g.rank + 1 }, `${g.name} moved down`)} aria-label={`Move ${g.name} down (rank ${g.rank + 1})`}>Down</button>
          <button type="button" onClick={() => setForm(formOf(g))} aria-label={`Edit device group ${g.name}`}>Edit</button>
          <button type="button" onClick={() => void remove(g)} aria-label={`Delete device group ${g.name}`}>Delete</button>
        </span>
      ),
    },
  ];

  return (
    <div className="settings">
      <h1>Settings</h1>
      <SettingsTabs current="settings/device-groups" />
      <h2>Device groups</h2>
      <p className="muted">Devices join the first group, by rank, whose rule they match; devices no rule matches are ungrouped.</p>
      <DataGrid<DeviceGroupItem> label="Device groups" columns={columns} load={load} rowKey={(g) => String(g.id)} reloadKey={reloadKey} initialSort={{ field: 'rank', desc: false }} empty="No device groups yet: every device is ungrouped." />
      <section aria-labelledby="group-form-heading" className="card">
        <h2 id="group-form-heading">{form.id !== null ? `Edit device group ${form.name}` : 'Create a device group'}</h2>
        <form onSubmit={save} className="stack">
          <label><span>Group name</span><input required maxLength={128} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} /></label>
          <label><span>Description</span><input maxLength={1024} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} /></label>
          <label><span>Remediation level</span>
            <select value={form.remediationLevel} onChange={(e) => setForm({ ...form, remediationLevel: e.target.value })}>
              {REMEDIATION_LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
            </select>
          </label>
          <fieldset>
            <legend>Matching rule (comma-separated values; any value of a property may match, every property filled in must)</legend>
            {RULE_FIELDS.map((f) => (
              <label key={f.key}><span>{f.label}</span>
                <input value={form.rule[f.key]} placeholder={f.hint} onChange={(e) => setForm({ ...form, rule: { ...form.rule, [f.key]: e.target.value } })} />
              </label>
            ))}
          </fieldset>
          {error && <p className="error" role="alert">{error}</p>}
          <div className="row">
            <button type="submit" className="primary">{form.id !== null ? 'Save device group' : 'Create device group'}</button>
            {form.id !== null && <button type="button" onClick={() => setForm(EMPTY)}>Cancel</button>}
          </div>
        </form>
      </section>
    </div>
  );
}
