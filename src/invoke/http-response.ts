/**
 * Maps a Lambda Invoke API answer (status, headers, body text) to an InvokeResult. Pure.
 *
 * - 2xx without `X-Amz-Function-Error`: success. The payload is the parsed JSON body; an empty body
 *   is `null`; a body that is not JSON is kept as the raw string (Lambda's own responses are JSON,
 *   so this only happens with non-Lambda endpoints; ReportBatchItemFailures treats a string as a
 *   malformed response = full batch failure, which is the safe reading).
 * - 2xx with `X-Amz-Function-Error` (`Unhandled`/`Handled`): function error with the body's
 *   `errorType`/`errorMessage` (Lambda's error payload); when the body lacks them, the header value
 *   and the raw body.
 * - 429 and 503: throttled function error (retry with backoff); other statuses: a function error
 *   with the service's error type (`X-Amzn-ErrorType` or the body's `__type`, else `HTTP <status>`) and message.
 */
import { functionError, success } from './results.js';
import type { InvokeResult } from './runtime.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function field(obj: unknown, ...names: string[]): string | undefined {
  if (obj === null || typeof obj !== 'object') return undefined;
  for (const n of names) {
    const v = (obj as Record<string, unknown>)[n];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

export function mapInvokeResponse(statusCode: number, headers: Headers, body: string, durationMs: number): InvokeResult {
  const fnError = header(headers, 'x-amz-function-error');
  if (statusCode >= 200 && statusCode < 300) {
    if (fnError === undefined) {
      if (body.length === 0) return success(null, durationMs);
      const p = parseJson(body);
      return success(p.ok ? p.value : body, durationMs);
    }
    const p = parseJson(body);
    const doc = p.ok ? p.value : undefined;
    return functionError(field(doc, 'errorType') ?? fnError, field(doc, 'errorMessage') ?? body, durationMs, { statusCode });
  }
  const p = parseJson(body);
  const doc = p.ok ? p.value : undefined;
  const amznType = header(headers, 'x-amzn-errortype')?.split(':')[0];
  const errorType = amznType || field(doc, '__type')?.split('#').pop() || `HTTP ${statusCode}`;
  const errorMessage = field(doc, 'message', 'Message', 'errorMessage') ?? (body.length > 0 ? body : `HTTP ${statusCode}`);
  return functionError(errorType, errorMessage, durationMs, { statusCode, throttled: statusCode === 429 || statusCode === 503 });
}
