import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CALLS, REQUEST_ID, isCallName, type CallName, type CallResult, type Envelope } from '../../src-shared/contract.js';
import { VegaError, toErrorValue } from '../../src-shared/errors.js';
import type { Logger } from '../engine/logger.js';

export interface CallContext {
  /** Follows the call into logs and outbound requests. */
  readonly requestId: string;
  readonly host: 'electron' | 'web';
}

export type Handler<C extends CallName> = (
  params: z.output<(typeof CALLS)[C]['params']>,
  ctx: CallContext,
) => Promise<CallResult<C>> | CallResult<C>;
export type Handlers = { readonly [C in CallName]: Handler<C> };
/** The handlers of one domain: every call whose channel starts with `domain:`. */
export type HandlersOf<D extends string> = Pick<Handlers, Extract<CallName, `${D}:${string}`>>;

/**
 * The one door of the contract, shared by both hosts: the channel must be
 * known, the payload must pass its schema, and whatever is thrown leaves as
 * a `{code, message}` value, never a stack.
 */
export async function dispatchCall(
  handlers: Handlers,
  channel: unknown,
  params: unknown,
  ctx: Omit<CallContext, 'requestId'> & { requestId?: unknown },
  logger?: Logger,
): Promise<Envelope<unknown>> {
  if (!isCallName(channel)) {
    return {
      ok: false,
      error: {
        code: 'UNKNOWN_CHANNEL',
        message: `There is no channel named ${typeof channel === 'string' ? JSON.stringify(channel.slice(0, 64)) : `of type ${typeof channel}`}.`,
      },
    };
  }
  const parsed = CALLS[channel].params.safeParse(params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, error: { code: 'BAD_REQUEST', message: `Invalid ${channel} payload${where}: ${issue?.message ?? 'rejected'}.` } };
  }
  // A client's id is kept only if it is plain: it goes into logs and headers.
  const requestId = REQUEST_ID.safeParse(ctx.requestId).success ? (ctx.requestId as string) : randomUUID();
  const full: CallContext = { host: ctx.host, requestId };
  try {
    const handler = handlers[channel] as Handler<CallName>;
    return { ok: true, value: await handler(parsed.data, full) };
  } catch (err) {
    if (!(err instanceof VegaError)) logger?.error({ err, channel, requestId: full.requestId }, `call ${channel} failed`);
    return { ok: false, error: toErrorValue(err) };
  }
}
