import type {
  BrowserWindowConstructorOptions,
  CustomScheme,
  HandlerDetails,
  MenuItemConstructorOptions,
  WindowOpenHandlerResponse,
} from 'electron';
import type {
  AppSurface,
  ContextBridgeSurface,
  DialogSurface,
  ElectronSurface,
  FrameSurface,
  InvokeEventSurface,
  IpcMainSurface,
  IpcRendererSurface,
  MenuSurface,
  PermissionCheckHandler,
  PermissionRequestHandler,
  PreloadSurface,
  ProtocolSurface,
  SafeStorageSurface,
  SessionSurface,
  ShellSurface,
  WebContentsSurface,
  WindowSurface,
  ProcessMetricSurface,
} from '../../src-main/electron/surface.js';

/**
 * A recording fake of the Electron surface: no binary, no Chromium. It
 * implements the same interfaces `main.ts` proves the real module satisfies,
 * and mimics the behaviour the glue relies on (structured clone across IPC,
 * one handler per channel, `before-quit` cancellable, `exit` final, the
 * scheme registration only before ready).
 */

type Listener = (...args: never[]) => unknown;

class Emitter {
  readonly #listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    const wrapped = ((...args: never[]) => {
      this.off(event, wrapped);
      return listener(...args);
    }) as Listener;
    return this.on(event, wrapped);
  }
  off(event: string, listener: Listener): this {
    this.#listeners.set(
      event,
      (this.#listeners.get(event) ?? []).filter((l) => l !== listener),
    );
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.#listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  }
  listenerCount(event: string): number {
    return this.#listeners.get(event)?.length ?? 0;
  }
}

export interface FakeEvent {
  preventDefault(): void;
  readonly defaultPrevented: boolean;
}

export function fakeEvent<T extends object>(extra?: T): FakeEvent & T {
  const e = {
    defaultPrevented: false,
    preventDefault() {
      e.defaultPrevented = true;
    },
    ...extra,
  };
  return e as FakeEvent & T;
}

let nextId = 1;

export class FakeFrame implements FrameSurface {
  constructor(
    public url: string,
    readonly parent: FakeFrame | null = null,
    readonly frameTreeNodeId = nextId++,
  ) {}
}

export class FakeWebContents extends Emitter implements WebContentsSurface {
  readonly id = nextId++;
  readonly mainFrame = new FakeFrame('about:blank');
  readonly sent: { channel: string; args: unknown[] }[] = [];
  reloads = 0;
  destroyed = false;
  windowOpenHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | undefined;
  /** The preload world attached to this page, if any. */
  renderer: FakeRenderer | undefined;

  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
    this.renderer?.deliver(channel, structuredClone(args));
  }
  reload(): void {
    this.reloads++;
  }
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.windowOpenHandler = handler;
  }

  /** A navigation attempt; returns true if the glue prevented it. */
  attempt(kind: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string): boolean {
    const e = fakeEvent({ url });
    this.emit(kind, e);
    return e.defaultPrevented;
  }
  /** `window.open(url)` from the page. */
  open(url: string): WindowOpenHandlerResponse | undefined {
    return this.windowOpenHandler?.({
      url,
      frameName: '',
      features: '',
      disposition: 'new-window',
      referrer: { url: '', policy: 'default' },
    } as unknown as HandlerDetails);
  }
  subframe(url: string): FakeFrame {
    return new FakeFrame(url, this.mainFrame);
  }
}

export class FakeIpcMain implements IpcMainSurface {
  readonly handlers = new Map<string, (event: InvokeEventSurface, ...args: unknown[]) => unknown>();
  /** Every `handle` call, in order (duplicates would show here before the throw). */
  readonly registrations: string[] = [];

  handle(channel: string, listener: (event: InvokeEventSurface, ...args: unknown[]) => unknown): void {
    this.registrations.push(channel);
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What Electron does with an `ipcRenderer.invoke`: clone in, run the handler, clone out. */
  async invoke(event: InvokeEventSurface, channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    return structuredClone(await handler(event, ...structuredClone(args)));
  }
}

/** A page's preload world: its ipcRenderer (wired to the fake main) and contextBridge. */
export class FakeRenderer implements PreloadSurface {
  readonly exposed = new Map<string, unknown>();
  readonly #listeners = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
  /** Which frame the next calls claim to come from (default: the page's main frame). */
  frame: FakeFrame | null;

  constructor(
    readonly contents: FakeWebContents,
    readonly ipcMain: FakeIpcMain,
  ) {
    this.frame = contents.mainFrame;
    contents.renderer = this;
  }

