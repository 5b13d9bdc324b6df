import { CONFIG_KEYS, CONFIG_KEY_SPECS, isSecretKey, type ConfigKey } from '../../src-shared/config-keys.js';
import { VegaError } from '../../src-shared/errors.js';

export type ValueSource = 'env' | 'file' | 'default';

const DEFAULTS: Record<string, string> = Object.fromEntries(CONFIG_KEYS.map((s) => [s.key, s.default]));

/**
 * One immutable, parsed view of the configuration: defaults, overlaid by the
 * .env file, overlaid by the process environment (the environment wins, as
 * with dotenv's own default). Accessors are typed and name the key and the
 * file when a value is bad, so the person can find and fix it.
 */
export class Config {
  readonly values: Readonly<Record<string, string>>;
  readonly #sources: Readonly<Record<string, ValueSource>>;
  readonly file: string;

  constructor(fileValues: Record<string, string>, env: NodeJS.ProcessEnv, file: string) {
    const values: Record<string, string> = { ...DEFAULTS };
    const sources: Record<string, ValueSource> = {};
    for (const k of Object.keys(DEFAULTS)) sources[k] = 'default';
    for (const [k, v] of Object.entries(fileValues)) {
      values[k] = v;
      sources[k] = 'file';
    }
    // Only keys Vega knows or the file names are taken from the environment:
    // the process environment is large and mostly not ours.
    for (const k of Object.keys(values)) {
      const v = env[k];
      if (v !== undefined) {
        values[k] = v;
        sources[k] = 'env';
      }
    }
    this.values = Object.freeze(values);
    this.#sources = Object.freeze(sources);
    this.file = file;
  }

  source(key: string): ValueSource | undefined {
    return this.#sources[key];
  }

  /** The raw string, '' when unset. */
  string(key: ConfigKey | (string & {})): string {
    return (this.values[key] ?? '').trim();
  }

  has(key: ConfigKey | (string & {})): boolean {
    return this.string(key) !== '';
  }

  int(key: ConfigKey | (string & {})): number {
    const raw = this.string(key);
    const n = /^[+-]?\d+$/.test(raw) ? Number(raw) : NaN;
    return this.#bounded(key, raw, n, 'an integer');
  }

  number(key: ConfigKey | (string & {})): number {
    const raw = this.string(key);
    const n = raw === '' ? NaN : Number(raw);
    return this.#bounded(key, raw, n, 'a number');
  }

  bool(key: ConfigKey | (string & {})): boolean {
    const raw = this.string(key).toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(raw)) return false;
    throw this.invalid(key, raw, 'true or false');
  }

  list(key: ConfigKey | (string & {})): string[] {
    return this.string(key)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  /**
   * An http(s) URL. `defaultScheme` lets keys such as OLLAMA_HOST accept
   * `host:port` the way Ollama's own tools do; without it a missing scheme is
   * an error (a common slip that would otherwise fail far from its cause).
   */
  url(key: ConfigKey | (string & {}), opts: { defaultScheme?: 'http' | 'https' } = {}): URL | undefined {
    let raw = this.string(key);
    if (raw === '') return undefined;
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
      if (!opts.defaultScheme) throw this.invalid(key, raw, 'a URL with a scheme, e.g. http://host:port');
      raw = `${opts.defaultScheme}://${raw}`;
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw this.invalid(key, raw, 'a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw this.invalid(key, raw, 'an http:// or https:// URL');
    return url;
  }

  #bounded(key: string, raw: string, n: number, what: string): number {
    const spec = CONFIG_KEY_SPECS.get(key);
    if (!Number.isFinite(n)) throw this.invalid(key, raw, what);
    if ((spec?.min !== undefined && n < spec.min) || (spec?.max !== undefined && n > spec.max)) {
      throw this.invalid(key, raw, `${what} from ${spec?.min} to ${spec?.max}`);
    }
    return n;
  }

  invalid(key: string, raw: string, expected: string): VegaError {
    const where = this.#sources[key] === 'env' ? 'the environment' : this.#sources[key] === 'file' ? this.file : 'the defaults';
    const shown = isSecretKey(key) ? '(hidden)' : JSON.stringify(raw);
    return new VegaError('CONFIG_INVALID', `${key}=${shown} in ${where} is not ${expected}.`);
  }
}
