import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ProviderId } from '../../src-shared/chat.js';
import { modelNameProblem, pullFinished, type InstalledModel, type ProviderModels } from '../../src-shared/models.js';
import { useApi } from '../api/context.js';
import { bytes, duration, integer } from '../dashboard/format.js';
import { PullBar } from './PullBar.js';
import { useAction } from './use-action.js';
import { usePulls } from './use-pulls.js';

const PROVIDER_TITLES: Record<ProviderId, string> = { ollama: 'Ollama', openai: 'OpenAI-compatible server' };

function untilText(expiresAt: string | null): string {
  if (!expiresAt) return 'kept loaded';
  const left = (Date.parse(expiresAt) - Date.now()) / 1000;
  return left <= 0 ? 'unloading' : `for ${duration(left)}`;
}

interface RowProps {
  model: InstalledModel;
  manage: boolean;
  busy: boolean;
  onAction: (action: 'load' | 'unload' | 'delete', name: string) => void;
}

function ModelRow({ model: m, manage, busy, onAction }: RowProps) {
  const [confirming, setConfirming] = useState(false);
  return (
    <tr>
      <td className="mono">{m.name}</td>
      <td>{m.family ?? '–'}</td>
      <td>{m.parameterSize ?? '–'}</td>
      <td>{m.quantization ?? '–'}</td>
      <td>{m.size !== undefined ? bytes(m.size) : '–'}</td>
      <td>{m.contextLength ? integer(m.contextLength) : '–'}</td>
      <td>
        {m.loaded ? (
          <span title={`${bytes(m.loaded.sizeVram)} of ${bytes(m.loaded.size)} in VRAM`}>
            {bytes(m.loaded.size)} ({m.loaded.size > 0 ? Math.round((m.loaded.sizeVram / m.loaded.size) * 100) : 0}% VRAM),{' '}
            {untilText(m.loaded.expiresAt)}
          </span>
        ) : (
          <span className="muted">no</span>
        )}
      </td>
      {manage && (
        <td className="model-actions">
          {confirming ? (
            <>
              <span className="small">Delete {m.name}?</span>
              <button type="button" className="btn danger small" disabled={busy} onClick={() => onAction('delete', m.name)}>
                Delete
              </button>
              <button type="button" className="btn ghost small" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </>
          ) : (
            <>
              <button
                type="button"
                className="btn small"
                disabled={busy}
                onClick={() => onAction(m.loaded ? 'unload' : 'load', m.name)}
                aria-label={`${m.loaded ? 'Unload' : 'Load'} ${m.name}`}
              >
                {m.loaded ? 'Unload' : 'Load'}
              </button>
              <button
                type="button"
                className="btn ghost small"
                disabled={busy}
                onClick={() => setConfirming(true)}
                aria-label={`Delete ${m.name}`}
              >
                Delete
              </button>
            </>
          )}
        </td>
      )}
    </tr>
  );
}

function ProviderSection({ p, busy, onAction }: { p: ProviderModels; busy: string | null; onAction: RowProps['onAction'] }) {
  const manage = p.provider === 'ollama';
  return (
    <section className="card models-provider" aria-labelledby={`models-${p.provider}`}>
      <div className="card-head">
        <h3 id={`models-${p.provider}`}>{PROVIDER_TITLES[p.provider]}</h3>
      </div>
      {!p.configured ? (
        <p className="muted small">Not set up: add OPENAI_BASE_URL in Settings to use LM Studio, llama.cpp or vLLM.</p>
      ) : p.error ? (
        <p className="banner error small">{p.error}</p>
      ) : p.models.length === 0 ? (
        <p className="muted small">No models installed{manage ? ': pull one above.' : '.'}</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Family</th>
                <th scope="col">Parameters</th>
                <th scope="col">Quantization</th>
                <th scope="col">Size</th>
                <th scope="col">Context</th>
                <th scope="col">Loaded</th>
                {manage && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {p.models.map((m) => (
                <ModelRow key={m.name} model={m} manage={manage} busy={busy === m.name} onAction={onAction} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * Every provider's models: size, family, parameters, quantization, context
 * length, and whether loaded (with its memory and until when). Pull any
 * model by name with a bar per pull (queued in main, one at a time), and
 * load, unload or delete Ollama's.
 */
export function ModelsView() {
  const api = useApi();
  const pulls = usePulls(api);
  const [providers, setProviders] = useState<readonly ProviderModels[] | null>(null);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const { problem, act } = useAction();
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(() => act(async () => setProviders(await api.models.list())), [api, act]);

  // The list changes when a pull finishes: asked again then, not polled.
  const finished = pulls.filter((p) => pullFinished(p.state)).length;
  useEffect(() => {
    void load();
  }, [load, finished]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    const bad = modelNameProblem(n);
    setNameError(bad);
    if (bad) return;
    setName('');
    void act(() => api.models.pull({ name: n }));
  };

  const onAction: RowProps['onAction'] = (action, model) => {
    setBusy(model);
    void act(async () => {
      if (action === 'delete') await api.models.delete({ name: model });
      else if (action === 'load') await api.models.load({ name: model });
      else await api.models.unload({ name: model });
      await load();
    }).finally(() => setBusy(null));
  };

  return (
    <section className="models-view" aria-labelledby="models-title">
      <div className="models-head">
        <h2 id="models-title">Models</h2>
        <button type="button" className="btn ghost small" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <form className="card pull-form" onSubmit={submit} noValidate>
        <label className="field-inline">
          <span>Pull a model</span>
          <input
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setNameError(null);
            }}
            placeholder="llama3.2:1b"
            aria-invalid={nameError !== null}
            aria-describedby="pull-name-help"
            spellCheck={false}
            autoCapitalize="off"
          />
        </label>
        <button type="submit" className="btn primary small" disabled={!name.trim()}>
          Pull
        </button>
        <p id="pull-name-help" className={`small ${nameError ? 'pull-error' : 'muted'}`} role={nameError ? 'alert' : undefined}>
          {nameError ?? 'A name from ollama.com/library, with an optional tag (e.g. qwen2.5:0.5b). Pulls run one at a time.'}
        </p>
      </form>
      {pulls.length > 0 && (
        <div className="card pulls" role="group" aria-label="Pulls">
          {pulls.map((p) => (
            <PullBar
              key={p.name}
              pull={p}
              layers
              onCancel={(n) => void act(() => api.models.cancelPull({ name: n }))}
              onRetry={(n) => void act(() => api.models.pull({ name: n }))}
            />
          ))}
        </div>
      )}
      {problem && (
        <p className="banner error" role="alert">
          {problem}
        </p>
      )}
      {!providers ? (
        <p className="loading">Loading models…</p>
      ) : (
        providers.map((p) => <ProviderSection key={p.provider} p={p} busy={busy} onAction={onAction} />)
      )}
    </section>
  );
}
