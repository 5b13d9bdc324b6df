import { useId, useState, type ReactNode } from 'react';
import type { McpServerInput, McpServerSettings, McpTransportKind } from '../../src-shared/mcp.js';

/** One env variable or header as edited: a stored value is never here, only that it exists. */
interface Pair {
  readonly key: string;
  readonly value: string;
  /** Stored in mcp.json: an empty value keeps it. */
  readonly stored: boolean;
}

export interface EditorValue {
  readonly name: string;
  readonly server: McpServerInput;
}

interface Props {
  /** The server being changed; absent for a new one. */
  readonly initial?: McpServerSettings;
  /** Per field, from the last save (`name`, `command`, `url`, `env.KEY`, …). */
  readonly errors: Readonly<Record<string, string>>;
  readonly saving: boolean;
  readonly onSave: (v: EditorValue) => void;
  readonly onCancel: () => void;
}

const TRANSPORTS: readonly { value: McpTransportKind; label: string }[] = [
  { value: 'stdio', label: 'Program (stdio)' },
  { value: 'http', label: 'URL (Streamable HTTP, SSE fallback)' },
  { value: 'sse', label: 'URL (SSE only)' },
];

function pairsOf(names: readonly string[] | undefined): Pair[] {
  return (names ?? []).map((key) => ({ key, value: '', stored: true }));
}

/** A null value keeps the stored secret; a row removed from the list removes the variable. */
function mapOf(pairs: readonly Pair[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const p of pairs) if (p.key.trim()) out[p.key.trim()] = p.stored && p.value === '' ? null : p.value;
  return out;
}

/**
 * Add or change one MCP server. Values of env variables and headers are
 * secrets: a stored one shows as set and is kept unless a new value is typed.
 * Buttons, not a form: this sits inside the settings form, whose Save is for
 * the .env keys.
 */
export function McpServerEditor({ initial, errors, saving, onSave, onCancel }: Props) {
  const id = useId();
  const [name, setName] = useState(initial?.name ?? '');
  const [transport, setTransport] = useState<McpTransportKind>(initial?.transport ?? 'stdio');
  const [command, setCommand] = useState(initial?.command ?? '');
  const [args, setArgs] = useState((initial?.args ?? []).join('\n'));
  const [cwd, setCwd] = useState(initial?.cwd ?? '');
  const [url, setUrl] = useState(initial?.url ?? '');
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [env, setEnv] = useState<Pair[]>(() => pairsOf(initial?.env));
  const [headers, setHeaders] = useState<Pair[]>(() => pairsOf(initial?.headers));
  const stdio = transport === 'stdio';

  const save = () => {
    const server: McpServerInput = stdio
      ? { enabled, transport, command, args: args.split('\n').filter((a) => a !== ''), ...(cwd ? { cwd } : {}), env: mapOf(env) }
      : { enabled, transport, url, headers: mapOf(headers) };
    onSave({ name: name.trim(), server });
  };

  const field = (key: string, label: string, input: (fieldId: string, describedBy: string | undefined) => ReactNode, hint?: string) => {
    const fieldId = `${id}-${key}`;
    const err = errors[key];
    const describedBy = [hint ? `${fieldId}-hint` : '', err ? `${fieldId}-error` : ''].filter(Boolean).join(' ') || undefined;
    return (
      <div className={`setting${err ? ' invalid' : ''}`}>
        <label htmlFor={fieldId} className="setting-label">
          {label}
        </label>
        {input(fieldId, describedBy)}
        {hint && (
          <p id={`${fieldId}-hint`} className="setting-desc">
            {hint}
          </p>
        )}
        {err && (
          <p id={`${fieldId}-error`} className="field-error" role="alert">
            {err}
          </p>
        )}
      </div>
    );
  };

  const text = (key: string, label: string, value: string, set: (v: string) => void, placeholder: string, hint?: string) =>
    field(
      key,
      label,
      (fid, d) => (
        <input
          id={fid}
          aria-describedby={d}
          type="text"
          spellCheck={false}
          value={value}
          onChange={(e) => set(e.target.value)}
          placeholder={placeholder}
        />
      ),
      hint,
    );

  const pairErrors = Object.entries(errors).filter(
    ([k]) => k.startsWith('env.') || k.startsWith('headers.') || k === 'server' || k === 'args' || k === 'cwd' || k === 'type',
  );
  return (
    <div className="mcp-editor" role="group" aria-label={initial ? `Edit ${initial.name}` : 'New MCP server'}>
      {text('name', 'Name', name, setName, 'e.g. filesystem', 'Its tools are offered to the model as name__tool.')}
      {field('transport', 'Runs as', (fid, d) => (
        <select id={fid} aria-describedby={d} value={transport} onChange={(e) => setTransport(e.target.value as McpTransportKind)}>
          {TRANSPORTS.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
      ))}
      {stdio ? (
        <>
          {text('command', 'Command', command, setCommand, 'npx, node, uvx, or a full path')}
          {field(
            'args',
            'Arguments, one per line',
            (fid, d) => (
              <textarea id={fid} aria-describedby={d} rows={3} spellCheck={false} value={args} onChange={(e) => setArgs(e.target.value)} />
            ),
            'Put secrets in the environment below, not here: arguments are shown.',
          )}
          {text('cwd', 'Working folder', cwd, setCwd, "(Vega's own)")}
          <Pairs legend="Environment" what="variable" pairs={env} onChange={setEnv} />
        </>
      ) : (
        <>
          {text('url', 'URL', url, setUrl, 'http://127.0.0.1:3001/mcp')}
          <Pairs legend="Headers" what="header" pairs={headers} onChange={setHeaders} />
        </>
      )}
      <label className="mcp-check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled (started with Vega)
      </label>
      {pairErrors.map(([k, v]) => (
        <p key={k} className="field-error" role="alert">
          {v}
        </p>
      ))}
      <div className="row-end">
        <button type="button" className="btn ghost" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
        <button type="button" className="btn primary" onClick={save} disabled={saving}>
          {saving ? 'Saving…' : 'Save server'}
        </button>
      </div>
    </div>
  );
}

function Pairs({ legend, what, pairs, onChange }: { legend: string; what: string; pairs: readonly Pair[]; onChange: (p: Pair[]) => void }) {
  const set = (i: number, change: Partial<Pair>) => onChange(pairs.map((p, k) => (k === i ? { ...p, ...change } : p)));
  return (
    <fieldset className="mcp-pairs">
      <legend>{legend}</legend>
      <p className="setting-desc">
        Values are kept as secrets: Vega never shows them again, and keeps a stored one until you type a new one.
      </p>
      {pairs.map((p, i) => (
        <div className="mcp-pair" key={i}>
          <input
            type="text"
            aria-label={`${legend} ${what} ${i + 1} name`}
            spellCheck={false}
            value={p.key}
            readOnly={p.stored}
            onChange={(e) => set(i, { key: e.target.value })}
            placeholder="NAME"
          />
          <input
            type="password"
            autoComplete="off"
            aria-label={`${legend} ${what} ${p.key || i + 1} value`}
            value={p.value}
            onChange={(e) => set(i, { value: e.target.value })}
            placeholder={p.stored ? '••••• (set) — type to replace' : 'value'}
          />
          <button
            type="button"
            className="btn small ghost"
            aria-label={`Remove ${what} ${p.key || i + 1}`}
            onClick={() => onChange(pairs.filter((_, k) => k !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="btn small" onClick={() => onChange([...pairs, { key: '', value: '', stored: false }])}>
        Add {what}
      </button>
    </fieldset>
  );
}
