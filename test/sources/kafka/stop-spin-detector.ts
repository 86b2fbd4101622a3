/** Test diagnostics: detects kafkajs's Runner.fetch spinning after stop (kills the process with the stack and an event log). */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
const req = createRequire(import.meta.url);
type R = { running: boolean; fetch: (n: number) => Promise<unknown[]>; stop: () => Promise<void> };
const Runner = req('kafkajs/src/consumer/runner.js') as { prototype: R };
const FM = req('kafkajs/src/consumer/fetchManager.js');
const log: string[] = [];
const t0 = Date.now();
const note = (m: string): void => void log.push(`${Date.now() - t0} ${m}`);
const ids = new WeakMap<object, number>();
let nid = 0;
const id = (o: object): number => ids.get(o) ?? (ids.set(o, ++nid), nid);
const V = Symbol('running');
Object.defineProperty(Runner.prototype, 'running', {
  get(this: Record<symbol, boolean>) { return this[V]; },
  set(this: Record<symbol, boolean>, v: boolean) {
    if (this[V] !== v) note(`runner#${id(this)} running=${v} ${new Error().stack!.split('\n').slice(2, 6).map((s) => s.trim()).join(' < ')}`);
    this[V] = v;
  },
});
const origStop = Runner.prototype.stop;
Runner.prototype.stop = function (this: R) { Error.stackTraceLimit = 40; note(`runner#${id(this)} stop() called running=${this.running} ${new Error().stack!.split('\n').slice(2).map((x) => x.trim()).join(' < ')}`); return origStop.call(this); };
const origFetch = Runner.prototype.fetch;
let idle = 0;
Runner.prototype.fetch = function (this: R, nodeId: number) {
  if (!this.running && ++idle === 100_000) {
    writeSync(2, `SPIN runner#${id(this)}: Runner.fetch called ${idle} times after the runner stopped\n${new Error('spin').stack}\nLOG:\n${log.join('\n')}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
  return origFetch.call(this, nodeId);
};
void FM;
const Cluster = req('kafkajs/src/cluster/index.js') as { prototype: { getNodeIds: () => number[] } };
const origIds = Cluster.prototype.getNodeIds;
const lastIds = new WeakMap<object, string>();
Cluster.prototype.getNodeIds = function (this: object) {
  const r = origIds.call(this);
  const k = JSON.stringify(r);
  if (lastIds.get(this) !== k) {
    note(`cluster#${id(this)} nodeIds ${lastIds.get(this)} -> ${k}`);
    lastIds.set(this, k);
  }
  return r;
};
const Err = req('kafkajs/src/errors.js') as { KafkaJSFetcherRebalanceError: new () => Error };
void Err;
process.on('exit', () => {
  if (process.env.SLUICE_KSTOP_DIAG === '1') writeSync(2, `spin-detector: ${idle} Runner.fetch calls after a runner stopped\nLOG:\n${log.join('\n')}\n`);
});
