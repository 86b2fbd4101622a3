/**
 * PostgreSQL for tests: each test gets its own schema in the `test` database on 127.0.0.1:5432
 * (trust auth), dropped afterwards. When the server is not reachable, `pgAvailable()` says
 * exactly what is missing so the test can skip with that reason.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const PG_URL = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let probe: Promise<string | undefined> | undefined;

/** undefined when PostgreSQL answers; otherwise the reason (for `t.skip`/`skip:`). */
export function pgUnavailableReason(): Promise<string | undefined> {
  probe ??= (async () => {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return undefined;
    } catch (err) {
      return `PostgreSQL not reachable at ${PG_URL} (${(err as Error).message}); start it (apt-get install postgresql; trust auth for 127.0.0.1; database "test") or set SLUICE_TEST_PG_URL`;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return probe;
}

/** A fresh schema name; `drop()` removes it with everything in it. */
export async function createTestSchema(): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await c.end();
  }
  return {
    schema,
    url: PG_URL,
    async drop() {
      const d = new pg.Client({ connectionString: PG_URL });
      await d.connect();
      try {
        await d.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await d.end();
      }
    },
  };
}
