/**
 * Cost per record of the compiled filter matcher on typical patterns (match only, and view +
 * match including the JSON parse of the record's data). Prints one JSON line.
 */
import { compileFilterCriteria } from '../src/filtering/compile.js';
import { filterView } from '../src/filtering/filter-view.js';

const N = 200_000;
const bodies = Array.from({ length: 1000 }, (_, i) =>
  JSON.stringify({ orderId: `o-${i}`, type: i % 3 === 0 ? 'buy' : 'sell', amount: (i % 500) + 0.5, customer: { tier: i % 7 === 0 ? 'gold' : 'std', region: 'eu-west-1' }, tags: ['a', 'b', `t${i % 10}`] }),
);
const records = bodies.map((body, i) => ({ messageId: `m${i}`, body, attributes: { SenderId: 'S' }, eventSource: 'aws:sqs' }));

const patterns: Record<string, string[]> = {
  exact: ['{"body":{"type":["buy"]}}'],
  nestedAnd: ['{"body":{"type":["buy"],"customer":{"tier":["gold"]}}}'],
  numericRange: ['{"body":{"amount":[{"numeric":[">",100,"<=",300]}]}}'],
  prefixAnythingBut: ['{"body":{"orderId":[{"prefix":"o-1"}],"customer":{"region":[{"anything-but":["us-east-1"]}]}}}'],
  fiveFiltersOr: [
    '{"body":{"type":["none"]}}',
    '{"body":{"tags":["zz"]}}',
    '{"body":{"customer":{"tier":["platinum"]}}}',
    '{"body":{"amount":[{"numeric":["<",0]}]}}',
    '{"body":{"orderId":[{"suffix":"-999"}]}}',
  ],
};

function nsPer(fn: () => void, n: number): number {
  for (let i = 0; i < 20_000; i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / n;
}

const views = records.map((r) => filterView('sqs', r));
const out: Record<string, unknown> = { bench: 'filter', records: N };
let sink = 0;
for (const [name, pats] of Object.entries(patterns)) {
  const f = compileFilterCriteria({ Filters: pats.map((Pattern) => ({ Pattern })) });
  if (!f) throw new Error('no filter');
  let i = 0;
  out[`${name}_match_ns`] = Math.round(nsPer(() => {
    if (f.matches(views[i++ % views.length])) sink++;
  }, N) * 10) / 10;
  let j = 0;
  out[`${name}_view_and_match_ns`] = Math.round(nsPer(() => {
    if (f.matches(filterView('sqs', records[j++ % records.length]))) sink++;
  }, N / 4) * 10) / 10;
}
let k = 0;
const withFloats = bodies.map((b) => b.replace('"amount":', '"amount":1.0e0+').replace('+', ',"x":'));
out.view_nonCanonicalNumbers_ns = Math.round(nsPer(() => {
  if (filterView('sqs', { body: withFloats[k++ % withFloats.length] })) sink++;
}, N / 4) * 10) / 10;
out.sink = sink > 0;
console.log(JSON.stringify(out));
