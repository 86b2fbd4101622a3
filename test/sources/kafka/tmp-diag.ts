import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
const req = createRequire(import.meta.url);
const Runner = req('kafkajs/src/consumer/runner.js') as { prototype: { fetch: (this: { running: boolean }, n: number) => Promise<unknown[]> } };
const orig = Runner.prototype.fetch;
let idle = 0;
let calls = 0;
Runner.prototype.fetch = function (this: { running: boolean }, nodeId: number) {
  if (++calls % 200_000 === 0) writeSync(2, `MANY fetch calls ${calls} running=${this.running}\n${new Error('many').stack}\n`);
  if (!this.running && ++idle === 100_000) {
    writeSync(2, `SPIN: Runner.fetch called ${idle} times after the runner stopped\n${new Error('spin').stack}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
  return orig.call(this, nodeId);
};
