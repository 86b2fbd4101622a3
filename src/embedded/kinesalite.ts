/** kinesalite (in-process Kinesis emulator) on loopback, shared by embedded mode and the tests. */
import { createRequire } from 'node:module';
import type { Server as HttpServer } from 'node:http';

const require = createRequire(import.meta.url);
type KinesaliteFactory = (opts: { createStreamMs: number; updateStreamMs: number; deleteStreamMs: number; shardLimit: number }) => HttpServer;

/** kinesalite timings and limits; every duration defaults to 50 ms, shardLimit to 50. */
export interface KinesaliteOptions {
  createStreamMs?: number;
  updateStreamMs?: number;
  deleteStreamMs?: number;
  shardLimit?: number;
}

/**
 * Starts kinesalite in-process on 127.0.0.1:`port` (0 picks a free port), in memory.
 * Returns the listening server and its port; close it with {@link closeHttpServer}.
 */
export async function listenKinesalite(port: number, opts: KinesaliteOptions = {}): Promise<{ server: HttpServer; port: number }> {
  const kinesalite = require('kinesalite') as KinesaliteFactory;
  const server = kinesalite({
    createStreamMs: opts.createStreamMs ?? 50,
    updateStreamMs: opts.updateStreamMs ?? 50,
    deleteStreamMs: opts.deleteStreamMs ?? 50,
    shardLimit: opts.shardLimit ?? 50,
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(addr && typeof addr === 'object' ? addr.port : port);
    });
  });
  return { server, port: bound };
}

/** Closes an HTTP server and drops its keep-alive connections. */
export function closeHttpServer(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
