import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { VegaError } from '../../src-shared/errors.js';
import type { ResourceManager } from '../engine/resource-manager.js';
import { errorField, header, joinUrl, parseJson, type Reply } from '../engine/outbound/index.js';
import { deadline, retryAfterSeconds, send, statusError, type ServiceInfo } from './http.js';
import { CallStats } from './stats.js';
import { defineTool } from './tool.js';
import type { Integration, RateLimitInfo, ToolContext } from './types.js';

const SERVICE: ServiceInfo = { name: 'GitHub' };
export const GITHUB_API_URL = 'https://api.github.com/';
const MAX_BODY_CHARS = 6_000;
const MAX_COMMENT_CHARS = 1_500;
const MAX_COMMENTS = 30;
// GitHub names: letters, digits, '-', '_', '.'; '.' and '..' alone would move the URL path.
const NAME = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/)
  .refine((s) => s !== '.' && s !== '..', 'not a name');

export interface GitHubOptions {
  /** API base (tests, GitHub Enterprise): default https://api.github.com/. */
  readonly apiUrl?: string;
  /** A token from "Sign in with GitHub", used when GITHUB_TOKEN is unset. */
  readonly signedInToken?: (signal?: AbortSignal) => Promise<string | undefined>;
}

/**
 * GitHub's REST API: search repositories and issues, read an issue with its
 * comments. The token rides in each request's header on the shared pool
 * (no client of its own); the rate-limit headers of every answer go to stats.
 */
