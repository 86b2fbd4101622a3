import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, SluiceError } from '../core/errors.js';

/** Largest request body accepted (AWS caps API request payloads; sluice uses 256 KiB). */
export const MAX_BODY_BYTES = 256 * 1024;

/** Reads the whole body up to `limit` bytes; a larger body is a 413 RequestTooLargeException. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const tooLarge = (): ApiError => new ApiError('RequestTooLargeException', 413, `Request must be smaller than ${limit} bytes for this operation`);
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
      failed = true;
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  });
  res.end(text);
}

/**
 * An error in AWS Lambda's wire format: `X-Amzn-ErrorType: <Type>` and `{"Type":"User","message":…}`
 * (`"Service"` for ServiceException; model ValidationException carries only `message`).
 */
export function sendError(res: ServerResponse, err: unknown, extraHeaders: Record<string, string> = {}): void {
  const e =
    err instanceof ApiError
      ? err
      : new ApiError('ServiceException', 500, err instanceof SluiceError ? `${err.message}` : 'An internal error occurred.');
  const body: Record<string, string> =
    e.type === 'ValidationException' ? { message: e.message } : { Type: e.type === 'ServiceException' ? 'Service' : 'User', message: e.message };
  sendJson(res, e.status, body, { 'X-Amzn-ErrorType': e.type, ...extraHeaders });
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
