import { z } from 'zod';
import { VegaError } from '../../src-shared/errors.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import { joinUrl, parseJson } from '../engine/outbound/index.js';
import { deadline, retryAfterSeconds, send, sleep as realSleep, statusError, type ServiceInfo } from './http.js';
import { CallStats } from './stats.js';
import { defineTool } from './tool.js';
import type { Integration, ToolContext } from './types.js';

const SERVICE: ServiceInfo = { name: 'Slack' };
export const SLACK_API_URL = 'https://slack.com/api/';
/** A 429 asking for at most this long is waited out once; longer, the person is told. */
const MAX_RETRY_WAIT_S = 5;
const MAX_CHANNELS = 200;

export interface SlackOptions {
  /** Web API base (tests): default https://slack.com/api/. */
  readonly apiUrl?: string;
  /** The Retry-After wait (tests record it instead of waiting). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface SlackReply {
  ok?: boolean;
  error?: string;
  needed?: string;
  [k: string]: unknown;
}

/** Slack's `ok: false` error codes, in words a person can act on. */
const SLACK_ERRORS: Record<string, string> = {
  not_in_channel: 'The Vega bot is not a member of that channel: invite it there first (/invite @your-bot).',
  channel_not_found: 'Slack has no channel by that name or id that the bot can see (private channels need the bot invited).',
  invalid_auth: 'Slack refused the bot token: check SLACK_BOT_TOKEN (it starts with xoxb-).',
  not_authed: 'Slack got no token: set SLACK_BOT_TOKEN.',
  account_inactive: 'The Slack bot token belongs to a deactivated app or user: reinstall the app and update SLACK_BOT_TOKEN.',
  token_revoked: 'The Slack bot token was revoked: reinstall the app and update SLACK_BOT_TOKEN.',
  token_expired: 'The Slack bot token has expired: update SLACK_BOT_TOKEN.',
  is_archived: 'That Slack channel is archived; nothing can be posted there.',
  msg_too_long: 'The message is too long for Slack; shorten it.',
  no_text: 'The message is empty.',
  restricted_action: 'The workspace does not let the bot post in that channel.',
  cannot_reply_to_message: 'Slack does not allow a reply to that message.',
  ratelimited: 'Slack is limiting how often Vega may post; try again in a minute.',
  team_access_not_granted: 'The bot token is not allowed in that workspace.',
};

export function slackErrorMessage(reply: SlackReply): string {
  const code = reply.error ?? 'unknown_error';
  if (code === 'missing_scope') {
    return `The Slack app lacks a permission${reply.needed ? ` (needs ${reply.needed})` : ''}: add it under OAuth & Permissions, reinstall the app, and update SLACK_BOT_TOKEN.`;
  }
  return SLACK_ERRORS[code] ?? `Slack refused the request ("${code}").`;
}

/** Slack's Web API with the bot token: list channels, post a message. */
export function createSlack(rm: ResourceManager, opts: SlackOptions = {}): Integration {
  const stats = new CallStats('slack');
  const base = new URL(opts.apiUrl ?? SLACK_API_URL);
  const sleep = opts.sleep ?? realSleep;

  async function api(
    method: 'GET' | 'POST',
    name: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
    requestId?: string,
  ): Promise<SlackReply> {
    const token = (await rm.config.get()).string('SLACK_BOT_TOKEN');
    if (!token)
      throw new VegaError(
        'CONFIG_INVALID',
        'Slack is not set up: set SLACK_BOT_TOKEN (the bot token of your Slack app, xoxb-…) in Settings.',
      );
    const url = joinUrl(base, name);
    if (method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (method === 'POST') headers['content-type'] = 'application/json; charset=utf-8';
    // A 429 means Slack did not act on the call, so repeating it (even a post) is safe.
    for (let attempt = 0; attempt < 2; attempt++) {
      const reply = await send(rm, SERVICE, {
        method,
        url,
        signal,
        requestId,
        headers,
        body: method === 'POST' ? JSON.stringify(params) : undefined,
      });
      stats.noteHttpStatus(reply.status);
      if (reply.status === 429) {
        const after = retryAfterSeconds(reply.headers);
        if (attempt === 0 && after !== undefined && after <= MAX_RETRY_WAIT_S) {
          await sleep(after * 1000, signal);
          continue;
        }
        const when = after === undefined ? 'in a minute' : `in ${after} s`;
        throw new VegaError('PROVIDER_ERROR', `Slack is limiting how often Vega may call ${name}; try again ${when}.`);
      }
      if (reply.status !== 200) throw statusError(SERVICE, reply, reply.text().slice(0, 200), 'Check SLACK_BOT_TOKEN.');
      const data = parseJson<SlackReply>(reply, SERVICE);
      if (data.ok !== true) throw new VegaError(slackCode(data.error), slackErrorMessage(data));
      return data;
    }
    throw new VegaError('PROVIDER_ERROR', `Slack kept limiting ${name}.`);
  }

  async function listChannels(limit: number, ctx: Partial<ToolContext> = {}): Promise<string> {
    const data = await api(
      'GET',
      'conversations.list',
      { limit, exclude_archived: true, types: 'public_channel,private_channel' },
      deadline(rm, ctx.signal),
      ctx.requestId,
    );
    const channels = Array.isArray(data.channels) ? (data.channels as Channel[]) : [];
    if (channels.length === 0) return 'The bot sees no channels.';
    return channels
      .map((c) => {
        const facts = [
          c.is_private ? 'private' : 'public',
          c.is_member ? 'bot is a member' : 'bot not a member',
          c.num_members !== undefined ? `${c.num_members} members` : null,
        ]
          .filter(Boolean)
          .join(', ');
        const topic = c.topic?.value || c.purpose?.value;
        return `#${c.name} (${c.id}; ${facts})${topic ? ` — ${topic.slice(0, 120)}` : ''}`;
      })
      .join('\n');
  }

  async function post(channel: string, text: string, ctx: Partial<ToolContext> = {}): Promise<string> {
    const data = await api('POST', 'chat.postMessage', { channel, text }, deadline(rm, ctx.signal), ctx.requestId);
    return `Posted to ${channel} (channel ${typeof data.channel === 'string' ? data.channel : '?'}, message ${typeof data.ts === 'string' ? data.ts : '?'}).`;
  }

  const tools = [
    defineTool({
      name: 'slack_list_channels',
      description: 'List the Slack channels the bot can see, with their ids and whether the bot is a member.',
      schema: z.object({ limit: z.coerce.number().int().min(1).max(MAX_CHANNELS).optional().describe('How many channels (default 100).') }),
      run: ({ limit }, ctx) => stats.track(() => listChannels(limit ?? 100, ctx)),
    }),
    defineTool({
      name: 'slack_post_message',
      description: 'Post a message to a Slack channel (by id like C0123 or name like #general). The user confirms before it is sent.',
      stateChanging: true,
      schema: z.object({
        channel: z.string().min(1).max(100).describe('Channel id or #name.'),
        text: z.string().min(1).max(40_000).describe('The message (Slack mrkdwn).'),
      }),
      run: ({ channel, text }, ctx) => stats.track(() => post(channel, text, ctx)),
    }),
  ];

  return {
    id: 'slack',
    tools,
    configured: async () => (await rm.config.get()).has('SLACK_BOT_TOKEN'),
    probe: async (signal) => {
      await api('POST', 'auth.test', {}, signal);
    },
    stats: () => stats.snapshot(),
  };
}

interface Channel {
  id?: string;
  name?: string;
  is_private?: boolean;
  is_member?: boolean;
  num_members?: number;
  topic?: { value?: string };
  purpose?: { value?: string };
}

function slackCode(error: string | undefined): 'UNAUTHORIZED' | 'NOT_FOUND' | 'PROVIDER_ERROR' {
  if (
    error &&
    [
      'invalid_auth',
      'not_authed',
      'account_inactive',
      'token_revoked',
      'token_expired',
      'missing_scope',
      'not_in_channel',
      'restricted_action',
      'team_access_not_granted',
    ].includes(error)
  )
    return 'UNAUTHORIZED';
  if (error === 'channel_not_found') return 'NOT_FOUND';
  return 'PROVIDER_ERROR';
}
