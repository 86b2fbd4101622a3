import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PAYLOAD_LIMIT_BYTES, batchPayloadBytes, jsonByteLength } from '../../src/batching/payload-size.js';
import { createRng, type Rng } from './prng.js';

const expected = (v: unknown): number => {
  const s = JSON.stringify(v);
  return s === undefined ? 0 : Buffer.byteLength(s, 'utf8');
};

const CHAR_POOL = [
  'a', 'Z', '0', ' ', '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\u0000', '\u0001', '\u001f', '\u007f',
  'é', 'ß', 'ñ', '€', '中', '文', '\u2028', '\u2029', '\uffff', '😀', '🚀', '\ud83d', '\ude00', '\ud800', '\udfff',
];

function randomString(rng: Rng): string {
  const len = rng.int(rng.next() < 0.1 ? 200 : 12);
  let s = '';
  for (let i = 0; i < len; i++) s += rng.next() < 0.5 ? String.fromCharCode(0x20 + rng.int(95)) : rng.pick(CHAR_POOL);
  return s;
}

function randomValue(rng: Rng, depth: number): unknown {
  const r = rng.int(depth > 4 ? 7 : 11);
  switch (r) {
    case 0: return null;
    case 1: return rng.next() < 0.5;
    case 2: return rng.pick([0, -0, 1, -1, 1.5, 1e21, 1e-7, -123.456e-10, Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity, rng.next() * 1e6]);
    case 3: return randomString(rng);
    case 4: return rng.int(1_000_000) - 500_000;
    case 5: return rng.pick([undefined, () => 1, Symbol('s')]);
    case 6: return new Date(1_600_000_000_000 + rng.int(1e9));
    case 7:
    case 8: {
      const n = rng.int(6);
      const a: unknown[] = [];
      for (let i = 0; i < n; i++) a.push(randomValue(rng, depth + 1));
      return a;
    }
    default: {
      const n = rng.int(6);
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) o[randomString(rng)] = randomValue(rng, depth + 1);
      return o;
    }
  }
}

describe('jsonByteLength', () => {
  test('equals Buffer.byteLength(JSON.stringify(v)) on random nested values over many seeds', () => {
    let checked = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const rng = createRng(seed);
      for (let i = 0; i < 25; i++) {
        const v = randomValue(rng, 0);
        assert.equal(jsonByteLength(v), expected(v), `seed ${seed} value ${i}: ${JSON.stringify(v)}`);
        checked++;
      }
    }
    assert.equal(checked, 10_000);
  });

  test('escapes and surrogates', () => {
    const cases: unknown[] = [
      '', '"', '\\', '\b\f\n\r\t', '\u0000\u0007\u001f', '😀', '\ud83d', '\ude00', 'a\ud83db', '\ude00\ud83d',
      '€', 'é', '\u2028', { '\n': '\u0001' }, ['\ud800'],
    ];
    for (const c of cases) assert.equal(jsonByteLength(c), expected(c), JSON.stringify(c));
    assert.equal(jsonByteLength('\u0001'), 8); // "\u0001"
    assert.equal(jsonByteLength('\ud800'), 8); // "\ud800"
    assert.equal(jsonByteLength('😀'), 6);
  });

  test('follows JSON.stringify for skipped and non-finite values, toJSON and boxed primitives', () => {
    const cases: unknown[] = [
      { a: undefined, b: () => 1, c: Symbol('x') }, [undefined, () => 1, Symbol('x')], { a: undefined, b: 1 },
      { a: 1, b: undefined }, [NaN, Infinity, -0], new Date(0), { d: new Date(5) }, Buffer.from('hi'),
      { toJSON: () => ({ x: 1 }) }, { toJSON: () => undefined, }, [{ toJSON: (k: string) => k }], new Map([[1, 2]]),
      Object(1), Object('s'), Object(false), [], {}, [[]], { a: {} }, 1e21, 5e-7,
    ];
    for (const c of cases) assert.equal(jsonByteLength(c), expected(c));
    assert.equal(jsonByteLength(undefined), 0);
    assert.throws(() => jsonByteLength({ a: 1n }), TypeError);
  });

  test('batchPayloadBytes adds overhead, payloads and commas', () => {
    const records = [{ a: 'x' }, { b: '😀' }, { c: [1, 2, 3] }];
    const wrap = (rs: unknown[]): unknown => ({ Records: rs });
    const overheadBytes = expected(wrap([]));
    const polled = records.map((r) => ({ payloadBytes: jsonByteLength(r) }));
    for (let n = 0; n <= records.length; n++) {
      assert.equal(batchPayloadBytes({ overheadBytes }, polled.slice(0, n)), expected(wrap(records.slice(0, n))));
    }
    assert.equal(PAYLOAD_LIMIT_BYTES, 6_291_456);
  });
});
