import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { modelNameProblem, pullFinished, sameModel, type PullProgress } from '../../src-shared/models.js';
import { VegaError } from '../../src-shared/errors.js';
import type { VegaApp } from '../app/create-app.js';
import { HttpError, readJsonBody } from './http-util.js';

/** Ollama's own body for a pull: `{"model": "llama3.2"}`. */
const PullRequest = z.strictObject({ model: z.string().max(300) });

/** A pull's state as the admin API writes it: snake_case, one line each. */
function pullLine(p: PullProgress): Record<string, unknown> {
  return {
    model: p.name,
    state: p.state,
    status: p.status,
    completed: p.completed,
    total: p.total,
    percent: p.total > 0 ? Math.round((Math.min(p.completed, p.total) / p.total) * 1000) / 10 : p.state === 'done' ? 100 : 0,
    bytes_per_second: p.bytesPerSecond,
    seconds_left: p.secondsLeft,
    error: p.error,
    done: pullFinished(p.state),
  };
}

/**
 * POST /admin/models/pull → NDJSON: the pull's state as the window sees it
 * (at most ten lines a second), the last with `"done": true` and, when it
 * failed, its `error`. The pull joins the same queue as the window's; a
 * client that hangs up leaves it running.
 */
export async function handlePullRoute(app: VegaApp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parsed = PullRequest.safeParse(await readJsonBody(req));
  if (!parsed.success) throw new HttpError(400, 'BAD_REQUEST', 'The body is {"model": "<name>"}, e.g. {"model": "llama3.2:1b"}.');
  const name = parsed.data.model;
  const problem = modelNameProblem(name);
  if (problem) throw new HttpError(400, 'BAD_REQUEST', problem);

  let sent = false;
  const write = (p: PullProgress): void => {
    sent = true;
    if (res.writableEnded || res.destroyed) return;
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
    res.write(`${JSON.stringify(pullLine(p))}\n`);
    if (pullFinished(p.state)) {
      off();
      res.end();
    }
  };
  // Listening before queueing: the pull's first state is not missed.
  const off = app.events.on('models:progress', (p) => {
    if (sameModel(p.name, name)) write(p);
  });
  res.on('close', off);
  let first: PullProgress;
  try {
    first = app.models.pulls.pull(name);
  } catch (err) {
    off();
    if (err instanceof VegaError) throw new HttpError(503, err.code, err.message);
    throw err;
  }
  // Joining a pull already under way: its state now, not at its next change.
  if (!sent) write(first);
}
