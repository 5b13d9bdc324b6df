import { useState } from 'react';
import { formatEndpointList, splitEndpointList } from '../../src-shared/endpoint-list.js';

interface Props {
  /** The first address input's id: the setting's label points at it. */
  id: string;
  describedBy: string;
  invalid: boolean;
  value: string;
  placeholder: string;
  onChange: (value: string) => void;
}

interface Row {
  readonly url: string;
  readonly weight: string;
}

/**
 * A list setting (OLLAMA_HOST, OPENAI_BASE_URL) as rows of address and
 * weight, saved as the one comma-separated value main reads. Rows are kept
 * as typed (an empty one while it is being filled); main checks the list
 * when it is saved and names a bad item.
 */
export function EndpointListField({ id, describedBy, invalid, value, placeholder, onChange }: Props) {
  // The rows follow the value when it changes from outside (a save, a discard); their own edits are that value already.
  const [state, setState] = useState(() => ({ source: value, rows: rowsOf(value) }));
  if (value !== state.source && value !== formatEndpointList(state.rows)) setState({ source: value, rows: rowsOf(value) });
  const rows = state.rows;
  const update = (next: Row[]) => {
    const formatted = formatEndpointList(next);
    setState({ source: formatted, rows: next });
    onChange(formatted);
  };
  const change = (i: number, patch: Partial<Row>) => update(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <div className="endpoint-list" role="group" aria-describedby={describedBy}>
      {rows.map((r, i) => (
        <div className="endpoint-row" key={i}>
          <input
            id={i === 0 ? id : undefined}
            type="text"
            spellCheck={false}
            aria-label={`Server ${i + 1} address`}
            aria-invalid={invalid || undefined}
            placeholder={i === 0 ? placeholder : 'http://host:port'}
            value={r.url}
            onChange={(ev) => change(i, { url: ev.target.value })}
          />
          <input
            type="text"
            inputMode="decimal"
            className="endpoint-weight"
            aria-label={`Server ${i + 1} weight`}
            value={r.weight}
            onChange={(ev) => change(i, { weight: ev.target.value })}
          />
          <button
            type="button"
            className="btn small"
            aria-label={`Remove server ${i + 1}`}
            disabled={rows.length === 1}
            onClick={() => update(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="btn small" onClick={() => setState({ ...state, rows: [...rows, EMPTY] })}>
        Add model server
      </button>
    </div>
  );
}

const EMPTY: Row = { url: '', weight: '1' };

function rowsOf(value: string): Row[] {
  const split = splitEndpointList(value);
  return split.length ? split : [EMPTY];
}