  readonly contextBridge: ContextBridgeSurface = {
    exposeInMainWorld: (key, api) => {
      if (this.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property on the window object`);
      this.exposed.set(key, api);
    },
  };

  readonly ipcRenderer: IpcRendererSurface = {
    invoke: (channel, ...args) => this.ipcMain.invoke({ sender: this.contents, senderFrame: this.frame }, channel, ...args),
    on: (channel, listener) => {
      this.#listeners.set(channel, [...(this.#listeners.get(channel) ?? []), listener]);
      return this.ipcRenderer;
    },
    removeListener: (channel, listener) => {
      this.#listeners.set(
        channel,
        (this.#listeners.get(channel) ?? []).filter((l) => l !== listener),
      );
      return this.ipcRenderer;
    },
  };

  listenerCount(channel: string): number {
    return this.#listeners.get(channel)?.length ?? 0;
  }
  deliver(channel: string, args: unknown[]): void {
    for (const l of this.#listeners.get(channel) ?? []) l({ sender: 'ipcRenderer' }, ...args);
  }
}

export class FakeProtocol implements ProtocolSurface {
  privileged: CustomScheme[] | undefined;
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  constructor(readonly isReady: () => boolean) {}

  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    if (this.isReady()) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    this.privileged = schemes;
  }
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    if (!this.isReady()) throw new Error('protocol.handle should be called after app is ready');
    if (this.handlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
    this.handlers.set(scheme, handler);
  }
  /** A request the page makes; `app://vega/...`. */
  async request(url: string, init?: RequestInit): Promise<Response> {
    const scheme = url.slice(0, url.indexOf(':'));
    const handler = this.handlers.get(scheme);
    if (!handler) throw new Error(`no handler for ${scheme}:`);
    return handler(new Request(url, init));
  }
}

export class FakeSession implements SessionSurface {
  requestHandler: PermissionRequestHandler | null = null;
  checkHandler: PermissionCheckHandler | null = null;
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.checkHandler = handler;
  }
  /** Electron grants when no handler is set; the glue must set one. */
  request(permission: string, requestingUrl: string): Promise<boolean> {
    const h = this.requestHandler;
    if (!h) return Promise.resolve(true);
    return new Promise((resolve) => h({}, permission, resolve, { requestingUrl, isMainFrame: true }));
  }
  check(permission: string, requestingOrigin: string): boolean {
    return this.checkHandler ? this.checkHandler({}, permission, requestingOrigin, { isMainFrame: true }) : true;
  }
}

export class FakeShell implements ShellSurface {
  readonly opened: string[] = [];
  readonly openedPaths: string[] = [];
  readonly shownItems: string[] = [];
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  }
  openPath(path: string): Promise<string> {
    this.openedPaths.push(path);
    return Promise.resolve('');
  }
  showItemInFolder(fullPath: string): void {
    this.shownItems.push(fullPath);
  }
}

/** Before ready, Electron shows no error box on Linux (it only prints to stderr): the fake keeps those apart. */
export class FakeDialog implements DialogSurface {
  readonly errors: [string, string][] = [];
  readonly printedBeforeReady: [string, string][] = [];
  constructor(readonly isReady: () => boolean) {}
  showErrorBox(title: string, content: string): void {
    (this.isReady() ? this.errors : this.printedBeforeReady).push([title, content]);
  }
}

/** The menu as set: the template itself stands for the built menu. */
export class FakeMenu implements MenuSurface {
  applied: MenuItemConstructorOptions[] | null = null;
  buildFromTemplate(template: MenuItemConstructorOptions[]): { template: MenuItemConstructorOptions[] } {
    return { template };
  }
  setApplicationMenu(menu: { template: MenuItemConstructorOptions[] } | null): void {
    this.applied = menu?.template ?? null;
  }
  /** Every item of the applied menu, depth first. */
  items(): MenuItemConstructorOptions[] {
    const walk = (list: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] =>
      list.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? walk(i.submenu) : [])]);
    return walk(this.applied ?? []);
  }
  /** Choose the item with this label, as a click would. */
  click(label: string): void {
    const item = this.items().find((i) => i.label === label);
    if (!item?.click) throw new Error(`no menu item ${label}`);
    (item.click as () => void)();
  }
}

/**
 * safeStorage with a key the fake keeps: the bytes on disk are not the
 * plain text (reversed and marked), and decrypting anything else fails as
 * Electron's does. `available` and `backend` play the OS's answer.
 */
