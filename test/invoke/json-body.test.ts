import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeJson, jsonBody } from '../../src/invoke/json-body.js';
import { createRng, type Rng } from '../batching/prng.js';

/** What undici sent before: the string body encoded by Buffer.from. */
const reference = (v: unknown): Buffer => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');

const CHAR_POOL = [
  'a', 'Z', '0', ' ', '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\u0000', '\u0001', '\u001f', '\u007f', '\u0080',
  'é', 'ß', 'ñ', '\u07ff', '\u0800', '€', '中', '\u2028', '\u2029', '\uffff', '😀', '🚀', '\ud83d', '\ude00', '\ud800', '\udfff',
];

function randomString(rng: Rng, asciiOnly: boolean): string {
  const len = rng.int(rng.next() < 0.1 ? 300 : 16);
  let s = '';
  for (let i = 0; i < len; i++) {
    if (asciiOnly || rng.next() < 0.6) s += String.fromCharCode(0x20 + rng.int(95));
    else s += rng.pick(CHAR_POOL);
  }
  return s;
}

function randomValue(rng: Rng, depth: number, asciiOnly: boolean): unknown {
  switch (rng.int(depth > 3 ? 6 : 9)) {
    case 0: return null;
    case 1: return rng.next() < 0.5;
    case 2: return rng.pick([0, -0, 1.5, 1e21, 1e-7, NaN, Infinity, Number.MAX_SAFE_INTEGER, rng.next() * 1e6]);
    case 3:
    case 4: return randomString(rng, asciiOnly);
    case 5: return rng.pick([undefined, new Date(1_600_000_000_000 + rng.int(1e9)), Buffer.from([1, 2, 250])]);
    case 6: return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1, asciiOnly));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(6); i > 0; i--) o[randomString(rng, asciiOnly)] = randomValue(rng, depth + 1, asciiOnly);
      return o;
    }
  }
}

/** A `{"Records":[...]}` event like the sources build (SQS-shaped bodies with free text). */
function randomRecordsEvent(rng: Rng, asciiOnly: boolean): unknown {
  return {
    Records: Array.from({ length: 1 + rng.int(20) }, (_, i) => ({
      messageId: `m-${i}`,
      body: randomString(rng, asciiOnly),
      attributes: { ApproximateReceiveCount: String(1 + rng.int(3)), SentTimestamp: String(1_700_000_000_000 + i) },
      messageAttributes: rng.next() < 0.5 ? {} : { [randomString(rng, asciiOnly)]: { stringValue: randomString(rng, asciiOnly), dataType: 'String' } },
      extra: randomValue(rng, 1, asciiOnly),
      eventSource: 'aws:sqs',
    })),
  };
}

/** Byte hints a caller may pass: unknown, exact, and wrong in both directions. */
function hints(exact: number, units: number): number[] {
  return [0, -1, exact, exact - 1, exact + 1, exact + 7, units, units - 1, 3 * units + 10, Number.MAX_SAFE_INTEGER];
}

describe('jsonBody', () => {
  test('is byte-identical to Buffer.from(JSON.stringify(event)) for random events and any byte hint', () => {
    let checked = 0;
    let nonAscii = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const rng = createRng(seed);
      for (let i = 0; i < 10; i++) {
        const asciiOnly = i % 3 === 0;
        const v = i % 2 === 0 ? randomRecordsEvent(rng, asciiOnly) : randomValue(rng, 0, asciiOnly);
        const want = reference(v);
        const units = (JSON.stringify(v) ?? 'null').length;
        if (want.length !== units) nonAscii++;
        for (const hint of hints(want.length, units)) {
          const got = jsonBody(v, hint);
          assert.ok(got.equals(want), `seed ${seed} value ${i} hint ${hint}: ${JSON.stringify(v)}`);
          assert.equal(got.byteLength, want.byteLength);
          checked++;
        }
      }
    }
    assert.equal(checked, 30_000);
    assert.ok(nonAscii > 500, `only ${nonAscii} events had non-ASCII JSON`);
  });

  test('escapes, lone surrogates, astral characters and a value JSON cannot represent', () => {
    const cases: unknown[] = [
      'plain', '', '"\\\b\f\n\r\t\u0000\u001f\u007f', '\ud800', '\udfff', 'a\ud83d', '\ude00b', '😀🚀', 'é€中\u2028\u2029\uffff',
      { k: '\ud83d\ude00', '\ud800': ['\udc00', 1] }, undefined, () => 1, [undefined, Symbol('s')], { toJSON: () => 'é' },
    ];
    for (const v of cases) {
      const want = reference(v);
      for (const hint of hints(want.length, want.length)) assert.ok(jsonBody(v, hint).equals(want), `${String(JSON.stringify(v))} hint ${hint}`);
    }
    assert.equal(jsonBody(undefined, 0).toString(), 'null');
  });

  test('throws what JSON.stringify throws', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => jsonBody({ n: 1n }, 0), TypeError);
    assert.throws(() => jsonBody(cyclic, 0), TypeError);
    assert.throws(() => jsonBody({ toJSON: () => { throw new RangeError('no'); } }, 0), RangeError);
  });

  test('encodeJson: the buffer holds exactly the encoded bytes, whatever the hint', () => {
    const s = JSON.stringify({ a: 'é😀', b: 'x'.repeat(5000) });
    const want = Buffer.from(s, 'utf8');
    for (const hint of [0, want.length, want.length + 100, 3 * s.length, 10 * s.length]) {
      const got = encodeJson(s, hint);
      assert.equal(got.length, want.length);
      assert.ok(got.equals(want));
    }
  });
});
