import type { ServerResponse } from 'node:http';
import { toErrorValue, type ErrorCode } from '../../../src-shared/errors.js';
import { HttpError, sendJson } from '../http-util.js';

/** An HttpError that also names the field of the request it is about (OpenAI's `param`). */
export class ApiError extends HttpError {
  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    readonly param: string | null = null,
  ) {
    super(status, code, message);
  }
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  MODEL_NOT_FOUND: 404,
  CONFIG_INVALID: 503,
  PROVIDER_UNREACHABLE: 503,
  SHUTTING_DOWN: 503,
  PROVIDER_ERROR: 502,
  TIMEOUT: 504,
};

/** Vega's codes in the words OpenAI's clients know (`error.code`). */
const API_CODE: Partial<Record<ErrorCode, string>> = {
  UNAUTHORIZED: 'invalid_api_key',
  MODEL_NOT_FOUND: 'model_not_found',
  NOT_FOUND: 'unknown_url',
  PROVIDER_UNREACHABLE: 'service_unavailable',
  CONFIG_INVALID: 'service_unavailable',
  SHUTTING_DOWN: 'service_unavailable',
};

/** Any failure of a call as the status and code it is answered with; the model's name is the param of a missing model. */
export function asApiError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const v = toErrorValue(err);
  return new ApiError(STATUS[v.code] ?? 500, v.code, v.message, v.code === 'MODEL_NOT_FOUND' ? 'model' : null);
}

/** OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`. */
export function apiErrorBody(
  err: HttpError,
  message: string,
): { error: { message: string; type: string; param: string | null; code: string | null } } {
  const type = err.status >= 500 ? 'server_error' : err.status === 429 ? 'rate_limit_error' : 'invalid_request_error';
  return {
    error: { message, type, param: err instanceof ApiError ? err.param : null, code: API_CODE[err.code] ?? err.code.toLowerCase() },
  };
}

export function sendApiError(res: ServerResponse, err: HttpError, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, apiErrorBody(err, message));
}
