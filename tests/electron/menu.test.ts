import type { MenuItemConstructorOptions } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { menuTemplate, type MenuActions } from '../../src-main/electron/menu.js';
import { startFakeHost, type FakeHost } from './harness.js';

let h: FakeHost | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const actions: MenuActions = { openDataFolder: () => undefined, exportDiagnostics: () => undefined };

function flat(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flat(i.submenu) : [])]);
}

const DEVELOPER_ROLES = ['reload', 'forceReload', 'toggleDevTools', 'viewMenu', 'defaultMenu'];

describe('the application menu', () => {
  it('in a release build: File, Edit, View, Window, Help, and nothing that reloads or opens the developer tools', () => {
    const menu = menuTemplate({ packaged: true, platform: 'linux', actions });
    expect(menu.map((m) => m.role ?? m.label)).toEqual(['fileMenu', 'editMenu', 'View', 'windowMenu', 'help']);
    const roles = flat(menu).map((i) => i.role);
    for (const role of DEVELOPER_ROLES) expect(roles).not.toContain(role);
    expect(
      flat(menu)
        .filter((i) => i.role === undefined && i.type !== 'separator')
        .map((i) => i.label),
    ).toEqual(['View', 'Open data folder', 'Export diagnostics']);
  });

  it('a development build keeps Reload and the developer tools under View', () => {
    const view = menuTemplate({ packaged: false, platform: 'linux', actions }).find((m) => m.label === 'View');
    expect(flat([view!]).map((i) => i.role)).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it("on macOS the app's own menu comes first (About, Hide, Quit)", () => {
    expect(menuTemplate({ packaged: true, platform: 'darwin', actions })[0]?.role).toBe('appMenu');
  });

  it('the host sets it; Help opens the data folder and exports diagnostics, then shows the file', async () => {
    h = await startFakeHost();
    const menu = h.electron.Menu;
    expect(menu.applied).not.toBeNull();
    menu.click('Open data folder');
    expect(h.electron.shell.openedPaths).toEqual([path.join(h.dir, 'data')]);
    menu.click('Export diagnostics');
    await vi.waitFor(() => expect(h!.electron.shell.shownItems).toHaveLength(1));
    const file = h.electron.shell.shownItems[0]!;
    expect(path.dirname(file)).toBe(path.join(h.dir, 'data', 'diagnostics'));
    expect(existsSync(file)).toBe(true);
  });
});
