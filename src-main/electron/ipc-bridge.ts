import { CALL_NAMES, EVENT_NAMES, type Envelope } from '../../src-shared/contract.js';
import type { EventHub } from '../app/events.js';
import { dispatchCall, type Handlers } from '../app/router.js';
import type { Logger } from '../engine/logger.js';
import { BUILT_APP, isAppUrl, type AppOrigin } from './origin.js';
import type { InvokeEventSurface, IpcMainSurface, WindowSurface } from './surface.js';

/**
 * The contract over Electron IPC: one `ipcMain.handle` per call, each behind
 * a sender check, then the same `dispatchCall` door the web host uses
 * (channel known, payload schema-checked, errors as `{code, message}`).
 */

const FORBIDDEN: Envelope<never> = {
  ok: false,
  error: { code: 'FORBIDDEN_SENDER', message: 'This call did not come from the Vega window.' },
};

/**
 * A call is ours only if it comes from the main frame of our window while
 * that frame shows the app's origin (`app://vega/`; in development, Vite's
 * loopback dev server). An iframe, another webContents, a page that navigated
 * away, or a frame already gone (senderFrame null) is refused.
 */
export function isTrustedSender(event: InvokeEventSurface, win: WindowSurface | null, home: AppOrigin = BUILT_APP): boolean {
  if (!win || win.isDestroyed()) return false;
  let frame: InvokeEventSurface['senderFrame'];
  try {
    frame = event.senderFrame;
  } catch {
    // Electron throws (or warns) when the frame was disposed mid-call.
    return false;
  }
  if (!frame || frame.parent !== null) return false;
  const contents = win.webContents;
  if (event.sender.id !== contents.id) return false;
  if (frame.frameTreeNodeId !== contents.mainFrame.frameTreeNodeId) return false;
  return isAppUrl(frame.url, home);
}

export interface IpcBridgeOptions {
  readonly ipcMain: IpcMainSurface;
  readonly handlers: Handlers;
  readonly getWindow: () => WindowSurface | null;
  readonly logger: Logger;
  /** The page's origin; `app://vega` unless the host chose a dev server. */
  readonly home?: AppOrigin;
}

/** Register every contract call; the returned function removes them again. */
export function registerIpcHandlers({ ipcMain, handlers, getWindow, logger, home = BUILT_APP }: IpcBridgeOptions): () => void {
  for (const channel of CALL_NAMES) {
    ipcMain.handle(channel, (event, params, requestId?: unknown) => {
      if (!isTrustedSender(event, getWindow(), home)) {
        logger.warn({ channel }, 'Refused a call from an untrusted sender');
        return FORBIDDEN;
      }
      return dispatchCall(handlers, channel, params, { host: 'electron', requestId }, logger);
    });
  }
  return () => {
    for (const channel of CALL_NAMES) ipcMain.removeHandler(channel);
  };
}

/**
 * Push the hub's events to our window only, and stop when it closes (a
 * destroyed webContents throws on send, and the hub would hold the window).
 */
export function forwardEvents(events: EventHub, win: WindowSurface): () => void {
  const contents = win.webContents;
  const offs = EVENT_NAMES.map((name) =>
    events.on(name, (payload) => {
      if (!contents.isDestroyed()) contents.send(name, payload);
    }),
  );
  let done = false;
  const stop = () => {
    if (done) return;
    done = true;
    for (const off of offs) off();
  };
  win.on('closed', stop);
  return stop;
}
