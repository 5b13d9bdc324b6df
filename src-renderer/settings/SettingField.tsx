import type { ConfigEntry } from '../../src-shared/contract.js';
import { EndpointListField } from './EndpointListField.js';

interface Props {
  entry: ConfigEntry;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}

const SOURCE: Record<ConfigEntry['source'], string> = { env: 'environment', file: '.env file', default: 'default' };

/** One key: its input by kind, what it means, where its value comes from, whether it needs a restart, and its error. */
export function SettingField({ entry: e, value, error, onChange }: Props) {
  const id = `setting-${e.key}`;
  const describedBy = [`${id}-desc`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = { id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined } as const;

  let input;
  if (e.secret) {
    input = (
      <input
        {...common}
        type="password"
        autoComplete="off"
        spellCheck={false}
        placeholder={e.set ? '••••• (set) — type to replace' : 'not set'}
        value={value}
        onChange={(ev) => onChange(ev.target.value)}
      />
    );
  } else if (e.kind === 'urls') {
    input = (
      <EndpointListField
        id={id}
        describedBy={describedBy}
        invalid={Boolean(error)}
        value={value}
        placeholder={e.default}
        onChange={onChange}
      />
    );
  } else if (e.kind === 'bool') {
    input = (
      <select {...common} value={value || e.default} onChange={(ev) => onChange(ev.target.value)}>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  } else {
    input = (
      <input
        {...common}
        type="text"
        inputMode={e.kind === 'int' || e.kind === 'number' ? 'decimal' : undefined}
        spellCheck={false}
        placeholder={e.default || undefined}
        value={value}
        onChange={(ev) => onChange(ev.target.value)}
      />
    );
  }

  return (
    <div className={`setting${error ? ' invalid' : ''}`}>
      <div className="setting-label">
        <label htmlFor={id} className="mono">
          {e.key}
        </label>
        <span className={`badge source-${e.source}`}>{SOURCE[e.source]}</span>
        {e.secret && <span className="badge">{e.set ? '••••• (set)' : 'not set'}</span>}
        {e.appliesAt === 'restart' && <span className="badge warn">needs restart</span>}
      </div>
      {input}
      <p id={`${id}-desc`} className="setting-desc">
        {e.description}
        {e.default && !e.secret && (
          <>
            {' '}
            Default: <code>{e.default}</code>.
          </>
        )}
        {e.appliesAt === 'restart' && ' Read once at start: a change applies when Vega restarts.'}
      </p>
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
