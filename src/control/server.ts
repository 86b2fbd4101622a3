import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../core/errors.js';
import type { FunctionSpec } from '../core/functions.js';
import type { Engine } from '../pipeline/engine.js';
import type { Logger } from '../observability/logger.js';
import type { StateStore } from '../state/store.js';
import { authenticate, type ControlPlaneAuth } from './auth.js';
import { badContent } from './api-errors.js';
import { MAX_BODY_BYTES, readBody, sendError, sendJson, sendText } from './http-io.js';
import { listPage } from './list-mappings.js';
import { MappingService } from './mapping-service.js';
import { toApiResponse } from './api-response.js';

export interface ControlPlaneDeps {
  /** Interface to listen on. Use 127.0.0.1 unless auth is configured. */
  readonly host: string;
  /** 0 picks a free port (see listen()'s result). */
  readonly port: number;
  readonly engine: Engine;
  readonly store: StateStore;
  readonly functions: ReadonlyMap<string, FunctionSpec> | readonly FunctionSpec[];
  /** Served on GET /metrics (Prometheus text format). 404 when absent. */
  readonly metrics?: { readonly contentType: string; text(): Promise<string> };
  readonly logger: Logger;
  readonly region: string;
  readonly accountId: string;
  readonly auth?: ControlPlaneAuth;
  /** GET /readyz answers 200 while this returns true, else 503. Default: always ready. */
  readonly ready?: () => boolean;
  /** Largest request body; default 256 KiB (413 RequestTooLargeException beyond). */
  readonly maxBodyBytes?: number;
}

export interface ControlPlane {
  listen(): Promise<{ host: string; port: number }>;
  close(): Promise<void>;
  /** The operations behind the routes (for the daemon and tests). */
  readonly service: MappingService;
}

const BASE = '/2015-03-31/event-source-mappings';

/** Decodes a path segment; a malformed %-escape is simply not a known UUID. */
function segment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badContent((err as Error).message);
  }
}

/**
 * The Lambda event-source-mapping REST API (version 2015-03-31) on node:http, plus GET /metrics,
 * /healthz and /readyz. Errors use AWS's wire format; nothing a client sends produces a 500.
 */
export function createControlPlane(deps: ControlPlaneDeps): ControlPlane {
  const service = new MappingService(deps);
  const log = deps.logger.child({ component: 'control-plane' });
  const unsubscribe = deps.engine.onStatus((uuid) => service.onEngineStatus(uuid));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const method = req.method ?? 'GET';
    const url = new URL(rawUrl, 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' && method === 'GET') return sendText(res, 200, 'ok\n');
    if (path === '/readyz' && method === 'GET') {
      const ok = deps.ready ? deps.ready() : true;
      return sendText(res, ok ? 200 : 503, ok ? 'ready\n' : 'not ready\n');
    }
    const body = await readBody(req, deps.maxBodyBytes ?? MAX_BODY_BYTES);
    authenticate(deps.auth, { method, rawUrl, headers: req.headers, body }, Date.now());

    if (path === '/metrics') {
      if (method !== 'GET') throw methodNotAllowed();
      if (!deps.metrics) throw unknownRoute();
      return sendText(res, 200, await deps.metrics.text(), deps.metrics.contentType);
    }
    if (path === BASE) {
      if (method === 'POST') {
        const created = await service.create(parseJson(body));
        return sendJson(res, 202, toApiResponse(created));
      }
      if (method === 'GET') {
        const q = Object.fromEntries(url.searchParams) as Record<string, string>;
        const page = listPage(await service.list(), q, deps);
        return sendJson(res, 200, {
          EventSourceMappings: page.items.map(toApiResponse),
          ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
        });
      }
      throw methodNotAllowed();
    }
    if (path.startsWith(`${BASE}/`)) {
      const rest = path.slice(BASE.length + 1);
      if (rest.includes('/')) throw unknownRoute();
      const uuid = segment(rest);
      if (method === 'GET') return sendJson(res, 200, toApiResponse(await service.get(uuid)));
      if (method === 'PUT') return sendJson(res, 202, toApiResponse(await service.update(uuid, parseJson(body))));
      if (method === 'DELETE') return sendJson(res, 202, toApiResponse(await service.delete(uuid)));
      throw methodNotAllowed();
    }
    throw unknownRoute();
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!(err instanceof ApiError)) log.error('control-plane request failed', { err, method: req.method, url: req.url });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const tooLarge = err instanceof ApiError && err.type === 'RequestTooLargeException';
      sendError(res, err, tooLarge ? { Connection: 'close' } : {});
      // Discard whatever is left of an oversized body without buffering it.
      if (tooLarge) req.resume();
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;

  let closing: Promise<void> | undefined;
  return {
    service,
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(deps.port, deps.host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          log.info('control plane listening', { host: a.address, port: a.port });
          resolve({ host: a.address, port: a.port });
        });
      });
    },
    close() {
      closing ??= (async () => {
        unsubscribe();
        await new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          // In-flight requests get 2 s to finish, then their connections are cut.
          const force = setTimeout(() => server.closeAllConnections(), 2_000);
          force.unref();
          server.close(() => {
            clearTimeout(force);
            resolve();
          });
          server.closeIdleConnections();
        });
        await service.idle();
      })();
      return closing;
    },
  };
}

const unknownRoute = (): ApiError => new ApiError('UnknownOperationException', 404, 'Unknown operation.');
const methodNotAllowed = (): ApiError => new ApiError('UnknownOperationException', 405, 'Method not allowed for this resource.');
