import { lazy, Suspense, useCallback, useState } from 'react';
import { ChatView } from '../chat/ChatView.js';
import { DashboardView } from '../dashboard/DashboardView.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { ReconnectBanner } from './ReconnectBanner.js';
import { Tabs, type View, VIEWS } from './Tabs.js';

// Settings is opened rarely: its code loads when first asked for.
const SettingsView = lazy(() => import('../settings/SettingsView.js').then((m) => ({ default: m.SettingsView })));

function initialView(): View {
  const h = window.location.hash.slice(1);
  return (VIEWS as readonly string[]).includes(h) ? (h as View) : 'chat';
}

/**
 * The shell: header tabs and the three views. Chat stays mounted when hidden
 * (a reply keeps streaming into it); the dashboard keeps collecting
 * snapshots but only renders while visible.
 */
export function App() {
  const [view, setViewState] = useState<View>(initialView);
  const setView = useCallback((v: View) => {
    setViewState(v);
    // The view survives a reload; replaceState keeps Back for real navigation.
    window.history.replaceState(window.history.state, '', v === 'chat' ? window.location.pathname + window.location.search : `#${v}`);
  }, []);

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Vega</span>
        </div>
        <Tabs value={view} onChange={setView} />
      </header>
      <ReconnectBanner />
      <div className="views">
        <div role="tabpanel" id="panel-chat" aria-labelledby="tab-chat" className="view" hidden={view !== 'chat'}>
          <ErrorBoundary label="the chat">
            <ChatView active={view === 'chat'} />
          </ErrorBoundary>
        </div>
        <div role="tabpanel" id="panel-dashboard" aria-labelledby="tab-dashboard" className="view scroll" hidden={view !== 'dashboard'}>
          <ErrorBoundary label="the dashboard">
            <DashboardView visible={view === 'dashboard'} />
          </ErrorBoundary>
        </div>
        <div role="tabpanel" id="panel-settings" aria-labelledby="tab-settings" className="view scroll" hidden={view !== 'settings'}>
          {view === 'settings' && (
            <ErrorBoundary label="settings">
              <Suspense fallback={<p className="loading">Loading settings…</p>}>
                <SettingsView />
              </Suspense>
            </ErrorBoundary>
          )}
        </div>
      </div>
    </div>
  );
}
