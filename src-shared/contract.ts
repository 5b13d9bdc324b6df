import { z } from 'zod';
import {
  ID,
  MAX_MESSAGE_CHARS,
  MESSAGE_PAGE_MAX,
  PROVIDERS,
  type ChatEvent,
  type ChatMessage,
  type Conversation,
  type ConversationPage,
  type ConversationSummary,
  type LoadedModel,
  type ModelInfo,
  type ProviderHealth,
} from './chat.js';
import { AttachmentAddParams, AttachmentGetParams, AttachmentIds, type AttachmentAddResult, type AttachmentFile } from './attachments.js';
import type { ConfigAppliesAt, ConfigKind, ConfigKey } from './config-keys.js';
import type { VegaErrorValue } from './errors.js';
import { REQUEST_ID_PATTERN } from './limits.js';
import { McpRestartParams, McpSaveParams, type McpSaveResult, type McpStatus } from './mcp.js';
import type { HealthReport, RecentRequest, ResourceSnapshot, ResourceSnapshotWire } from './resources.js';
import {
  CONTEXT_OVERFLOW,
  MODEL_NAME_MAX,
  NUM_CTX_MAX,
  NUM_CTX_MIN,
  modelNameProblem,
  type ConnectionTest,
  type ModelDetails,
  type ProviderModels,
  type PullProgress,
  type SetupStatus,
} from './models.js';
import { CALL_NAMES, EVENT_NAMES, isCallName, isEventName, type CallName, type EventName } from './channels.js';

export { CALL_NAMES, EVENT_NAMES, isCallName, isEventName, type CallName, type EventName };

/**
 * Every call (renderer → main, answered once) and every event (main →
 * renderer, pushed) is named here once, with its runtime schema. Payload
 * schemas are strict: unknown keys (including `__proto__`) are refused.
 */