export function createGitHub(rm: ResourceManager, opts: GitHubOptions = {}): Integration {
  const stats = new CallStats('github');
  const base = new URL(opts.apiUrl ?? GITHUB_API_URL);

  async function get(path: string, params: Record<string, string>, signal: AbortSignal, requestId?: string): Promise<Reply> {
    const token = (await rm.config.get()).string('GITHUB_TOKEN') || (await opts.signedInToken?.(signal));
    const url = joinUrl(base, path);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const reply = await send(rm, SERVICE, {
      url,
      signal,
      requestId,
      headers: {
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'Vega-desktop-assistant',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    stats.noteHttpStatus(reply.status);
    const rate = rateLimitOf(reply.headers);
    if (rate) stats.noteRateLimit(rate);
    if (reply.status >= 400) throw failure(reply, rate, Boolean(token));
    return reply;
  }

  async function searchRepos(query: string, limit: number, ctx: Partial<ToolContext> = {}): Promise<string> {
    const data = parseJson<{ total_count?: number; items?: Repo[] }>(
      await get('search/repositories', { q: query, per_page: String(limit) }, deadline(rm, ctx.signal), ctx.requestId),
      SERVICE,
    );
    const items = Array.isArray(data.items) ? data.items : [];
    if (items.length === 0) return `No repositories match "${query}".`;
    const lines = items.map((r) => {
      const facts = [r.language, `★ ${r.stargazers_count ?? 0}`, r.updated_at ? `updated ${r.updated_at.slice(0, 10)}` : null]
        .filter(Boolean)
        .join(', ');
      return `${r.full_name} (${facts})\n   ${r.html_url}${r.description ? `\n   ${r.description}` : ''}`;
    });
    return `${data.total_count ?? items.length} repositories; the first ${items.length}:\n${lines.join('\n')}`;
  }

  async function searchIssues(query: string, limit: number, ctx: Partial<ToolContext> = {}): Promise<string> {
    const data = parseJson<{ total_count?: number; items?: Issue[] }>(
      await get('search/issues', { q: query, per_page: String(limit) }, deadline(rm, ctx.signal), ctx.requestId),
      SERVICE,
    );
    const items = Array.isArray(data.items) ? data.items : [];
    if (items.length === 0) return `No issues or pull requests match "${query}".`;
    const lines = items.map((i) => {
      const repo = i.repository_url?.split('/').slice(-2).join('/') ?? '?';
      const kind = i.pull_request ? 'PR' : 'issue';
      return `${repo}#${i.number} [${kind}, ${i.state}] ${i.title} — ${i.user?.login ?? '?'}, ${i.comments ?? 0} comments\n   ${i.html_url}`;
    });
    return `${data.total_count ?? items.length} results; the first ${items.length}:\n${lines.join('\n')}`;
  }

  async function readIssue(owner: string, repo: string, number: number, ctx: Partial<ToolContext> = {}): Promise<string> {
    const sig = deadline(rm, ctx.signal);
    const path = `repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/issues/${number}`;
    const issue = parseJson<Issue & { body?: string | null; created_at?: string; labels?: { name?: string }[] }>(
      await get(path, {}, sig, ctx.requestId),
      SERVICE,
    );
    const comments = issue.comments
      ? parseJson<Comment[]>(await get(`${path}/comments`, { per_page: String(MAX_COMMENTS) }, sig, ctx.requestId), SERVICE)
      : [];
    const labels = (issue.labels ?? [])
      .map((l) => l.name)
      .filter(Boolean)
      .join(', ');
    const head = [
      `${owner}/${repo}#${number}: ${issue.title} [${issue.pull_request ? 'PR' : 'issue'}, ${issue.state}]`,
      `by ${issue.user?.login ?? '?'} on ${issue.created_at?.slice(0, 10) ?? '?'}${labels ? `; labels: ${labels}` : ''}`,
      issue.html_url,
      '',
      cut(issue.body ?? '(no description)', MAX_BODY_CHARS),
    ];
    const list = Array.isArray(comments) ? comments : [];
    const more = (issue.comments ?? 0) > list.length ? `\n(${(issue.comments ?? 0) - list.length} later comments not shown)` : '';
    const shown = list.map(
      (c) => `--- ${c.user?.login ?? '?'} on ${c.created_at?.slice(0, 10) ?? '?'}:\n${cut(c.body ?? '', MAX_COMMENT_CHARS)}`,
    );
    return [...head, ...(shown.length ? ['', `${issue.comments} comments:`, ...shown] : [])].join('\n') + more;
  }

  const limit = z.coerce.number().int().min(1).max(20).optional().describe('How many results (default 5).');
  const tools = [
    defineTool({
      name: 'github_search_repositories',
      description: 'Search GitHub repositories (GitHub search syntax, e.g. "vector database language:rust stars:>100").',
      schema: z.object({ query: z.string().min(1).max(256).describe('The search query.'), limit }),
      run: ({ query, limit }, ctx) => stats.track(() => searchRepos(query, limit ?? 5, ctx)),
    }),
    defineTool({
      name: 'github_search_issues',
      description: 'Search GitHub issues and pull requests (e.g. "repo:nodejs/undici is:issue is:open timeout").',
      schema: z.object({ query: z.string().min(1).max(256).describe('The search query.'), limit }),
      run: ({ query, limit }, ctx) => stats.track(() => searchIssues(query, limit ?? 5, ctx)),
    }),
    defineTool({
      name: 'github_read_issue',
      description: 'Read a GitHub issue or pull request with its comments.',
      schema: z.object({
        owner: NAME.describe('Repository owner, e.g. "nodejs".'),
        repo: NAME.describe('Repository name, e.g. "undici".'),
        number: z.coerce.number().int().min(1).describe('Issue or PR number.'),
      }),
      run: ({ owner, repo, number }, ctx) => stats.track(() => readIssue(owner, repo, number, ctx)),
    }),
  ];

  return {
    id: 'github',
    tools,
    // Anonymous access works (with a low rate limit): GitHub is always usable.
    configured: async () => true,
    // /rate_limit does not count against the limit, and refreshes the numbers shown.
    probe: async (signal) => {
      await get('rate_limit', {}, signal);
    },
    // Anonymous use is the model's choice in a chat; the dashboard alone does
    // not call GitHub until a token is set or the person has signed in.
    shouldProbe: async () => (await rm.config.get()).has('GITHUB_TOKEN') || Boolean(await opts.signedInToken?.(AbortSignal.timeout(2_000))),
    stats: () => stats.snapshot(),
  };
}

interface Repo {
  full_name?: string;
  html_url?: string;
  description?: string | null;
  language?: string | null;
  stargazers_count?: number;
  updated_at?: string;
}

interface Issue {
  number?: number;
  title?: string;
  state?: string;
  html_url?: string;
  repository_url?: string;
  comments?: number;
  user?: { login?: string };
  pull_request?: unknown;
}

interface Comment {
  user?: { login?: string };
  created_at?: string;
  body?: string | null;
}

export function rateLimitOf(headers: IncomingHttpHeaders): RateLimitInfo | undefined {
  const remaining = header(headers, 'x-ratelimit-remaining');
  if (remaining === undefined) return undefined;
  const num = (v: string | undefined): number | null => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
  const reset = num(header(headers, 'x-ratelimit-reset'));
  return {
    limit: num(header(headers, 'x-ratelimit-limit')),
    remaining: num(remaining),
    resetAt: reset === null ? null : new Date(reset * 1000).toISOString(),
    resource: header(headers, 'x-ratelimit-resource') ?? null,
  };
}

function failure(reply: Reply, rate: RateLimitInfo | undefined, withToken: boolean): VegaError {
  const message = errorField(reply.text());
  const s = reply.status;
  const retryAfter = retryAfterSeconds(reply.headers);
  if ((s === 403 || s === 429) && rate?.remaining === 0) {
    const when = rate.resetAt ? `it resets at ${rate.resetAt} (in ${minutesUntil(rate.resetAt)} min)` : 'it resets within the hour';
    const more = withToken ? '' : ' Set GITHUB_TOKEN or sign in with GitHub for a higher limit.';
    const bucket = rate.resource && rate.resource !== 'core' ? ` for ${rate.resource}` : '';
    return new VegaError('PROVIDER_ERROR', `GitHub's rate limit${bucket} is used up (${rate.limit ?? '?'} requests); ${when}.${more}`);
  }
  if (s === 429 || (s === 403 && (retryAfter !== undefined || /rate limit/i.test(message)))) {
    const when = retryAfter !== undefined ? `try again in ${retryAfter} s` : 'wait a minute and try again';
    return new VegaError('PROVIDER_ERROR', `GitHub asks Vega to slow down (secondary rate limit); ${when}.`);
  }
  if (s === 401) return new VegaError('UNAUTHORIZED', 'GitHub refused the token (401): check GITHUB_TOKEN, or sign in with GitHub again.');
  if (s === 404)
    return new VegaError(
      'NOT_FOUND',
      `GitHub found nothing there (404)${withToken ? '' : '; if it is private, set GITHUB_TOKEN or sign in with GitHub'}.`,
    );
  if (s === 422) return new VegaError('BAD_REQUEST', `GitHub could not run that query: ${message}.`);
  return statusError(SERVICE, reply, message);
}

function minutesUntil(iso: string): number {
  return Math.max(0, Math.ceil((Date.parse(iso) - Date.now()) / 60_000));
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)} […]` : text;
}
