import { useEffect, useRef, useState, type ReactNode } from 'react';
import { RECOMMENDED_MODELS, pullFinished, sameModel, type SetupStatus } from '../../src-shared/models.js';
import { useApi } from '../api/context.js';
import { bytes } from '../dashboard/format.js';
import { InstallSteps } from './InstallSteps.js';
import { PullBar } from './PullBar.js';
import { TestConnection } from './TestConnection.js';
import { useAction } from './use-action.js';
import { usePulls } from './use-pulls.js';

interface Props {
  status: SetupStatus;
  /** Ask for the status again (a pull finished, a setting was saved). */
  onRefresh: () => void;
}

function Check({ ok, children }: { ok: boolean; children: ReactNode }) {
  return (
    <li className={`setup-check ${ok ? 'ok' : 'missing'}`}>
      <span className="setup-mark" aria-hidden="true">
        {ok ? '✓' : '✗'}
      </span>
      <span>
        <span className="sr-only">{ok ? 'Found: ' : 'Missing: '}</span>
        {children}
      </span>
    </li>
  );
}

/**
 * Shown in the chat instead of an empty conversation while no model can
 * answer: what Vega found, what to do on this OS, small models to pull with
 * their sizes, the installed ones to use instead of a missing VEGA_MODEL,
 * and an OpenAI-compatible address to test and save.
 */
export function SetupCard({ status: s, onRefresh }: Props) {
  const api = useApi();
  const pulls = usePulls(api);
  const { problem, act } = useAction();
  const installed = s.ollama.models;
  const [chosen, setChosen] = useState(installed[0] ?? '');
  const [url, setUrl] = useState(s.openai.url ?? '');
  const [apiKey, setApiKey] = useState('');

  // A finished pull may be the model that was missing: look again at once.
  const done = pulls.filter((p) => p.state === 'done').length;
  const seenDone = useRef(done);
  useEffect(() => {
    if (done > seenDone.current) onRefresh();
    seenDone.current = done;
  }, [done, onRefresh]);

  const pull = (name: string) => act(() => api.models.pull({ name }));
  const save = (values: Record<string, string>) =>
    act(async () => {
      const r = await api.config.set({ values });
      const first = Object.values(r.errors)[0];
      if (first) throw new Error(first);
      onRefresh();
    });

  const pulling = (name: string) => pulls.some((p) => sameModel(p.name, name) && !pullFinished(p.state));
  const offers = [
    ...(s.defaultInstalled || RECOMMENDED_MODELS.some((r) => sameModel(r.name, s.defaultModel))
      ? []
      : [{ name: s.defaultModel, size: null, about: '' }]),
    ...RECOMMENDED_MODELS,
  ].filter((m) => !installed.some((i) => sameModel(i, m.name)));
  const shownPulls = pulls.filter((p) => p.state !== 'done');

  return (
    <section className="setup card" aria-labelledby="setup-title">
      <h2 id="setup-title">Set up a model to chat with</h2>
      <p className="muted">
        Vega answers with a language model: one Ollama runs on this machine, or an OpenAI-compatible server you name. Here is what it found:
      </p>
      <ul className="setup-checks">
        <Check ok={s.ollama.reachable}>
          {s.ollama.reachable ? `Ollama answers at ${s.ollama.url ?? ''}.` : `Ollama is not reachable at ${s.ollama.url ?? 'its address'}.`}
        </Check>
        {s.ollama.reachable && (
          <Check ok={installed.length > 0}>
            {installed.length ? `Ollama has ${installed.length} model${installed.length === 1 ? '' : 's'}.` : 'Ollama has no models yet.'}
          </Check>
        )}
        {s.ollama.reachable && installed.length > 0 && !s.defaultInstalled && (
          <Check ok={false}>
            Your default model, <span className="mono">{s.defaultModel}</span> (VEGA_MODEL), is not installed.
          </Check>
        )}
        <Check ok={s.openai.reachable && s.openai.models.length > 0}>
          {!s.openai.configured
            ? 'No OpenAI-compatible server is set up (optional).'
            : s.openai.reachable
              ? `The OpenAI-compatible server at ${s.openai.url ?? ''} lists ${s.openai.models.length} model${s.openai.models.length === 1 ? '' : 's'}.`
              : (s.openai.error ?? `The OpenAI-compatible server at ${s.openai.url ?? ''} does not answer.`)}
        </Check>
      </ul>

      {!s.ollama.reachable && (
        <div className="setup-block">
          <h3>Start Ollama</h3>
          <InstallSteps platform={s.platform} />
        </div>
      )}

      {s.ollama.reachable && offers.length > 0 && (
        <div className="setup-block">
          <h3>Pull a model</h3>
          <ul className="setup-offers">
            {offers.map((m) => (
              <li key={m.name} className="setup-offer">
                <span className="mono">{m.name}</span>
                <span className="muted small">
                  {sameModel(m.name, s.defaultModel) ? 'your default model (VEGA_MODEL)' : m.about}
                  {m.size ? ` · about ${bytes(m.size)}` : ''}
                </span>
                <button
                  type="button"
                  className="btn primary small"
                  disabled={pulling(m.name)}
                  onClick={() => void pull(m.name)}
                  aria-label={`Pull ${m.name}`}
                >
                  Pull
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}

      {shownPulls.length > 0 && (
        <div className="setup-block pulls" aria-label="Pulls">
          {shownPulls.map((p) => (
            <PullBar
              key={p.name}
              pull={p}
              onCancel={(name) => void act(() => api.models.cancelPull({ name }))}
              onRetry={(name) => void pull(name)}
            />
          ))}
        </div>
      )}

      {installed.length > 0 && !s.defaultInstalled && (
        <div className="setup-block setup-row">
          <label className="field-inline">
            <span>Use an installed model</span>
            <select value={chosen || installed[0]} onChange={(e) => setChosen(e.target.value)}>
              {installed.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn small" onClick={() => void save({ VEGA_MODEL: chosen || installed[0]! })}>
            Make it the default
          </button>
        </div>
      )}

      <details className="setup-block" open={!s.ollama.reachable || undefined}>
        <summary>Or use an OpenAI-compatible server (LM Studio, llama.cpp, vLLM)</summary>
        <div className="setup-row">
          <label className="field-inline">
            <span>Address</span>
            <input type="url" value={url} placeholder="http://127.0.0.1:1234/v1" onChange={(e) => setUrl(e.target.value)} />
          </label>
          <label className="field-inline">
            <span>API key</span>
            <input
              type="password"
              value={apiKey}
              autoComplete="off"
              placeholder="if the server needs one"
              onChange={(e) => setApiKey(e.target.value)}
            />
          </label>
        </div>
        <div className="setup-row">
          <TestConnection url={url} apiKey={apiKey || undefined} />
          <button
            type="button"
            className="btn small"
            disabled={!url.trim()}
            onClick={() => void save({ OPENAI_BASE_URL: url.trim(), ...(apiKey ? { OPENAI_API_KEY: apiKey } : {}) })}
          >
            Save
          </button>
        </div>
      </details>

      {problem && (
        <p className="banner error" role="alert">
          {problem}
        </p>
      )}
      <p className="muted small">Vega checks again every few seconds, and opens the chat once a model is ready.</p>
    </section>
  );
}
