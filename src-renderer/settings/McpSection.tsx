import { useEffect, useState } from 'react';
import type { McpSaveParams, McpServerStatus, McpStatus } from '../../src-shared/mcp.js';
import { useApi } from '../api/context.js';
import { errorValue } from '../api/errors.js';
import { useToast } from '../app/Toasts.js';
import { McpServerEditor, type EditorValue } from './McpServerEditor.js';

/** Which server the editor is open for: a new one, or one by its current name. */
type Editing = { readonly kind: 'new' } | { readonly kind: 'edit'; readonly name: string } | null;

/**
 * The MCP servers of mcp.json: each one's state and tools, enable/disable,
 * edit, remove, and a new one. Every change is saved at once (mcp.json is
 * written atomically) and the servers follow it: no restart of Vega.
 */
export function McpSection() {
  const api = useApi();
  const toast = useToast();
  const [status, setStatus] = useState<McpStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const [saving, setSaving] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.mcp.list().then(
      (s) => live && setStatus(s),
      (err: unknown) => live && setError(errorValue(err).message),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const save = async (p: McpSaveParams, done: string): Promise<boolean> => {
    setSaving(true);
    try {
      const r = await api.mcp.save(p);
      setStatus(r.status);
      setErrors(r.errors);
      if (r.saved) toast(done, 'success');
      return r.saved;
    } catch (err) {
      toast(errorValue(err).message, 'error');
      return false;
    } finally {
      setSaving(false);
    }
  };

  const saveEditor = async ({ name, server }: EditorValue) => {
    const previousName = editing?.kind === 'edit' && editing.name !== name ? editing.name : undefined;
    if (await save({ action: 'put', name, server, ...(previousName ? { previousName } : {}) }, `Saved ${name}`)) setEditing(null);
  };

  const open = (e: Editing) => {
    setErrors({});
    setEditing(e);
  };

  const servers = status?.servers ?? [];
  return (
    <section className="card mcp-settings" aria-labelledby="mcp-settings-title">
      <div className="card-head">
        <div>
          <h3 id="mcp-settings-title">MCP servers</h3>
          <p className="muted small">
            Tools from Model Context Protocol servers, in {status ? <code>{status.configPath}</code> : 'mcp.json'}. Changes apply at once. A
            tool that does not declare itself read-only asks for your Approve before it runs.
          </p>
        </div>
        {editing === null && (
          <button type="button" className="btn" onClick={() => open({ kind: 'new' })}>
            Add server
          </button>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {status?.configError && (
        <p className="banner error" role="alert">
          {status.configError} {status.configFix}
        </p>
      )}
      {editing?.kind === 'new' && (
        <McpServerEditor errors={errors} saving={saving} onSave={(v) => void saveEditor(v)} onCancel={() => setEditing(null)} />
      )}
      {status && servers.length === 0 && editing === null && <p className="muted small">No servers yet.</p>}
      <ul className="mcp-list">
        {servers.map((s) => (
          <li key={s.name} className="mcp-item">
            {editing?.kind === 'edit' && editing.name === s.name && s.settings ? (
              <McpServerEditor
                initial={s.settings}
                errors={errors}
                saving={saving}
                onSave={(v) => void saveEditor(v)}
                onCancel={() => setEditing(null)}
              />
            ) : (
              <ServerRow
                server={s}
                busy={saving}
                confirming={confirmRemove === s.name}
                onEdit={() => open({ kind: 'edit', name: s.name })}
                onToggle={(enabled) =>
                  void save({ action: 'enable', name: s.name, enabled }, `${s.name} ${enabled ? 'enabled' : 'disabled'}`)
                }
                onRemove={() => {
                  if (confirmRemove !== s.name) return setConfirmRemove(s.name);
                  setConfirmRemove(null);
                  void save({ action: 'remove', name: s.name }, `Removed ${s.name}`);
                }}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

interface RowProps {
  readonly server: McpServerStatus;
  readonly busy: boolean;
  readonly confirming: boolean;
  readonly onEdit: () => void;
  readonly onToggle: (enabled: boolean) => void;
  readonly onRemove: () => void;
}

function ServerRow({ server: s, busy, confirming, onEdit, onToggle, onRemove }: RowProps) {
  const where = s.settings
    ? s.settings.transport === 'stdio'
      ? [s.settings.command, ...(s.settings.args ?? [])].join(' ')
      : s.settings.url
    : null;
  return (
    <>
      <div className="mcp-row">
        <span className="mono mcp-name">{s.name}</span>
        <span className={`badge mcp-state-${s.state}`}>{s.state}</span>
        {where && <span className="mono muted small mcp-where">{where}</span>}
        <div className="row-end">
          {s.settings && (
            <label className="mcp-check">
              <input type="checkbox" checked={s.settings.enabled} disabled={busy} onChange={(e) => onToggle(e.target.checked)} /> Enabled
            </label>
          )}
          {s.settings && (
            <button type="button" className="btn small" onClick={onEdit} disabled={busy}>
              Edit
            </button>
          )}
          <button type="button" className={`btn small${confirming ? ' danger' : ''}`} onClick={onRemove} disabled={busy}>
            {confirming ? 'Remove: sure?' : 'Remove'}
          </button>
        </div>
      </div>
      {s.lastError && (
        <p className="field-error">
          {s.lastError} <span className="muted">{s.fix}</span>
        </p>
      )}
      {s.toolList.length > 0 && (
        <details className="mcp-tools">
          <summary>{s.toolList.length} tools</summary>
          <ul>
            {s.toolList.map((t) => (
              <li key={t.name}>
                <span className="mono">{t.name}</span> {!t.readOnly && <span className="badge warn">asks first</span>}
                {t.description && <span className="muted small"> — {t.description}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
