import { lazy, Suspense, useCallback, useMemo, useState } from 'react';
import { ChatView } from '../chat/ChatView.js';
import { DashboardView } from '../dashboard/DashboardView.js';
import { ALL_LEVELS, LogsView, type LogFilter } from '../logs/LogsView.js';
import { ErrorBoundary } from './ErrorBoundary.js';
import { NavigationContext, type Navigation } from './navigation.js';
import { ReconnectBanner } from './ReconnectBanner.js';
import { Tabs, type View, VIEWS } from './Tabs.js';

// Settings and Models are opened rarely: their code loads when first asked for.
const SettingsView = lazy(() => import('../settings/SettingsView.js').then((m) => ({ default: m.SettingsView })));
const ModelsView = lazy(() => import('../models/ModelsView.js').then((m) => ({ default: m.ModelsView })));

function initialView(): View {
  const h = window.location.hash.slice(1);
  return (VIEWS as readonly string[]).includes(h) ? (h as View) : 'chat';
}

/**
 * The shell: header tabs and the five views. Chat stays mounted when hidden
 * (a reply keeps streaming into it); the dashboard keeps collecting
 * snapshots but only renders while visible. The logs' filter lives here, so
 * a request id clicked in the chat or the dashboard opens the Logs view
 * filtered by it.
 */
export function App() {
  const [view, setViewState] = useState<View>(initialView);
  const [logFilter, setLogFilter] = useState<LogFilter>({ level: ALL_LEVELS, requestId: '' });
  // Opened by a click-through (not by its tab): the Logs view then takes the focus.
  const [focusLogs, setFocusLogs] = useState(false);
  const setView = useCallback((v: View) => {
    setViewState(v);
    // The view survives a reload; replaceState keeps Back for real navigation.
    window.history.replaceState(window.history.state, '', v === 'chat' ? window.location.pathname + window.location.search : `#${v}`);
  }, []);

  const navigation = useMemo<Navigation>(
    () => ({
      openLogs: (requestId: string) => {
        // Following a request means all of its lines, whatever level was picked before.
        setLogFilter({ level: ALL_LEVELS, requestId });
        setFocusLogs(true);
        setView('logs');
      },
    }),
    [setView],
  );

  return (
    <NavigationContext.Provider value={navigation}>
      <div className="app">
        <header className="topbar">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true" />
            <span className="brand-name">Vega</span>
          </div>
          <Tabs
            value={view}
            onChange={(v) => {
              setFocusLogs(false);
              setView(v);
            }}
          />
        </header>
        <ReconnectBanner />
        <div className="views">
          <div role="tabpanel" id="panel-chat" aria-labelledby="tab-chat" className="view" hidden={view !== 'chat'}>
            <ErrorBoundary label="the chat">
              <ChatView active={view === 'chat'} />
            </ErrorBoundary>
          </div>
          <div role="tabpanel" id="panel-models" aria-labelledby="tab-models" className="view scroll" hidden={view !== 'models'}>
            {view === 'models' && (
              <ErrorBoundary label="the models">
                <Suspense fallback={<p className="loading">Loading models…</p>}>
                  <ModelsView />
                </Suspense>
              </ErrorBoundary>
            )}
          </div>
          <div role="tabpanel" id="panel-dashboard" aria-labelledby="tab-dashboard" className="view scroll" hidden={view !== 'dashboard'}>
            <ErrorBoundary label="the dashboard">
              <DashboardView visible={view === 'dashboard'} />
            </ErrorBoundary>
          </div>
          <div role="tabpanel" id="panel-logs" aria-labelledby="tab-logs" className="view scroll" hidden={view !== 'logs'}>
            {view === 'logs' && (
              <ErrorBoundary label="the logs">
                <LogsView filter={logFilter} onFilter={setLogFilter} focusOnOpen={focusLogs} />
              </ErrorBoundary>
            )}
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
    </NavigationContext.Provider>
  );
}
