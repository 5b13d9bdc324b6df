/**
 * Every configuration key Vega reads, with its default and meaning. The
 * settings page, the README table and the ConfigCache's typed accessors are
 * all driven from this one list, so a key is documented where it is defined.
 */
export type ConfigKind = 'int' | 'number' | 'bool' | 'url' | 'urls' | 'string' | 'secret' | 'host' | 'list';

/**
 * When a saved value takes effect: `live` keys are read through the cache at
 * each use; `restart` keys are read once at start (the pool, the log, the
 * data folder, the web host's socket and key), so Vega must restart for them.
 */
export type ConfigAppliesAt = 'live' | 'restart';

export interface ConfigKeySpec {
  readonly key: string;
  readonly kind: ConfigKind;
  /** Default as it would be written in the .env file; '' means unset. */
  readonly default: string;
  readonly description: string;
  readonly appliesAt: ConfigAppliesAt;
  /** Bounds for int/number keys. */
  readonly min?: number;
  readonly max?: number;
}

export const CONFIG_KEYS = [
  {
    key: 'VEGA_HTTP_MAX_CONNECTIONS',
    kind: 'int',
    default: '100',
    appliesAt: 'restart',
    min: 1,
    max: 10000,
    description: 'Connections the pooled HTTP client may open to one origin.',
  },
  {
    key: 'VEGA_HTTP_KEEPALIVE',
    kind: 'int',
    default: '20',
    appliesAt: 'restart',
    min: 1,
    max: 3600,
    description:
      "Seconds an idle pooled connection may be kept at most (the seed's keepalive=20; undici bounds idle sockets by time, not count).",
  },
  {
    key: 'VEGA_HTTP2',
    kind: 'bool',
    default: 'false',
    appliesAt: 'restart',
    description: "Negotiate HTTP/2 over TLS (undici's allowH2, still experimental: off by default).",
  },
  {
    key: 'VEGA_HTTP_TIMEOUT_S',
    kind: 'number',
    default: '30',
    appliesAt: 'restart',
    min: 0.1,
    max: 3600,
    description: 'Connect, headers and body timeout for integration calls, in seconds.',
  },
  {
    key: 'VEGA_LLM_TIMEOUT_S',
    kind: 'number',
    default: '300',
    appliesAt: 'live',
    min: 1,
    max: 86400,
    description: 'Timeout for an LLM call to start answering and between streamed tokens, in seconds.',
  },
  {
    key: 'VEGA_CONFIG_TTL_S',
    kind: 'number',
    default: '300',
    appliesAt: 'live',
    min: 0.01,
    max: 86400,
    description: 'How long the parsed .env stays cached, in seconds.',
  },
  {
    key: 'VEGA_DATA_DIR',
    kind: 'string',
    default: '',
    appliesAt: 'restart',
    description: 'Folder for logs and chat history (default: the OS per-user data folder).',
  },
  {
    key: 'VEGA_MCP_CONFIG',
    kind: 'string',
    default: '',
    appliesAt: 'restart',
    description: 'The MCP servers file (mcp.json, the format other MCP clients use); default: mcp.json in the data folder.',
  },
  {
    key: 'VEGA_LOG_LEVEL',
    kind: 'string',
    default: 'info',
    appliesAt: 'restart',
    description: 'Log level: trace, debug, info, warn, error.',
  },
  { key: 'VEGA_HOST', kind: 'host', default: '127.0.0.1', appliesAt: 'restart', description: 'Address the headless web host listens on.' },
  {
    key: 'VEGA_PORT',
    kind: 'int',
    default: '8000',
    appliesAt: 'restart',
    min: 0,
    max: 65535,
    description: 'Port of the headless web host.',
  },
  {
    key: 'VEGA_DISK_LOW_MB',
    kind: 'int',
    default: '500',
    appliesAt: 'live',
    min: 0,
    max: 10_000_000,
    description: "Free space (MB) on the data folder's disk below which health turns degraded.",
  },
  {
    key: 'VEGA_UPLOAD_MAX_MB',
    kind: 'int',
    default: '20',
    // The web host sizes its socket's largest frame by it when it starts.
    appliesAt: 'restart',
    min: 1,
    max: 200,
    description:
      'Megabytes of files one message may attach (each file too), in the window and in POST /chat; every other request keeps 1 MiB.',
  },
  {
    key: 'VEGA_METRICS_PORT',
    kind: 'int',
    default: '',
    appliesAt: 'restart',
    min: 1,
    max: 65535,
    description: 'Desktop app: serve GET /metrics (Prometheus) on this loopback port; needs VEGA_API_KEY. Off when unset.',
  },
  {
    key: 'VEGA_LOCAL_SERVER_PORT',
    kind: 'int',
    default: '',
    appliesAt: 'restart',
    min: 1,
    max: 65535,
    description:
      'Desktop app: Local server — the OpenAI-compatible API (/v1) on this loopback port, for other apps; needs VEGA_API_KEY. Off when unset.',
  },
  {
    key: 'VEGA_API_KEY',
    kind: 'secret',
    default: '',
    appliesAt: 'restart',
    description: 'Key for the admin API and the web UI (X-API-Key); generated per run when unset.',
  },
  {
    key: 'OLLAMA_HOST',
    kind: 'urls',
    default: 'http://127.0.0.1:11434',
    appliesAt: 'live',
    description: 'Ollama server, or several separated by commas, each optionally `|weight=N` (host:port without a scheme is accepted).',
  },
  { key: 'VEGA_MODEL', kind: 'string', default: 'llama3.2', appliesAt: 'live', description: 'Default model for new conversations.' },
  {
    key: 'OPENAI_BASE_URL',
    kind: 'urls',
    default: '',
    appliesAt: 'live',
    description:
      'OpenAI-compatible server (LM Studio, llama.cpp, vLLM, OpenAI), e.g. http://127.0.0.1:1234/v1; or several separated by commas, each optionally `|weight=N`.',
  },
  {
    key: 'OPENAI_API_KEY',
    kind: 'secret',
    default: '',
    appliesAt: 'live',
    description: 'API key for the OpenAI-compatible server (every server in the list, unless OPENAI_API_KEYS names its own).',
  },
  {
    key: 'OPENAI_API_KEYS',
    kind: 'secret',
    default: '',
    appliesAt: 'live',
    description: "Per-server API keys, comma-separated in OPENAI_BASE_URL's order; an empty place uses OPENAI_API_KEY.",
  },
  { key: 'SEARXNG_URL', kind: 'url', default: '', appliesAt: 'live', description: 'SearXNG instance for web search.' },
  { key: 'HOME_ASSISTANT_URL', kind: 'url', default: '', appliesAt: 'live', description: 'Home Assistant base URL.' },
  { key: 'HOME_ASSISTANT_TOKEN', kind: 'secret', default: '', appliesAt: 'live', description: 'Home Assistant long-lived access token.' },
  { key: 'GITHUB_TOKEN', kind: 'secret', default: '', appliesAt: 'live', description: 'GitHub token (optional; raises rate limits).' },
  { key: 'SLACK_BOT_TOKEN', kind: 'secret', default: '', appliesAt: 'live', description: 'Slack bot token.' },
  { key: 'OIDC_ISSUER', kind: 'url', default: '', appliesAt: 'live', description: 'OpenID Connect issuer for SSO sign-in.' },
  { key: 'OIDC_CLIENT_ID', kind: 'string', default: '', appliesAt: 'live', description: 'OAuth client id for SSO sign-in.' },
  {
    key: 'GITHUB_CLIENT_ID',
    kind: 'string',
    default: '',
    appliesAt: 'live',
    description: 'Client id of a GitHub OAuth app with device flow enabled, for "Sign in with GitHub" (instead of pasting GITHUB_TOKEN).',
  },
  {
    key: 'VEGA_FETCH_ALLOW_HOSTS',
    kind: 'list',
    default: '',
    appliesAt: 'live',
    description: 'Comma-separated hosts web fetch may reach even if they resolve to private addresses.',
  },
] as const satisfies readonly ConfigKeySpec[];

