import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilterCriteria } from '../../src/filtering/compile.js';
import { dataValue } from '../../src/filtering/filter-view.js';
import { ApiError } from '../../src/core/errors.js';

/** [pattern, record JSON text (parsed like record data), expected] */
const cases: [string, string, boolean][] = [
  // exact strings / OR
  ['{"a":["x"]}', '{"a":"x"}', true],
  ['{"a":["x"]}', '{"a":"y"}', false],
  ['{"a":["x","y"]}', '{"a":"y"}', true],
  ['{"a":["x"]}', '{"a":"X"}', false],
  ['{"a":["x"]}', '{"b":"x"}', false],
  ['{"a":["x"]}', '{}', false],
  ['{"a":["x"]}', '{"a":["q","x"]}', true],
  ['{"a":["x"]}', '{"a":["q","r"]}', false],
  ['{"a":["x"]}', '{"a":{"x":1}}', false],
  // numbers: exact by written form
  ['{"n":[300]}', '{"n":300}', true],
  ['{"n":[300]}', '{"n":300.0}', false],
  ['{"n":[300.0]}', '{"n":300.0}', true],
  ['{"n":[300.0]}', '{"n":300}', false],
  ['{"n":[300]}', '{"n":3e2}', false],
  ['{"n":[300]}', '{"n":"300"}', false],
  ['{"n":["300"]}', '{"n":300}', false],
  ['{"n":[1.5]}', '{"n":1.5}', true],
  ['{"n":[-1]}', '{"n":-1}', true],
  ['{"n":[0]}', '{"n":-0}', false],
  ['{"n":[12345678901234567890]}', '{"n":12345678901234567890}', true],
  ['{"n":[12345678901234567890]}', '{"n":12345678901234567891}', false],
  // booleans / null / empty
  ['{"b":[true]}', '{"b":true}', true],
  ['{"b":[true]}', '{"b":"true"}', false],
  ['{"b":[false]}', '{"b":false}', true],
  ['{"z":[null]}', '{"z":null}', true],
  ['{"z":[null]}', '{}', false],
  ['{"z":[null]}', '{"z":""}', false],
  ['{"e":[""]}', '{"e":""}', true],
  ['{"e":[""]}', '{"e":null}', false],
  ['{"e":[""]}', '{}', false],
  // prefix / suffix / equals-ignore-case
  ['{"s":[{"prefix":"ab"}]}', '{"s":"abc"}', true],
  ['{"s":[{"prefix":"ab"}]}', '{"s":"cab"}', false],
  ['{"s":[{"prefix":"ab"}]}', '{"s":"AB"}', false],
  ['{"s":[{"prefix":"1"}]}', '{"s":123}', false],
  ['{"s":[{"prefix":""}]}', '{"s":"anything"}', true],
  ['{"s":[{"suffix":".png"}]}', '{"s":"a.png"}', true],
  ['{"s":[{"suffix":".png"}]}', '{"s":"a.jpg"}', false],
  ['{"s":[{"equals-ignore-case":"AbC"}]}', '{"s":"aBc"}', true],
  ['{"s":[{"equals-ignore-case":"AbC"}]}', '{"s":"abcd"}', false],
  ['{"s":[{"prefix":"x"},{"suffix":"z"}]}', '{"s":"abz"}', true],
  // anything-but
  ['{"s":[{"anything-but":"x"}]}', '{"s":"y"}', true],
  ['{"s":[{"anything-but":"x"}]}', '{"s":"x"}', false],
  ['{"s":[{"anything-but":["x","y"]}]}', '{"s":"y"}', false],
  ['{"s":[{"anything-but":["x","y"]}]}', '{"s":"z"}', true],
  ['{"s":[{"anything-but":"x"}]}', '{}', false],
  ['{"n":[{"anything-but":[1,2]}]}', '{"n":3}', true],
  ['{"n":[{"anything-but":[1,2]}]}', '{"n":2}', false],
  ['{"n":[{"anything-but":300}]}', '{"n":300.0}', true],
  ['{"s":[{"anything-but":{"prefix":"tmp"}}]}', '{"s":"tmpfile"}', false],
  ['{"s":[{"anything-but":{"prefix":"tmp"}}]}', '{"s":"file"}', true],
  ['{"s":[{"anything-but":{"suffix":".tmp"}}]}', '{"s":"a.tmp"}', false],
  ['{"s":[{"anything-but":{"equals-ignore-case":["A","b"]}}]}', '{"s":"B"}', false],
  ['{"s":[{"anything-but":{"equals-ignore-case":["A","b"]}}]}', '{"s":"c"}', true],
  // numeric
  ['{"n":[{"numeric":["=",300]}]}', '{"n":300.0}', true],
  ['{"n":[{"numeric":["=",300]}]}', '{"n":3e2}', true],
  ['{"n":[{"numeric":["=",300]}]}', '{"n":301}', false],
  ['{"n":[{"numeric":[">",10]}]}', '{"n":10}', false],
  ['{"n":[{"numeric":[">=",10]}]}', '{"n":10}', true],
  ['{"n":[{"numeric":["<",10]}]}', '{"n":9.99}', true],
  ['{"n":[{"numeric":["<=",10]}]}', '{"n":10.5}', false],
  ['{"n":[{"numeric":[">",0,"<=",5]}]}', '{"n":5}', true],
  ['{"n":[{"numeric":[">",0,"<=",5]}]}', '{"n":0}', false],
  ['{"n":[{"numeric":[">",0,"<",5]}]}', '{"n":5}', false],
  ['{"n":[{"numeric":[">",0]}]}', '{"n":"7"}', false],
  ['{"n":[{"numeric":[">",0]}]}', '{"n":[-1,3]}', true],
  ['{"n":[{"numeric":[">",0]}]}', '{}', false],
  // exists
  ['{"a":[{"exists":true}]}', '{"a":1}', true],
  ['{"a":[{"exists":true}]}', '{"a":null}', true],
  ['{"a":[{"exists":true}]}', '{}', false],
  ['{"a":[{"exists":true}]}', '{"a":{"b":1}}', false],
  ['{"a":[{"exists":false}]}', '{}', true],
  ['{"a":[{"exists":false}]}', '{"a":"x"}', false],
  ['{"a":{"b":[{"exists":false}]}}', '{}', true],
  ['{"a":{"b":[{"exists":false}]}}', '{"a":{"b":2}}', false],
  ['{"a":[{"exists":false},"x"]}', '{"a":"x"}', true],
  // nested / AND
  ['{"a":{"b":["x"]}}', '{"a":{"b":"x"}}', true],
  ['{"a":{"b":["x"]}}', '{"a":{"b":"y"}}', false],
  ['{"a":{"b":["x"]}}', '{"a":"x"}', false],
  ['{"a":{"b":{"c":[1]}}}', '{"a":{"b":{"c":1}}}', true],
  ['{"a":["x"],"b":["y"]}', '{"a":"x","b":"y"}', true],
  ['{"a":["x"],"b":["y"]}', '{"a":"x","b":"z"}', false],
  ['{"a":{"b":["x"]},"c":[{"numeric":[">",1]}]}', '{"a":{"b":"x"},"c":2}', true],
  ['{"a":{"b":["x"]}}', '{"a":[{"b":"y"},{"b":"x"}]}', true],
  ['{}', '{"anything":1}', true],
  // string data (not JSON) matched as a string
  ['{"data":["hello"]}', '__DATA__hello', true],
  ['{"data":[{"prefix":"hel"}]}', '__DATA__hello world', true],
  ['{"data":{"k":["v"]}}', '__DATA__not json', false],
  // unicode and escapes
  ['{"s":["caf\\u00e9"]}', '{"s":"café"}', true],
  ['{"s":["a\\"b"]}', '{"s":"a\\"b"}', true],
  ['{"__proto__":["x"]}', '{"__proto__":"x"}', true],
  ['{"toString":[{"exists":true}]}', '{}', false],
];

