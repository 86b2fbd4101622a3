import { runStoreContract } from './store-contract.js';
import { createMemoryStateStore } from '../../src/state/memory-store.js';

runStoreContract('memory', async () => ({
  durable: false,
  open: async () => createMemoryStateStore(),
  cleanup: async () => {},
}));
