import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreContract } from './store-contract.js';
import { openStateStore } from '../../src/state/open.js';

runStoreContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-'));
  const file = join(dir, 'nested', 'state.db');
  return {
    durable: true,
    open: (o) => openStateStore({ sqlite: file }, o),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
