import path from 'node:path';
import type { ProviderHealth } from '../../src-shared/chat.js';
import { VegaError } from '../../src-shared/errors.js';
import {
  isStdioEntry,
  type McpSaveParams,
  type McpSaveResult,
  type McpServerFigures,
  type McpServerStatus,
  type McpSnapshot,
  type McpStatus,
} from '../../src-shared/mcp.js';
import type { Tool } from '../chat/tools.js';
import { boundFetch } from '../engine/outbound/fetch.js';
import { shownUrl } from '../engine/outbound/url.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import { applySave, loadConfig, secretsOf, settingsOf, writeConfig, type McpConfig } from './config-file.js';
import { entryProblem, type Problem } from './errors.js';
import { listProcs } from './proc.js';
import { RunningFile, reapLeftovers } from './running-file.js';
import { DEFAULT_TIMING, McpServer, type McpTiming } from './server.js';

export type { McpTiming } from './server.js';

/** Where the MCP servers' tools go: the chat's tool registry. */
export interface ToolSink {
  register(tool: Tool): () => void;
}

export interface McpOptions {
  /** mcp.json, overriding VEGA_MCP_CONFIG (tests). */
  readonly configFile?: string;
  readonly timing?: Partial<McpTiming>;
  /** Vega's version, told to each server in initialize. */
  readonly clientVersion?: string;
}

export interface McpModule {
  readonly configFile: string;
  /** Every server with its settings (never an env or header value), state, tools and figures. */
  status(): McpStatus;
  /** The dashboard tick's part: each server's state and figures. */
  snapshot(): McpSnapshot;
  /** One entry per server (and one for an unusable file), for the providers report. */
  health(): ProviderHealth[];
  save(p: McpSaveParams): Promise<McpSaveResult>;
  /** Read mcp.json again (a hand edit), then stop and start the server; answers once it is starting. */
  restart(name: string): Promise<McpStatus>;
  /** Resolves when every start under way now has ended, ready or failed (tests, the bench). */
  settled(): Promise<void>;
}

/** Secret values shorter than this are not scrubbed from text: "1" or "true" would blank out half the log. */
const MIN_SECRET_CHARS = 6;

/**
 * The MCP servers of mcp.json as tool sources: each enabled one started in
 * the background at once (Vega does not wait for them), its tools offered
 * while it is ready, stdio servers stopped with their process trees in the
 * shutdown's background phase and HTTP servers before the pool closes.
 */
