import { runStoreContract } from './store-contract.js';
import { openStateStore } from '../../src/state/open.js';
import { createTestSchema, pgUnavailableReason } from '../support/postgres.js';

runStoreContract('postgres', async () => {
  const reason = await pgUnavailableReason();
  if (reason) return { skip: reason };
  const s = await createTestSchema();
  return {
    durable: true,
    open: (o) => openStateStore({ postgres: s.url }, { ...o, schema: s.schema }),
    cleanup: () => s.drop(),
  };
});
