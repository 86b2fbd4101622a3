import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/ports.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const HANDLER = fileURLToPath(new URL('../../../examples/handlers/echo.mjs', import.meta.url));

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('validate-config: a valid file prints OK and exits 0 (--config and SLUICE_CONFIG)', async () => {
  const file = join(dir, 'good.yaml');
  writeFileSync(file, `functions:\n  echo: { handler: ${JSON.stringify(HANDLER)} }\nmappings:\n  - { FunctionName: echo, EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q" }\n`);
  const a = await cli(['validate-config', '--config', file]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, `OK ${file} (1 function(s), 1 mapping(s))\n`);
  const b = await cli(['validate-config'], { SLUICE_CONFIG: file });
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.stdout, a.stdout);
});

test('validate-config: an invalid file prints one line per problem on stderr and exits 1', async () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, `server: { port: -1 }\nfunctions:\n  echo: { handler: ${JSON.stringify(HANDLER)}, concurrency: 0 }\nextra: true\n`);
  const r = await cli(['validate-config', '--config', file]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.deepEqual(r.stderr.trimEnd().split('\n'), [
    'sluice: invalid config (3 problems):',
    `${file}: extra: true is not allowed; expected no such key here (unknown key "extra"); allowed keys: server, state, aws, functions, mappings, embedded, logging, progress, shutdown`,
    `${file}: server.port: -1 is not allowed; expected an integer 0..65535 (0 picks a free port)`,
    `${file}: functions.echo.concurrency: 0 is not allowed; expected an integer 1..1000`,
  ]);
});

test('start with an invalid config exits 1 before starting anything', async () => {
  const file = join(dir, 'bad-start.yaml');
  writeFileSync(file, 'state: { sqlite: a.db, postgres: "postgres://h/db" }\n');
  const r = await cli(['start', '--config', file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /state: .* is not allowed; expected exactly one of \{ sqlite: <path> \} or \{ postgres: <url> \}/);
  assert.doesNotMatch(r.stdout, /sluice started/);
});

test('usage errors exit 2; a missing file exits 1', async () => {
  assert.equal((await cli([])).code, 2);
  assert.equal((await cli(['frobnicate'])).code, 2);
  assert.equal((await cli(['validate-config', '--bogus'])).code, 2);
  const r = await cli(['validate-config', '--config', join(dir, 'nope.yaml')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nope\.yaml: \(file\): .* expected a readable YAML config file \(ENOENT\)/);
});

test('list: a clear message and exit 1 when sluice is not reachable', async () => {
  const port = await freePort();
  const r = await cli(['list', '--endpoint', `http://127.0.0.1:${port}`]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `sluice list: cannot reach sluice at http://127.0.0.1:${port}: ECONNREFUSED\n`);
});
