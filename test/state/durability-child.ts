/**
 * Child process for the kill -9 durability test: writes checkpoints, flushes, reports
 * "flushed <n>" on stdout, then keeps putting (unflushed) values until it is killed.
 * argv: <sqlite|postgres> <file|url> <mappingUuid> [schema]
 */
import { openStateStore } from '../../src/state/open.js';
import { mappingUuid, shardId } from '../../src/core/ids.js';

const [kind, target, m, schema] = process.argv.slice(2);
const store = await openStateStore(kind === 'sqlite' ? { sqlite: target! } : { postgres: target! }, { flushIntervalMs: 3_600_000, schema });
const put = (shard: number, pos: number): Promise<void> =>
  store.checkpoints.put({ mappingUuid: mappingUuid(m!), shardId: shardId(`shard-${shard}`), position: String(pos), status: 'open', windowState: null, updatedAt: Date.now() });
for (let round = 1; round <= 20; round++) for (let s = 0; s < 8; s++) await put(s, round * 1000 + s);
await store.checkpoints.flush();
process.stdout.write('flushed 20\n');
let round = 21;
setInterval(() => {
  for (let s = 0; s < 8; s++) void put(s, round * 1000 + s);
  round++;
}, 1);