export class FakeSafeStorage implements SafeStorageSurface {
  available = true;
  backend = 'gnome_libsecret';
  static readonly MARK = 'fake-os-key:';
  isAsyncEncryptionAvailable(): Promise<boolean> {
    return Promise.resolve(this.available);
  }
  encryptStringAsync(plainText: string): Promise<Buffer> {
    return Promise.resolve(Buffer.from(FakeSafeStorage.MARK + [...plainText].reverse().join('')));
  }
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string }> {
    const text = encrypted.toString('utf8');
    if (!text.startsWith(FakeSafeStorage.MARK))
      return Promise.reject(new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.'));
    return Promise.resolve({ result: [...text.slice(FakeSafeStorage.MARK.length)].reverse().join('') });
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
}

export class FakeApp extends Emitter implements AppSurface {
  isPackaged = false;
  ready = false;
  lock = true;
  readonly exits: (number | undefined)[] = [];
  quitCalls = 0;
  /** The default quit went through (before-quit was not prevented). */
  quitted = false;
  readonly #ready: Promise<void>;
  #markReady!: () => void;

  constructor(readonly userData: string) {
    super();
    this.#ready = new Promise((resolve) => (this.#markReady = resolve));
  }
  /** Fire 'ready' (the fake's stand-in for Chromium finishing start-up). */
  makeReady(): void {
    this.ready = true;
    this.#markReady();
  }
  whenReady(): Promise<void> {
    return this.#ready;
  }
  getPath(name: 'userData'): string {
    if (name !== 'userData') throw new Error(`fake has no path ${String(name)}`);
    return this.userData;
  }
  requestSingleInstanceLock(): boolean {
    return this.lock;
  }
  /** What getAppMetrics reports: a browser and a renderer process, as Electron would. */
  metrics: ProcessMetricSurface[] = [
    { pid: 100, type: 'Browser', cpu: { percentCPUUsage: 1.25 }, memory: { workingSetSize: 81_920 } },
    { pid: 101, type: 'Tab', cpu: { percentCPUUsage: 0.5 }, memory: { workingSetSize: 40_960 } },
  ];
  getAppMetrics(): ProcessMetricSurface[] {
    return this.metrics;
  }
  /** As in Electron: before-quit first; only if nobody prevents it does the app quit. */
  quit(): void {
    this.requestQuit();
  }
  /** How many times relaunch() was called. */
  relaunches = 0;
  relaunch(): void {
    this.relaunches++;
  }
  exit(code?: number): void {
    this.exits.push(code);
  }
  /** A quit (Cmd+Q, the menu, app.quit()): returns the before-quit event the glue saw. */
  requestQuit(): FakeEvent {
    const e = fakeEvent();
    this.quitCalls++;
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.quitted = true;
    return e;
  }
}

export interface FakeWindow extends WindowSurface {
  readonly options: BrowserWindowConstructorOptions;
  readonly webContents: FakeWebContents;
  readonly loaded: string[];
  shows: number;
  focuses: number;
  restores: number;
  minimized: boolean;
  emit(event: string, ...args: unknown[]): void;
  /** The user closes the window: destroyed, then 'closed'. */
  close(): void;
}

export interface FakeElectron extends ElectronSurface {
  readonly app: FakeApp;
  readonly ipcMain: FakeIpcMain;
  readonly protocol: FakeProtocol;
  readonly session: { readonly defaultSession: FakeSession };
  readonly shell: FakeShell;
  readonly dialog: FakeDialog;
  readonly Menu: FakeMenu;
  readonly safeStorage: FakeSafeStorage;
  readonly windows: FakeWindow[];
  /** Every webContents created (windows' and any other, e.g. a guest page). */
  readonly contents: FakeWebContents[];
  /** Make a webContents that is not our window's (a popup or guest), announced like Electron does. */
  createContents(): FakeWebContents;
}

export function createFakeElectron(userData = '/tmp/vega-fake-user-data'): FakeElectron {
  const app = new FakeApp(userData);
  const windows: FakeWindow[] = [];
  const contents: FakeWebContents[] = [];
  const announce = (wc: FakeWebContents) => {
    contents.push(wc);
    app.emit('web-contents-created', fakeEvent(), wc);
  };

  class FakeBrowserWindow extends Emitter implements FakeWindow {
    readonly webContents = new FakeWebContents();
    readonly loaded: string[] = [];
    shows = 0;
    focuses = 0;
    restores = 0;
    minimized = false;
    #destroyed = false;
    constructor(readonly options: BrowserWindowConstructorOptions) {
      super();
      if (!app.ready) throw new Error('Cannot create BrowserWindow before app is ready');
      windows.push(this);
      announce(this.webContents);
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(url);
      this.webContents.mainFrame.url = url;
      return Promise.resolve();
    }
    isDestroyed(): boolean {
      return this.#destroyed;
    }
    isMinimized(): boolean {
      return this.minimized;
    }
    restore(): void {
      this.restores++;
      this.minimized = false;
    }
    show(): void {
      this.shows++;
    }
    focus(): void {
      this.focuses++;
    }
    close(): void {
      this.#destroyed = true;
      this.webContents.destroyed = true;
      this.emit('closed');
    }
  }

  return {
    app,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: new FakeIpcMain(),
    protocol: new FakeProtocol(() => app.ready),
    session: { defaultSession: new FakeSession() },
    shell: new FakeShell(),
    dialog: new FakeDialog(() => app.ready),
    Menu: new FakeMenu(),
    safeStorage: new FakeSafeStorage(),
    windows,
    contents,
    createContents() {
      const wc = new FakeWebContents();
      announce(wc);
      return wc;
    },
  };
}
