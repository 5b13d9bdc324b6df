import type {
  BrowserWindowConstructorOptions,
  CustomScheme,
  HandlerDetails,
  MenuItemConstructorOptions,
  RenderProcessGoneDetails,
  WindowOpenHandlerResponse,
} from 'electron';

/**
 * The slice of Electron the glue uses, and nothing more. Only `main.ts` and
 * `preload.ts` import the real module; everything else receives these
 * interfaces, so tests drive the glue with a recording fake (Electron's
 * binary cannot be downloaded on our build machines). `main.ts` assigns the
 * real objects to these types, so `tsc` proves the fake and Electron agree.
 *
 * Type-only imports: a value import of 'electron' outside the entry files
 * would try to download the binary under plain Node.
 */

/** A cancellable Electron event (`Electron.Event` has more; this is what we call). */
export interface PreventableEvent {
  preventDefault(): void;
}

/** A navigation about to happen; Electron passes the target in `details.url`. */
export interface NavigationEvent extends PreventableEvent {
  readonly url: string;
}

/** What we read of a `WebFrameMain`. */
export interface FrameSurface {
  readonly url: string;
  readonly parent: FrameSurface | null;
  readonly frameTreeNodeId: number;
}

export interface WebContentsSurface {
  readonly id: number;
  readonly mainFrame: FrameSurface;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
  reload(): void;
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (details: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'render-process-gone', listener: (event: PreventableEvent, details: RenderProcessGoneDetails) => void): unknown;
}

export interface WindowSurface {
  readonly webContents: WebContentsSurface;
  loadURL(url: string): Promise<void>;
  isDestroyed(): boolean;
  isMinimized(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

export type WindowConstructor = new (options: BrowserWindowConstructorOptions) => WindowSurface;

export interface AppSurface {
  readonly isPackaged: boolean;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'web-contents-created', listener: (event: PreventableEvent, contents: WebContentsSurface) => void): unknown;
  on(event: 'second-instance' | 'window-all-closed', listener: () => void): unknown;
  whenReady(): Promise<void>;
  getPath(name: 'userData'): string;
  requestSingleInstanceLock(): boolean;
  getAppMetrics(): readonly ProcessMetricSurface[];
  quit(): void;
  /** Start a new instance once this one exits (the ordered quit still runs first). */
  relaunch(): void;
  exit(exitCode?: number): void;
}

/** The part of Electron's ProcessMetric the dashboard shows. */
export interface ProcessMetricSurface {
  readonly pid: number;
  readonly type: string;
  readonly cpu: { readonly percentCPUUsage: number };
  /** Kilobytes. */
  readonly memory: { readonly workingSetSize: number };
}

/** An `ipcMain.handle` event: who sent the call. */
export interface InvokeEventSurface {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameSurface | null;
}

export interface IpcMainSurface {
  handle(channel: string, listener: (event: InvokeEventSurface, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface ProtocolSurface {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

export type PermissionRequestHandler = (
  webContents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { readonly requestingUrl?: string; readonly isMainFrame?: boolean },
) => void;
export type PermissionCheckHandler = (
  webContents: unknown,
  permission: string,
  requestingOrigin: string,
  details: { readonly requestingUrl?: string; readonly isMainFrame?: boolean },
) => boolean;

export interface SessionSurface {
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void;
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void;
}

export interface ShellSurface {
  openExternal(url: string): Promise<void>;
  /** Resolves with an error message, empty when the folder opened. */
  openPath(path: string): Promise<string>;
  showItemInFolder(fullPath: string): void;
}

export interface DialogSurface {
  showErrorBox(title: string, content: string): void;
}

/** The application menu: built from a template, then set. */
export interface MenuSurface {
  buildFromTemplate(template: MenuItemConstructorOptions[]): object;
  setApplicationMenu(menu: object | null): void;
}

/** Electron's safeStorage: strings encrypted with a key the OS keeps (Keychain, DPAPI, libsecret/kwallet). */
export interface SafeStorageSurface {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ readonly result: string }>;
  /** Linux only: which key store backs it; `basic_text` is a fixed key, no real protection. */
  getSelectedStorageBackend(): string;
}

/** Everything the main process glue touches. `session.defaultSession` is only read after ready. */
export interface ElectronSurface {
  readonly app: AppSurface;
  readonly BrowserWindow: WindowConstructor;
  readonly ipcMain: IpcMainSurface;
  readonly protocol: ProtocolSurface;
  readonly session: { readonly defaultSession: SessionSurface };
  readonly shell: ShellSurface;
  readonly dialog: DialogSurface;
  readonly Menu: MenuSurface;
  readonly safeStorage: SafeStorageSurface;
}

/** The preload's side: the two objects a sandboxed preload gets from 'electron'. */
export interface IpcRendererSurface {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface ContextBridgeSurface {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

export interface PreloadSurface {
  readonly contextBridge: ContextBridgeSurface;
  readonly ipcRenderer: IpcRendererSurface;
}
