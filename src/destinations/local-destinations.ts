/**
 * OnFailure destinations beyond AWS's list, for self-hosting: `file:///abs/path.jsonl` (one JSON
 * line per record — with `payload`, the discarded records, as S3 gets it — appended and fsync'd
 * before deliver() resolves) and `http(s)://…` webhooks
 * (POST of the record as JSON; any 2xx is delivered, anything else is a retriable failure).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbortedError, DestinationError } from '../core/errors.js';
import { onceClose, withPayload, type Destination } from './destination.js';

export function createFileDestination(target: string): Destination {
  let path: string;
  try {
    path = fileURLToPath(target);
  } catch (e) {
    throw new DestinationError(`not a file URL: ${target}`, { code: 'DESTINATION_INVALID', retriable: false, cause: e });
  }
  if (!isAbsolute(path)) throw new DestinationError(`file destination must be absolute: ${target}`, { code: 'DESTINATION_INVALID', retriable: false });
  let handle: Promise<FileHandle> | undefined;
  /** Appends are serialised so lines never interleave and fsyncs cover every earlier line. */
  let tail: Promise<void> = Promise.resolve();
  let closed = false;
  const write = async (line: string): Promise<void> => {
    handle ??= open(path, 'a');
    let h: FileHandle;
    try {
      h = await handle;
    } catch (e) {
      handle = undefined;
      throw e;
    }
    await h.appendFile(line, 'utf8');
    await h.datasync();
  };
  return {
    target,
    deliver(d, signal) {
      if (signal.aborted) return Promise.reject(new AbortedError('delivery aborted', { destination: target }));
      if (closed) return Promise.reject(new DestinationError(`destination ${target} is closed`, { context: { destination: target } }));
      const line = JSON.stringify(withPayload(d)) + '\n';
      const p = tail.then(() => write(line));
      tail = p.catch(() => undefined);
      return p.catch((e: unknown) => {
        throw new DestinationError(`OnFailure destination ${target}: append failed: ${e instanceof Error ? e.message : String(e)}`, {
          cause: e,
          context: { destination: target, mappingUuid: d.mappingUuid, shardId: d.shardId },
        });
      });
    },
    close: onceClose(async () => {
      closed = true;
      await tail;
      if (handle) await (await handle.catch(() => undefined))?.close();
    }),
  };
}

/** Webhook requests give up after this long (a retriable failure). */
export const WEBHOOK_TIMEOUT_MS = 30_000;

export function createWebhookDestination(target: string, opts: { timeoutMs?: number } = {}): Destination {
  let url: URL;
  try {
    url = new URL(target);
  } catch (e) {
    throw new DestinationError(`not a URL: ${target}`, { code: 'DESTINATION_INVALID', retriable: false, cause: e });
  }
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return {
    target,
    async deliver(d, signal) {
      const ctx = { destination: target, mappingUuid: d.mappingUuid, shardId: d.shardId };
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(d.record),
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
      } catch (e) {
        if (signal.aborted) throw new AbortedError('delivery aborted', ctx);
        const why = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
        throw new DestinationError(`OnFailure destination ${target}: POST failed: ${why}`, { cause: e, context: ctx });
      }
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) {
        throw new DestinationError(`OnFailure destination ${target}: POST answered HTTP ${res.status}`, { context: { ...ctx, status: res.status } });
      }
    },
    close: onceClose(async () => undefined),
  };
}
