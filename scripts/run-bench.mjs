#!/usr/bin/env node
// Runs every compiled benchmark (dist/bench/*.bench.js) one after another; each prints one JSON line.
// Usage: node scripts/run-bench.mjs [substring filter ...]
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'dist', 'bench');
if (!existsSync(dir)) {
  console.error('dist/bench does not exist: run `npm run build` first');
  process.exit(1);
}
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((n) => n.endsWith('.bench.js'))
  .filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)))
  .sort();
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, ['--expose-gc', join(dir, f)], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