function view(text: string): unknown {
  if (text.startsWith('__DATA__')) return { data: text.slice(8) };
  return dataValue(text);
}

describe('filter matcher: pattern × record table', () => {
  assert.ok(cases.length >= 80, `only ${cases.length} cases`);
  cases.forEach(([pattern, record, want], i) => {
    test(`#${i} ${pattern} vs ${record} → ${want}`, () => {
      const f = compileFilterCriteria({ Filters: [{ Pattern: pattern }] });
      assert.ok(f);
      assert.equal(f.matches(view(record)), want);
    });
  });
});

describe('filter criteria: ORed filters and limits', () => {
  test('filters are ORed', () => {
    const f = compileFilterCriteria({ Filters: [{ Pattern: '{"a":["x"]}' }, { Pattern: '{"b":["y"]}' }] });
    assert.ok(f);
    assert.equal(f.size, 2);
    assert.equal(f.matches({ a: 'x' }), true);
    assert.equal(f.matches({ b: 'y' }), true);
    assert.equal(f.matches({ a: 'y', b: 'x' }), false);
  });
  test('no criteria / empty Filters compile to undefined', () => {
    assert.equal(compileFilterCriteria(undefined), undefined);
    assert.equal(compileFilterCriteria({ Filters: [] }), undefined);
  });
  test('5 filters are allowed, 6 are not', () => {
    const p = { Pattern: '{"a":["x"]}' };
    assert.ok(compileFilterCriteria({ Filters: [p, p, p, p, p] }));
    assertInvalid(() => compileFilterCriteria({ Filters: [p, p, p, p, p, p] }));
  });
  test('4096 characters are allowed, 4097 are not', () => {
    const mk = (len: number): string => {
      const head = '{"a":["';
      const tail = '"]}';
      return head + 'x'.repeat(len - head.length - tail.length) + tail;
    };
    assert.equal(mk(4096).length, 4096);
    assert.ok(compileFilterCriteria({ Filters: [{ Pattern: mk(4096) }] }));
    assertInvalid(() => compileFilterCriteria({ Filters: [{ Pattern: mk(4097) }] }));
  });
});

