// electron-builder's afterExtract hook (electron-builder.yml). `npm run dist`
// always hands electron-builder an unpacked Electron (electronDist), and for
// those electron-builder skips its own cleanup: Electron's demo app
// (default_app.asar) and its `version` file would ship inside Vega. They are
// removed here, right after the Electron files are copied.
import { rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * The files of a stock Electron that have no place in Vega's package.
 * @param {string} appOutDir
 * @param {string} platformName electron-builder's electronPlatformName (darwin, mas, win32, linux)
 * @param {string} macAppName the Electron app folder in a mac dist ("Electron.app"), renamed later
 */
export function electronLeftovers(appOutDir, platformName, macAppName = 'Electron.app') {
  const mac = platformName === 'darwin' || platformName === 'mas';
  const resources = mac ? path.join(appOutDir, macAppName, 'Contents', 'Resources') : path.join(appOutDir, 'resources');
  return [path.join(resources, 'default_app.asar'), path.join(appOutDir, 'version')];
}

/**
 * @param {{ appOutDir: string, electronPlatformName: string, packager: { info: { framework: { distMacOsAppName?: string } } } }} context
 */
export async function afterExtract(context) {
  const macAppName = context.packager.info.framework.distMacOsAppName;
  await Promise.all(electronLeftovers(context.appOutDir, context.electronPlatformName, macAppName).map((f) => rm(f, { force: true })));
}
