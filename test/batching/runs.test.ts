import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Runs } from '../../src/batching/runs.js';

describe('Runs', () => {
  test('slots address the runs in order; lookups forwards and backwards; slices within and across runs', () => {
    const r = new Runs<string, number>();
    assert.equal(r.push(['a', 'b', 'c'], 10), 0);
    assert.equal(r.push([], 99), 3, 'an empty run is ignored');
    assert.equal(r.push(['d'], 20), 3);
    assert.equal(r.push(['e', 'f'], 30), 4);
    assert.equal(r.length, 6);
    assert.deepEqual([5, 4, 3, 2, 1, 0].map((s) => r.at(s)), ['f', 'e', 'd', 'c', 'b', 'a']);
    assert.deepEqual([0, 2, 3, 5].map((s) => r.metaOf(r.runOf(s))), [10, 10, 20, 30]);
    assert.deepEqual(r.slice(1, 3), ['b', 'c']);
    assert.deepEqual(r.slice(2, 6), ['c', 'd', 'e', 'f']);
  });

  test('dropBefore removes only whole runs before the slot and renumbers the rest', () => {
    const r = new Runs<string>();
    r.push(['a', 'b']);
    r.push(['c', 'd', 'e']);
    r.push(['f']);
    assert.equal(r.dropBefore(1), 0, 'slot 1 is in the first run');
    assert.equal(r.dropBefore(3), 2, 'the first run (2 slots) goes');
    assert.equal(r.length, 4);
    assert.deepEqual([0, 1, 2, 3].map((s) => r.at(s)), ['c', 'd', 'e', 'f']);
    assert.equal(r.startOf(r.runOf(3)), 3);
    r.clear();
    assert.equal(r.length, 0);
    assert.equal(r.push(['x']), 0);
    assert.equal(r.at(0), 'x');
  });
});
