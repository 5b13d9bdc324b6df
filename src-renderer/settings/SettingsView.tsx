import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import type { ConfigEntry } from '../../src-shared/contract.js';
import { useApi } from '../api/context.js';
import { useToast } from '../app/Toasts.js';
import { errorValue } from '../api/errors.js';
import { TestConnection } from '../models/TestConnection.js';
import { SettingField } from './SettingField.js';
import { LocalServerSection } from './LocalServerSection.js';
import { McpSection } from './McpSection.js';
import { SsoSection } from './SsoSection.js';

/** Settings grouped for reading; keys not listed here land in "Other". */
const GROUPS: readonly { title: string; match: RegExp }[] = [
  { title: 'Language models', match: /^(OLLAMA_|OPENAI_|VEGA_MODEL|VEGA_LLM_)/ },
  { title: 'HTTP client', match: /^VEGA_HTTP/ },
  { title: 'Integrations', match: /^(SEARXNG_|HOME_ASSISTANT_|GITHUB_|SLACK_|OIDC_|VEGA_FETCH_)/ },
  { title: 'App', match: /./ },
];

/**
 * Sign-in, then every configuration key with its meaning, default and source. Secrets are
 * never sent here: the field shows whether one is stored and takes a new one.
 * Save sends only the keys that changed; errors come back per key. Saving a
 * key read only at start offers to restart Vega.
 */
export function SettingsView() {
  const api = useApi();
  const toast = useToast();
  const [entries, setEntries] = useState<readonly ConfigEntry[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const [saving, setSaving] = useState(false);
  // Bumped on each save: the sign-in section asks again (a client id may just have been set).
  const [savedCount, setSavedCount] = useState(0);
  // Saved keys that are read only at start, and the host's answer once a restart was asked for.
  const [restartKeys, setRestartKeys] = useState<readonly string[]>([]);
  const [restartAnswer, setRestartAnswer] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setEntries(await api.config.get());
      setLoadError(null);
    } catch (err) {
      setLoadError(errorValue(err).message);
    }
  }, [api]);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- load sets state only after its await
    void load();
  }, [load]);

  const changed = useMemo(() => {
    const out: Record<string, string> = {};
    for (const e of entries ?? []) {
      const v = edits[e.key];
      // A secret's field starts empty: typing in it means replacing the secret.
      if (v !== undefined && (e.secret ? v !== '' : v !== e.value)) out[e.key] = v;
    }
    return out;
  }, [entries, edits]);
  const dirty = Object.keys(changed).length > 0;

  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!dirty) return;
    setSaving(true);
    try {
      const result = await api.config.set({ values: changed });
      setErrors(result.errors);
      if (result.saved) {
        const needRestart = (entries ?? []).filter((e) => e.appliesAt === 'restart' && Object.hasOwn(changed, e.key)).map((e) => e.key);
        if (needRestart.length) {
          setRestartKeys((keys) => [...new Set([...keys, ...needRestart])]);
          setRestartAnswer(null);
        }
        setEdits({});
        setSavedCount((n) => n + 1);
        toast('Settings saved', 'success');
        await load();
      }
    } catch (err) {
      toast(errorValue(err).message, 'error');
    } finally {
      setSaving(false);
    }
  };

  const restart = async () => {
    try {
      setRestartAnswer((await api.app.restart()).message);
    } catch (err) {
      toast(errorValue(err).message, 'error');
    }
  };

  const groups = GROUPS.map((g, i) => ({
    title: g.title,
    entries: (entries ?? []).filter((e) => g.match.test(e.key) && !GROUPS.slice(0, i).some((p) => p.match.test(e.key))),
  })).filter((g) => g.entries.length > 0);

  return (
    <form className="settings" onSubmit={save} aria-labelledby="settings-title">
      <div className="settings-head">
        <div>
          <h2 id="settings-title">Settings</h2>
          <p className="muted small">Saved to the .env file. A value set in the environment wins over the file.</p>
        </div>
        <div className="row-end">
          <button
            type="button"
            className="btn ghost"
            disabled={!dirty || saving}
            onClick={() => {
              setEdits({});
              setErrors({});
            }}
          >
            Discard
          </button>
          <button type="submit" className="btn primary" disabled={!dirty || saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </div>
      {restartKeys.length > 0 && (
        <div className="banner warn" role="status">
          <span className="banner-text">
            {restartAnswer ?? `${restartKeys.join(', ')} ${restartKeys.length === 1 ? 'applies' : 'apply'} when Vega restarts.`}
          </span>
          {restartAnswer === null && (
            <button type="button" className="btn primary" onClick={() => void restart()}>
              Restart now
            </button>
          )}
        </div>
      )}
      {/* Sign-in has its own buttons (type="button"): Save never submits anything of it. */}
      <SsoSection configVersion={savedCount} />
      <McpSection />
      {entries && <LocalServerSection entries={entries} pending={restartKeys.includes('VEGA_LOCAL_SERVER_PORT')} />}
      {loadError && (
        <p className="banner error" role="alert">
          {loadError}
        </p>
      )}
      {!loadError && !entries && <p className="loading">Loading settings…</p>}
      {groups.map((g) => (
        <fieldset key={g.title} className="settings-group card">
          <legend>{g.title}</legend>
          {g.entries.map((e) => (
            <SettingField
              key={e.key}
              entry={e}
              value={edits[e.key] ?? (e.secret ? '' : e.value)}
              error={errors[e.key]}
              onChange={(v) => setEdits((s) => ({ ...s, [e.key]: v }))}
            />
          ))}
          {g.title === 'Language models' && (
            <TestConnection
              url={edits.OPENAI_BASE_URL ?? g.entries.find((e) => e.key === 'OPENAI_BASE_URL')?.value ?? ''}
              apiKey={edits.OPENAI_API_KEY || undefined}
            />
          )}
        </fieldset>
      ))}
    </form>
  );
}
