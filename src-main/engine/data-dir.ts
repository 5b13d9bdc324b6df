import os from 'node:os';
import path from 'node:path';

/** The per-user data folder Vega uses when neither VEGA_DATA_DIR nor the host names one. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Vega');
  if (process.platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Vega');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'vega');
}