export type ConfigKey = (typeof CONFIG_KEYS)[number]['key'];

export const CONFIG_KEY_SPECS: ReadonlyMap<string, ConfigKeySpec> = new Map(CONFIG_KEYS.map((s) => [s.key, s]));

export function isSecretKey(key: string): boolean {
  return CONFIG_KEY_SPECS.get(key)?.kind === 'secret' || /(TOKEN|SECRET|PASSWORD|API_KEY)$/.test(key);
}

/**
 * What is secret in a setting's value: all of it for a secret key; for a URL
 * with credentials, its password (`http://user:pass@host`) or, without one,
 * its user (`https://TOKEN@host`). Such a value is shown and logged like a secret.
 */
export function secretsIn(key: string, value: string): string[] {
  if (!value) return [];
  if (isSecretKey(key))
    return key === 'OPENAI_API_KEYS'
      ? [
          value,
          ...value
            .split(',')
            .map((k) => k.trim())
            .filter(Boolean),
        ]
      : [value];
  const kind = CONFIG_KEY_SPECS.get(key)?.kind;
  if ((kind !== 'url' && kind !== 'urls') || !value.includes('://')) return [];
  // A list's items each may carry credentials; `|weight=N` is not part of the URL.
  const items = kind === 'urls' ? value.split(',').map((item) => item.split('|')[0]!.trim()) : [value];
  return items.flatMap((item) => {
    try {
      const url = new URL(item);
      const part = url.password || url.username;
      return part ? [part] : [];
    } catch {
      return [];
    }
  });
}
