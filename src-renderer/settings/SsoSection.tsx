import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { DeviceCodeValue, SsoProviderId, SsoStatusValue, TokenStorage } from '../../src-shared/contract.js';
import { useApi } from '../api/context.js';
import { errorValue } from '../api/errors.js';
import { CopyButton } from '../app/CopyButton.js';
import { useToast } from '../app/Toasts.js';

interface ProviderInfo {
  readonly id: SsoProviderId;
  readonly label: string;
  /** The settings it needs before a sign-in can start. */
  readonly needs: readonly string[];
}

// Keyed by SsoProviderId so a provider added to the contract fails the type check here.
const INFO: Record<SsoProviderId, ProviderInfo> = {
  oidc: { id: 'oidc', label: 'OpenID Connect', needs: ['OIDC_ISSUER', 'OIDC_CLIENT_ID'] },
  github: { id: 'github', label: 'GitHub', needs: ['GITHUB_CLIENT_ID'] },
};
const PROVIDERS = Object.values(INFO);

// Keyed by TokenStorage, so a new kind of store fails the type check until it is described here.
const STORAGE_TEXT: Record<TokenStorage, string> = {
  keychain: 'Tokens are kept encrypted with your system keychain.',
  file: 'Tokens are kept in a file only your user account can read; no system keychain is used.',
};

/** How often the status is asked for while a code waits for approval. */
export const SSO_POLL_MS = 2000;

/** One provider's sign-in as this window drives it. */
type Flow =
  | { readonly kind: 'idle' }
  | { readonly kind: 'starting' }
  /** `since`: status answers asked for before this are older than the code and must not end it. */
  | { readonly kind: 'waiting'; readonly code: DeviceCodeValue; readonly deadline: number; readonly since: number }
  | { readonly kind: 'expired' }
  | { readonly kind: 'failed'; readonly message: string };

const IDLE: Flow = { kind: 'idle' };

