import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestSchema, pgUnavailableReason, PG_URL } from '../support/postgres.js';

test('PostgreSQL is reachable and a per-test schema can be created and dropped', async () => {
  const reason = await pgUnavailableReason();
  assert.equal(reason, undefined, reason);
  const s = await createTestSchema();
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`CREATE TABLE "${s.schema}".probe (x int)`);
    await c.query(`INSERT INTO "${s.schema}".probe VALUES (42)`);
    const r = await c.query(`SELECT x FROM "${s.schema}".probe`);
    assert.equal(r.rows[0].x, 42);
  } finally {
    await c.end();
    await s.drop();
  }
  const c2 = new pg.Client({ connectionString: PG_URL });
  await c2.connect();
  try {
    const r = await c2.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [s.schema]);
    assert.equal(r.rowCount, 0);
  } finally {
    await c2.end();
  }
});