const provider = z.enum(PROVIDERS);
export const REQUEST_ID = z.string().regex(REQUEST_ID_PATTERN);
const text = z.string().min(1).max(MAX_MESSAGE_CHARS);
const short = z.string().max(200);
/** Ollama's name grammar (no spaces, no `../`); the issue says how to write a right one. */
const modelName = z
  .string()
  .max(MODEL_NAME_MAX)
  .superRefine((name, ctx) => {
    const problem = modelNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
/** A conversation's `num_ctx` for Ollama; `resetNumCtx: true` goes back to the model's default. */
const numCtx = z.number().int().min(NUM_CTX_MIN).max(NUM_CTX_MAX);

export interface ConfigEntry {
  readonly key: ConfigKey;
  readonly kind: ConfigKind;
  readonly description: string;
  readonly default: string;
  /** Secrets are never sent: value is '' and `set` says whether one is stored. */
  readonly value: string;
  readonly set: boolean;
  readonly secret: boolean;
  readonly source: 'env' | 'file' | 'default';
  readonly appliesAt: ConfigAppliesAt;
}

export interface ConfigSetResult {
  readonly saved: boolean;
  /** Per key, what is wrong with the value given. */
  readonly errors: Readonly<Record<string, string>>;
}

export interface AppInfo {
  readonly version: string;
  readonly host: 'electron' | 'web';
  readonly dataDir: string;
  readonly platform: string;
}

/** The host's answer to a restart request: Electron relaunches itself; the web host cannot. */
export interface RestartResult {
  readonly restarting: boolean;
  /** What the window tells the person (for the web host: restart the command). */
  readonly message: string;
}

export const SSO_PROVIDERS = ['oidc', 'github'] as const;
export type SsoProviderId = (typeof SSO_PROVIDERS)[number];

/** Where sign-in tokens are kept: the OS key store (Electron's safeStorage), or a file only the user can read. */
export type TokenStorage = 'keychain' | 'file';

/** What the window may know about a sign-in: never a token. */
export interface SsoStatusValue {
  readonly provider: SsoProviderId;
  readonly configured: boolean;
  readonly signedIn: boolean;
  readonly expiresAt: string | null;
  readonly scope: string | null;
  readonly pending: boolean;
  readonly tokenStorage: TokenStorage;
}

/** The code to show the person, and where they enter it. */
export interface DeviceCodeValue {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete?: string;
  readonly expiresIn: number;
  readonly interval: number;
}

/** Per integration since start: the dashboard's traffic figures for each. */
export interface IntegrationStatsValue {
  readonly id: string;
  readonly calls: number;
  readonly failures: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number };
  readonly lastStatus: 'ok' | 'error' | null;
  readonly lastHttpStatus: number | null;
  readonly lastError: string | null;
  readonly lastCallAt: string | null;
  /** GitHub only: the rate-limit headers of the last response. */
  readonly rateLimit?: RateLimitValue;
}

export interface RateLimitValue {
  readonly limit: number | null;
  readonly remaining: number | null;
  /** ISO 8601: when the quota is refilled. */
  readonly resetAt: string | null;
  /** GitHub's bucket the numbers belong to ('core', 'search', …). */
  readonly resource: string | null;
}

export interface ProvidersReport {
  /** LLM providers, then integrations. */
  readonly providers: readonly ProviderHealth[];
  readonly loadedModels: readonly LoadedModel[];
  readonly integrations?: readonly IntegrationStatsValue[];
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export interface LogLine {
  readonly level: (typeof LOG_LEVELS)[number];
  /** Epoch ms. */
  readonly time: number;
  readonly msg: string;
  readonly requestId: string | null;
  readonly fields: Readonly<Record<string, unknown>>;
}

const logQuery = z.strictObject({
  level: z.enum(LOG_LEVELS).optional(),
  requestId: REQUEST_ID.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});
export type LogQuery = z.input<typeof logQuery>;

/**
 * Settings to save. Checked on the raw object, not through z.record, which
 * would quietly drop a `__proto__` key: a bad key refuses the whole call.
 */
const envValues = z.custom<Record<string, string>>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.keys(v).length <= 64 &&
    Object.entries(v).every(([k, x]) => /^[A-Z][A-Z0-9_]{0,63}$/.test(k) && typeof x === 'string' && x.length <= 4096),
  'values must be at most 64 KEY: "value" pairs (upper-case keys, values up to 4096 characters)',
);

/** The request schema and (type-only) result of each call. */
/* eslint-disable @typescript-eslint/no-unnecessary-type-assertion --
   `null as unknown as T` carries each result's type; the rule takes it as needless because `satisfies` types the receiver unknown */
export const CALLS = {
  'chat:list': { params: z.strictObject({ query: short.optional() }), result: null as unknown as readonly ConversationSummary[] },
  'chat:get': {
    // Without a limit, every message; the window asks for pages, newest first, so a long conversation opens at once.
    params: z.strictObject({ conversationId: ID, before: ID.optional(), limit: z.number().int().min(1).max(MESSAGE_PAGE_MAX).optional() }),
    result: null as unknown as ConversationPage,
  },
  'chat:create': {
    params: z.strictObject({
      title: short.optional(),
      model: short.optional(),
      provider: provider.optional(),
      systemPrompt: z.string().max(20_000).optional(),
    }),
    result: null as unknown as ConversationSummary,
  },
  'chat:update': {
    params: z.strictObject({
      conversationId: ID,
      title: short.min(1).optional(),
      model: short.min(1).optional(),
      provider: provider.optional(),
      systemPrompt: z.string().max(20_000).optional(),
      numCtx: numCtx.optional(),
      resetNumCtx: z.literal(true).optional(),
      overflow: z.enum(CONTEXT_OVERFLOW).optional(),
    }),
    result: null as unknown as ConversationSummary,
  },
  'chat:delete': { params: z.strictObject({ conversationId: ID }), result: null as unknown as { deleted: boolean } },
  'chat:send': {
    params: z
      .strictObject({
        conversationId: ID,
        // A picture or a document may be the whole message.
        text: z.string().max(MAX_MESSAGE_CHARS),
        /** Ids from `attachments:add`. */
        attachments: AttachmentIds.optional(),
        /** Cut the documents to fit the context window (after an `attachments_exceed_context`). */
        includeFirstPart: z.boolean().optional(),
      })
      .refine((p) => p.text.trim() !== '' || (p.attachments?.length ?? 0) > 0, {
        message: 'A message needs text or at least one attachment.',
        path: ['text'],
      }),
    result: null as unknown as { messageId: string },
  },
  'chat:stop': { params: z.strictObject({ conversationId: ID }), result: null as unknown as { stopped: boolean } },
  'chat:regenerate': { params: z.strictObject({ conversationId: ID }), result: null as unknown as { messageId: string } },
  'chat:edit': { params: z.strictObject({ conversationId: ID, messageId: ID, text }), result: null as unknown as { messageId: string } },
  'chat:confirmTool': {
    params: z.strictObject({ conversationId: ID, callId: ID, approve: z.boolean() }),
    result: null as unknown as { ok: boolean },
  },
  'chat:export': {
    params: z.strictObject({ conversationId: ID, format: z.enum(['markdown', 'json']) }),
    result: null as unknown as { filename: string; content: string },
  },
  'chat:models': { params: z.strictObject({ provider }), result: null as unknown as readonly ModelInfo[] },
  'resources:snapshot': { params: z.strictObject({}), result: null as unknown as ResourceSnapshot },
  'resources:health': { params: z.strictObject({}), result: null as unknown as HealthReport },
  'resources:requests': {
    params: z.strictObject({ limit: z.number().int().min(1).max(500).optional() }),
    result: null as unknown as readonly RecentRequest[],
  },
  'resources:providers': { params: z.strictObject({}), result: null as unknown as ProvidersReport },
  'resources:invalidateCache': { params: z.strictObject({}), result: null as unknown as { invalidated: true } },
  'config:get': { params: z.strictObject({}), result: null as unknown as readonly ConfigEntry[] },
  'config:set': {
    params: z.strictObject({ values: envValues }),
    result: null as unknown as ConfigSetResult,
  },
  'app:info': { params: z.strictObject({}), result: null as unknown as AppInfo },
  'app:logs': { params: logQuery, result: null as unknown as readonly LogLine[] },
  'app:exportDiagnostics': { params: z.strictObject({}), result: null as unknown as { path: string } },
  'app:restart': { params: z.strictObject({}), result: null as unknown as RestartResult },
  'sso:status': { params: z.strictObject({}), result: null as unknown as readonly SsoStatusValue[] },
  'sso:start': { params: z.strictObject({ provider: z.enum(SSO_PROVIDERS) }), result: null as unknown as DeviceCodeValue },
  'sso:cancel': { params: z.strictObject({ provider: z.enum(SSO_PROVIDERS) }), result: null as unknown as { cancelled: true } },
  'sso:signOut': { params: z.strictObject({ provider: z.enum(SSO_PROVIDERS) }), result: null as unknown as { signedOut: true } },
  'mcp:list': { params: z.strictObject({}), result: null as unknown as McpStatus },
  'mcp:save': { params: McpSaveParams, result: null as unknown as McpSaveResult },
  'mcp:restart': { params: McpRestartParams, result: null as unknown as McpStatus },
  'models:list': { params: z.strictObject({}), result: null as unknown as readonly ProviderModels[] },
  'models:show': { params: z.strictObject({ name: modelName }), result: null as unknown as ModelDetails },
  'models:pulls': { params: z.strictObject({}), result: null as unknown as readonly PullProgress[] },
  'models:pull': { params: z.strictObject({ name: modelName }), result: null as unknown as PullProgress },
  'models:cancelPull': { params: z.strictObject({ name: modelName }), result: null as unknown as { cancelled: boolean } },
  'models:delete': { params: z.strictObject({ name: modelName }), result: null as unknown as { deleted: true } },
  'models:load': { params: z.strictObject({ name: modelName }), result: null as unknown as { loaded: true } },
  'models:unload': { params: z.strictObject({ name: modelName }), result: null as unknown as { unloaded: true } },
  'setup:status': { params: z.strictObject({}), result: null as unknown as SetupStatus },
  'setup:testConnection': {
    params: z.strictObject({ url: z.string().min(1).max(2048), apiKey: z.string().max(4096).optional() }),
    result: null as unknown as ConnectionTest,
  },
  'attachments:add': { params: AttachmentAddParams, result: null as unknown as AttachmentAddResult },
  'attachments:get': { params: AttachmentGetParams, result: null as unknown as AttachmentFile },
} as const satisfies { readonly [C in CallName]: { readonly params: z.ZodType; readonly result: unknown } };
/* eslint-enable @typescript-eslint/no-unnecessary-type-assertion */

export type CallParams<C extends CallName> = z.input<(typeof CALLS)[C]['params']>;
export type CallResult<C extends CallName> = (typeof CALLS)[C]['result'];

/** Events pushed from main. */
export interface EventPayloads {
  'chat:event': ChatEvent;
  'resources:snapshot': ResourceSnapshotWire;
  /** A pull's state: at most one every 100 ms per pull, and always its last. */
  'models:progress': PullProgress;
}
// Every event name has a payload type, and no payload lacks a name.
type _EventsInStep = [EventName] extends [keyof EventPayloads] ? ([keyof EventPayloads] extends [EventName] ? true : never) : never;
export const EVENTS_IN_STEP: _EventsInStep = true;

/** What crosses the wire for a call's answer (IPC return value, WebSocket reply). */
export type Envelope<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: VegaErrorValue };

export type { ChatEvent, ChatMessage, Conversation, ConversationSummary, ModelInfo, LoadedModel, ProviderHealth };
