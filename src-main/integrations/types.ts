import type { ProviderHealth } from '../../src-shared/chat.js';
import type { IntegrationStatsValue, RateLimitValue } from '../../src-shared/contract.js';

/** The integrations Vega has; the ids name them in health, stats and logs. */
export type IntegrationId = 'web-fetch' | 'web-search' | 'home-assistant' | 'github' | 'slack' | 'sso';

export interface ToolContext {
  readonly signal: AbortSignal;
  readonly requestId: string;
}

/**
 * A tool the model may call. Same shape as the chat's ToolRegistry entry;
 * `args` is whatever the model sent, so every tool validates it itself.
 */
export interface IntegrationTool {
  readonly name: string;
  readonly description: string;
  /** JSON schema of the arguments. */
  readonly parameters: Record<string, unknown>;
  /** True when running it changes something in the world: the chat asks the person first. */
  readonly stateChanging: boolean;
  /** The URL the call would send a request to, when the model chooses it: the chat may ask before data goes out. */
  sendsTo?(args: unknown): string | undefined;
  run(args: unknown, ctx: ToolContext): Promise<string>;
}

export type RateLimitInfo = RateLimitValue;

/**
 * Per integration, since start. A call is one tool run or sign-in step, however many requests it
 * took (redirects, a 429 retry, an issue's comments).
 */
export interface IntegrationStats extends IntegrationStatsValue {
  readonly id: IntegrationId;
}

/** One integration: its tools, a bounded health probe and its counters. */
export interface Integration {
  readonly id: IntegrationId;
  readonly tools: readonly IntegrationTool[];
  /** Whether the settings it needs are present (cheap, no request). */
  configured(): Promise<boolean>;
  /**
   * A cheap request that shows the service answers; must honour `signal` (the caller bounds it to
   * 2 s either way). Absent: nothing to probe.
   */
  probe?(signal: AbortSignal): Promise<void>;
  /** Whether to probe now; absent means always. Vega contacts no service the person has not set up. */
  shouldProbe?(): Promise<boolean>;
  stats(): IntegrationStats;
}

export type { ProviderHealth };