function assertInvalid(fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.type, 'InvalidParameterValueException');
    assert.equal(e.status, 400);
    assert.equal(e.message, 'Invalid filter pattern definition.');
    return true;
  });
}

const invalid = [
  'not json',
  '',
  '[]',
  '"x"',
  '{"a":"x"}',
  '{"a":1}',
  '{"a":[]}',
  '{"a":{}}',
  '{"a":[{"prefix":1}]}',
  '{"a":[{"prefix":"x","suffix":"y"}]}',
  '{"a":[{"unknown":"x"}]}',
  '{"a":[{"exists":"true"}]}',
  '{"a":[{"numeric":[">"]}]}',
  '{"a":[{"numeric":["!=",1]}]}',
  '{"a":[{"numeric":[">","1"]}]}',
  '{"a":[{"numeric":["<",5,">",1]}]}',
  '{"a":[{"numeric":[">",5,"<",1]}]}',
  '{"a":[{"anything-but":[]}]}',
  '{"a":[{"anything-but":{"wildcard":"x"}}]}',
  '{"a":[{"anything-but":[{"prefix":"x"}]}]}',
  '{"a":[[1]]}',
  '{"a":["x"]} trailing',
];

describe('invalid patterns are rejected with AWS error', () => {
  for (const p of invalid) {
    test(JSON.stringify(p), () => assertInvalid(() => compileFilterCriteria({ Filters: [{ Pattern: p }] })));
  }
  test('a filter without Pattern', () => assertInvalid(() => compileFilterCriteria({ Filters: [{} as { Pattern: string }] })));
});