function timeLeft(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function expiryText(iso: string | null): string {
  if (!iso) return 'No expiry';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 'No expiry' : `Until ${new Date(t).toLocaleString()}`;
}

interface SsoSectionProps {
  pollMs?: number;
  /** Changes when settings were saved: the status is asked for again. */
  configVersion?: number;
}

/**
 * Sign-in with OpenID Connect and GitHub by the device flow: Vega gets a code,
 * the person enters it on the provider's page (opened in the browser), and
 * the host waits for the approval in the background; this section asks for
 * the status every 2 s meanwhile. Tokens never reach the window: only
 * whether one is held, until when, and its scope.
 */
export function SsoSection({ pollMs = SSO_POLL_MS, configVersion = 0 }: SsoSectionProps) {
  const api = useApi();
  const toast = useToast();
  const [statuses, setStatuses] = useState<readonly SsoStatusValue[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [flows, setFlowsState] = useState<Partial<Record<SsoProviderId, Flow>>>({});
  const [now, setNow] = useState(() => Date.now());
  // Read by the status answers, which settle flows: kept current without waiting for a render.
  const flowsRef = useRef(flows);
  const asked = useRef(0);
  const live = useRef(true);

  const setFlow = useCallback((p: SsoProviderId, f: Flow) => {
    flowsRef.current = { ...flowsRef.current, [p]: f };
    setFlowsState(flowsRef.current);
  }, []);

  const refresh = useCallback(async () => {
    const n = ++asked.current;
    try {
      const list = await api.sso.status();
      if (!live.current) return;
      setStatuses(list);
      setError(null);
      for (const s of list) {
        const f = flowsRef.current[s.provider];
        if (f?.kind !== 'waiting' || n <= f.since || s.pending) continue;
        // The host stopped waiting: approved, or declined / expired / cancelled.
        if (s.signedIn) {
          setFlow(s.provider, IDLE);
          toast(`Signed in with ${INFO[s.provider].label}`, 'success');
        } else {
          setFlow(s.provider, {
            kind: 'failed',
            message: 'The sign-in did not complete: it was declined, or the code ran out. The Logs view has the reason.',
          });
        }
      }
    } catch (err) {
      if (live.current) setError(errorValue(err).message);
    }
  }, [api, setFlow, toast]);

  useEffect(() => {
    live.current = true;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- refresh sets state only after its await
    void refresh();
    return () => {
      live.current = false;
    };
  }, [refresh]);

  // Settings saved: a provider may have become configured.
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- refresh sets state only after its await
    if (configVersion > 0) void refresh();
  }, [configVersion, refresh]);

  const waiting = PROVIDERS.some((p) => flows[p.id]?.kind === 'waiting');
  const pendingElsewhere = statuses?.some((s) => s.pending) ?? false;

  // While a code waits (here, or from before this page was opened): ask every 2 s.
  useEffect(() => {
    if (!waiting && !pendingElsewhere) return;
    const t = setInterval(() => void refresh(), pollMs);
    return () => clearInterval(t);
  }, [waiting, pendingElsewhere, pollMs, refresh]);

  // The countdown, and the end of a code nobody approved in time.
  useEffect(() => {
    if (!waiting) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [waiting]);
  useEffect(() => {
    for (const p of PROVIDERS) {
      const f = flows[p.id];
      if (f?.kind === 'waiting' && f.deadline <= now) {
        setFlow(p.id, { kind: 'expired' });
        api.sso.cancel({ provider: p.id }).catch(() => undefined);
      }
    }
  }, [now, flows, api, setFlow]);

  const signIn = async (p: SsoProviderId) => {
    setFlow(p, { kind: 'starting' });
    try {
      const code = await api.sso.start({ provider: p });
      // eslint-disable-next-line react-hooks/purity -- a click handler, not the render
      const t = Date.now();
      setNow(t);
      setFlow(p, { kind: 'waiting', code, deadline: t + code.expiresIn * 1000, since: asked.current });
      void refresh();
    } catch (err) {
      setFlow(p, { kind: 'failed', message: errorValue(err).message });
    }
  };

  const cancel = async (p: SsoProviderId) => {
    setFlow(p, IDLE);
    try {
      await api.sso.cancel({ provider: p });
    } catch (err) {
      toast(errorValue(err).message, 'error');
    }
    void refresh();
  };

  const signOut = async (p: SsoProviderId) => {
    try {
      await api.sso.signOut({ provider: p });
      setFlow(p, IDLE);
      toast(`Signed out of ${INFO[p].label}`, 'success');
    } catch (err) {
      toast(errorValue(err).message, 'error');
    }
    void refresh();
  };

  return (
    <section className="card sso" aria-labelledby="sso-title">
      <div className="sso-intro">
        <h3 id="sso-title">Sign-in</h3>
        <p className="muted small">
          Sign in with a code shown here and approved in your browser. Vega keeps the token; this window never sees it.
          {statuses?.[0] && ` ${STORAGE_TEXT[statuses[0].tokenStorage]}`}
        </p>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="sso-list">
        {PROVIDERS.map((p) => (
          <ProviderRow
            key={p.id}
            info={p}
            status={statuses?.find((s) => s.provider === p.id) ?? null}
            loaded={statuses !== null}
            flow={flows[p.id] ?? IDLE}
            now={now}
            onSignIn={() => void signIn(p.id)}
            onCancel={() => void cancel(p.id)}
            onSignOut={() => void signOut(p.id)}
          />
        ))}
      </div>
    </section>
  );
}

interface RowProps {
  info: ProviderInfo;
  status: SsoStatusValue | null;
  loaded: boolean;
  flow: Flow;
  now: number;
  onSignIn: () => void;
  onCancel: () => void;
  onSignOut: () => void;
}

function ProviderRow({ info, status, loaded, flow, now, onSignIn, onCancel, onSignOut }: RowProps) {
  const nameId = `sso-${info.id}-name`;
  let badge: { text: string; tone: string };
  let body: ReactNode = null;
  let actions: ReactNode = null;

  if (!status) {
    badge = { text: loaded ? 'Unknown' : 'Checking…', tone: '' };
  } else if (!status.configured) {
    badge = { text: 'Not configured', tone: '' };
    body = (
      <p className="sso-detail muted small">
        Needs{' '}
        {info.needs.map((k, i) => (
          <span key={k}>
            {i > 0 && ' and '}
            <code>{k}</code>
          </span>
        ))}{' '}
        (Integrations, below).
      </p>
    );
  } else if (flow.kind === 'waiting') {
    badge = { text: 'Waiting for approval', tone: 'warn' };
    body = <DeviceCode code={flow.code} msLeft={flow.deadline - now} />;
    actions = (
      <button type="button" className="btn ghost small" onClick={onCancel}>
        Cancel
      </button>
    );
  } else if (status.signedIn) {
    badge = { text: 'Signed in', tone: 'good' };
    body = (
      <p className="sso-detail muted small">
        {expiryText(status.expiresAt)}
        {status.scope && (
          <>
            {' · scope '}
            <code>{status.scope}</code>
          </>
        )}
      </p>
    );
    actions = (
      <button type="button" className="btn small" onClick={onSignOut}>
        Sign out
      </button>
    );
  } else if (status.pending) {
    // A code handed out before this page was opened (or in another window).
    badge = { text: 'Waiting for approval', tone: 'warn' };
    body = <p className="sso-detail muted small">A sign-in started earlier is waiting for approval in the browser.</p>;
    actions = (
      <button type="button" className="btn ghost small" onClick={onCancel}>
        Cancel
      </button>
    );
  } else {
    badge = { text: 'Not signed in', tone: '' };
    if (flow.kind === 'expired') {
      body = (
        <p className="sso-detail field-error" role="alert">
          The code expired before it was approved. Sign in again for a new one.
        </p>
      );
    } else if (flow.kind === 'failed') {
      body = (
        <p className="sso-detail field-error" role="alert">
          {flow.message}
        </p>
      );
    }
    actions = (
      <button type="button" className="btn primary small" disabled={flow.kind === 'starting'} onClick={onSignIn}>
        {flow.kind === 'starting' ? 'Starting…' : 'Sign in'}
      </button>
    );
  }

  return (
    <div className="sso-row" role="group" aria-labelledby={nameId}>
      <div className="sso-head">
        <span id={nameId} className="sso-name">
          {info.label}
        </span>
        <span className={`badge sso-state${badge.tone ? ` ${badge.tone}` : ''}`}>{badge.text}</span>
        <span className="sso-actions">{actions}</span>
      </div>
      {body}
    </div>
  );
}

/** The code to type, where to type it, and how long it lasts. */
function DeviceCode({ code, msLeft }: { code: DeviceCodeValue; msLeft: number }) {
  const href = code.verificationUriComplete ?? code.verificationUri;
  return (
    <div className="sso-device">
      <p className="sso-step">
        Go to{' '}
        <a href={href} target="_blank" rel="noopener noreferrer">
          {code.verificationUri}
        </a>{' '}
        and enter this code:
      </p>
      <div className="sso-code-row">
        <span className="sso-code" data-testid="sso-user-code">
          {code.userCode}
        </span>
        <CopyButton className="btn small" text={() => code.userCode} />
      </div>
      <p className="muted small">
        <span role="timer" aria-live="off">
          Code expires in {timeLeft(msLeft)}
        </span>
        {' · '}waiting for approval…
      </p>
    </div>
  );
}