export async function createMcp(rm: ResourceManager, sink: ToolSink, opts: McpOptions = {}): Promise<McpModule> {
  const cfg = await rm.config.get();
  const configFile = path.resolve(opts.configFile ?? (cfg.string('VEGA_MCP_CONFIG') || path.join(rm.dataDir, 'mcp.json')));
  const timing: McpTiming = { ...DEFAULT_TIMING, ...opts.timing };
  const runningFile = path.join(rm.dataDir, 'mcp-running.json');
  // A previous run that was killed may have left a server that outlived it (one that ignores its stdin closing).
  await reapLeftovers(runningFile, rm.logger, timing.graceMs);
  const running = new RunningFile(runningFile);
  const servers = new Map<string, McpServer>();
  const invalid = new Map<string, Problem>();
  const registered = new Map<McpServer, (() => void)[]>();
  const starts = new Set<Promise<void>>();
  let config: McpConfig;
  let closing = false;

  const unregister = (server: McpServer) => {
    for (const off of registered.get(server) ?? []) off();
    registered.delete(server);
  };
  const onTools = (server: McpServer) => {
    unregister(server);
    if (server.state !== 'ready' || servers.get(server.name) !== server) return;
    const offs: (() => void)[] = [];
    for (const t of server.tools) {
      try {
        offs.push(
          sink.register({
            name: t.info.name,
            description: t.info.description.slice(0, 1024),
            parameters: t.parameters,
            stateChanging: !t.info.readOnly,
            run: (args, ctx) => server.call(t.info.tool, args, ctx.signal),
            available: async () => server.state === 'ready',
          }),
        );
      } catch (err) {
        rm.logger.warn(
          { mcpServer: server.name },
          `MCP server "${server.name}": tool ${t.info.tool} not offered: ${(err as Error).message}`,
        );
      }
    }
    registered.set(server, offs);
    // A server starts its own children as it comes up: written down now, not only at the next round.
    running.track().catch(() => undefined);
  };
  const deps = {
    logger: rm.logger,
    running,
    timing,
    clientVersion: opts.clientVersion ?? '0.0.0',
    onTools,
    // Long-lived event streams must not hit the pool's body timeout; each call is bounded by the server's own deadline.
    fetch: (server: string, url: string) =>
      boundFetch(
        () => rm.httpClient(),
        {
          name: `MCP server "${server}"`,
          url: shownUrl(new URL(url)),
          timeoutS: rm.httpSettings.timeoutMs / 1000,
          timeoutKey: 'VEGA_HTTP_TIMEOUT_S',
          startHint: 'start it, or correct its url',
        },
        { bodyTimeoutMs: 0 },
      ),
  };
  const start = (server: McpServer) => {
    const p = server.start().finally(() => starts.delete(p));
    starts.add(p);
  };

  /** Bring the running servers in line with the file: stop removed and changed ones, start new ones. */
  const apply = async (next: McpConfig) => {
    config = next;
    for (const v of secretsOf(next)) if (v.length >= MIN_SECRET_CHARS) rm.addSecret(v);
    if (next.problem) rm.logger.warn(`MCP: ${next.problem.message}`);
    invalid.clear();
    const stale: McpServer[] = [];
    for (const [name, server] of servers) {
      const c = next.servers.get(name);
      if (!c?.ok || JSON.stringify(c.entry) !== JSON.stringify(server.entry)) stale.push(server);
    }
    for (const s of stale) {
      servers.delete(s.name);
      unregister(s);
    }
    await Promise.all(stale.map((s) => s.close()));
    for (const [name, c] of next.servers) {
      if (!c.ok) {
        invalid.set(name, entryProblem(c.error));
        rm.logger.warn({ mcpServer: name }, `MCP server "${name}": its entry in mcp.json ${c.error}`);
        continue;
      }
      if (servers.has(name) || closing) continue;
      const server = new McpServer(name, c.entry, deps);
      servers.set(name, server);
      start(server);
    }
  };
  const reload = async () => apply(await loadConfig(configFile));

  const figures = (): McpServerFigures[] => {
    const list = [...servers.values()];
    const procs = list.some((s) => s.pid !== null) ? listProcs() : null;
    const byName = new Map(list.map((s) => [s.name, s.figures(procs)]));
    return [...config.servers.keys()].map(
      (name) => byName.get(name) ?? invalidFigures(name, config.raw[name], invalid.get(name) ?? entryProblem('is not valid')),
    );
  };
  const status = (): McpStatus => ({
    configPath: configFile,
    configError: config.problem?.message ?? null,
    configFix: config.problem?.fix ?? null,
    servers: figures().map((f): McpServerStatus => {
      const server = servers.get(f.name);
      return {
        ...f,
        settings: server ? settingsOf(f.name, server.entry) : null,
        toolList: server?.state === 'ready' ? server.tools.map((t) => t.info) : [],
      };
    }),
  });

  await reload();

  const closeWhere = async (stdio: boolean) => {
    closing = true;
    await Promise.all([...servers.values()].filter((s) => isStdioEntry(s.entry) === stdio).map((s) => s.close()));
  };
  // HTTP servers hold streams on the pool: they go before it closes. stdio servers are background processes.
  rm.registerCleanup('mcp-http-servers', () => closeWhere(false), { phase: 'llm' });
  const tracker = setInterval(() => void running.track().catch(() => undefined), timing.trackMs);
  tracker.unref();
  const closeStdio = () => {
    clearInterval(tracker);
    return closeWhere(true);
  };
  rm.registerCleanup('mcp-servers', closeStdio, { phase: 'background', timeoutMs: timing.quietMs + timing.graceMs + 3_000 });
  // Should Vega exit without its cleanup (an uncaught error, process.exit), no server tree outlives it.
  const onExit = () => servers.forEach((s) => s.killNow());
  process.once('exit', onExit);
  rm.registerCleanup('mcp-exit-guard', () => void process.off('exit', onExit), { phase: 'background' });

  return {
    configFile,
    status,
    snapshot: () => ({ servers: figures(), configError: config.problem?.message ?? null }),
    health: () => {
      const checkedAt = new Date().toISOString();
      const out: ProviderHealth[] = figures().map((f) => ({
        id: `mcp:${f.name}`,
        kind: 'integration',
        configured: f.state !== 'disabled',
        reachable: f.state === 'ready',
        latencyMs: f.calls ? f.p50Ms : null,
        lastError: f.lastError && `${f.lastError} ${f.fix ?? ''}`.trim(),
        checkedAt,
      }));
      if (config.problem)
        out.unshift({
          id: 'mcp',
          kind: 'integration',
          configured: true,
          reachable: false,
          latencyMs: null,
          lastError: `${config.problem.message} ${config.problem.fix}`,
          checkedAt,
        });
      return out;
    },
    async save(p) {
      const outcome = applySave(await loadConfig(configFile), p);
      if (!outcome.raw) return { saved: false, errors: outcome.errors, status: status() };
      await writeConfig(configFile, outcome.raw);
      await reload();
      rm.logger.info({ mcpServer: p.name, action: p.action }, `MCP settings saved (${p.action} "${p.name}")`);
      return { saved: true, errors: {}, status: status() };
    },
    async restart(name) {
      await reload();
      const server = servers.get(name);
      if (!server) {
        if (invalid.has(name)) throw new VegaError('CONFIG_INVALID', `MCP server "${name}" cannot start: ${invalid.get(name)!.message}`);
        throw new VegaError('NOT_FOUND', `There is no MCP server named "${name}".`);
      }
      if (server.entry.disabled) throw new VegaError('BAD_REQUEST', `MCP server "${name}" is disabled: enable it first.`);
      rm.logger.info({ mcpServer: name }, `MCP server "${name}": restart asked for`);
      await server.reset();
      start(server);
      return status();
    },
    settled: async () => {
      while (starts.size) await Promise.all([...starts]);
    },
  };
}

/** An entry that cannot run: failed, with what is wrong with it. */
function invalidFigures(name: string, raw: unknown, problem: Problem): McpServerFigures {
  const http = typeof raw === 'object' && raw !== null && 'url' in raw;
  return {
    name,
    state: 'failed',
    transport: http ? 'http' : 'stdio',
    pid: null,
    memoryBytes: null,
    cpuPercent: null,
    processes: 0,
    tools: 0,
    calls: 0,
    failures: 0,
    p50Ms: 0,
    restarts: 0,
    lastError: problem.message,
    fix: problem.fix,
  };
}
