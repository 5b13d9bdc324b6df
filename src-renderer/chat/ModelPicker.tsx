import { useEffect, useState } from 'react';
import type { ModelInfo, ProviderId } from '../../src-shared/chat.js';
import { useApi } from '../api/context.js';
import { errorValue } from '../api/errors.js';

interface Props {
  provider: ProviderId;
  /** '' is the host's default model. */
  value: string;
  onChange: (model: string) => void;
}

/** The provider's models, asked for when the provider changes. */
export function ModelPicker({ provider, value, onChange }: Props) {
  const api = useApi();
  const [models, setModels] = useState<readonly ModelInfo[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a new provider clears the old one's error at once
    setError(null);
    api.chat.models({ provider }).then(
      (list) => live && setModels(list),
      (err: unknown) => {
        if (!live) return;
        setModels([]);
        setError(errorValue(err).message);
      },
    );
    return () => {
      live = false;
    };
  }, [api, provider]);

  // Ollama lists `llama3.2:latest` for a conversation's `llama3.2`: the same
  // model, shown once under the name the conversation uses.
  const names = models.map((m) => (value && !value.includes(':') && m.name === `${value}:latest` ? value : m.name));
  // The conversation's model stays selectable even if the provider no longer lists it.
  if (value && !names.includes(value)) names.unshift(value);

  return (
    <label className="field-inline" title={error ?? undefined}>
      <span>Model</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{error ? 'Default (models unavailable)' : 'Default model'}</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  );
}
