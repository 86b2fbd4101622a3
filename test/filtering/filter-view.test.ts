import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilterCriteria } from '../../src/filtering/compile.js';
import { filterView } from '../../src/filtering/filter-view.js';
import { ExactNumber, parseExactJson } from '../../src/filtering/exact-json.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const match = (pattern: string, view: unknown): boolean => {
  const f = compileFilterCriteria({ Filters: [{ Pattern: pattern }] });
  assert.ok(f);
  return f.matches(view);
};

describe('filterView per source', () => {
  test('SQS: JSON body is parsed; metadata kept', () => {
    const rec = { messageId: 'm1', body: '{"RequestCode":"BBBB","n":300.0}', attributes: { SenderId: 'S' }, eventSource: 'aws:sqs' };
    const v = filterView('sqs', rec);
    assert.equal(match('{"body":{"RequestCode":["BBBB"]}}', v), true);
    assert.equal(match('{"body":{"n":[300]}}', v), false);
    assert.equal(match('{"body":{"n":[{"numeric":["=",300]}]}}', v), true);
    assert.equal(match('{"attributes":{"SenderId":["S"]}}', v), true);
    assert.equal(rec.body, '{"RequestCode":"BBBB","n":300.0}', 'the record is not modified');
  });
  test('SQS: plain-text body is matched as a string', () => {
    const v = filterView('sqs', { messageId: 'm1', body: 'hello world' });
    assert.equal(match('{"body":[{"prefix":"hello"}]}', v), true);
    assert.equal(match('{"body":{"a":["x"]}}', v), false);
  });
  test('Kinesis: data is base64-decoded and parsed; kinesis fields at top level', () => {
    const rec = {
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'pk1', sequenceNumber: '1', data: b64('{"order":{"type":"buy"}}'), approximateArrivalTimestamp: 1 },
      eventSource: 'aws:kinesis',
    };
    const v = filterView('kinesis', rec);
    assert.equal(match('{"data":{"order":{"type":["buy"]}}}', v), true);
    assert.equal(match('{"data":{"order":{"type":["sell"]}}}', v), false);
    assert.equal(match('{"partitionKey":["pk1"]}', v), true);
    assert.equal(match('{"eventSource":["aws:kinesis"]}', v), true);
  });
  test('Kinesis: non-JSON data is a string', () => {
    const v = filterView('kinesis', { kinesis: { data: b64('plain') } });
    assert.equal(match('{"data":["plain"]}', v), true);
  });
  test('DynamoDB: the record as is', () => {
    const rec = { eventName: 'INSERT', dynamodb: { NewImage: { status: { S: 'active' } }, Keys: { id: { N: '1' } } } };
    const v = filterView('dynamodb', rec);
    assert.equal(match('{"eventName":["INSERT"],"dynamodb":{"NewImage":{"status":{"S":["active"]}}}}', v), true);
    assert.equal(match('{"dynamodb":{"Keys":{"id":{"N":["2"]}}}}', v), false);
  });
  test('Kafka: key and value decoded; null key stays null', () => {
    const v = filterView('kafka', { topic: 't', partition: 0, offset: 5, key: null, value: b64('{"amount":12}') });
    assert.equal(match('{"value":{"amount":[{"numeric":[">",10]}]}}', v), true);
    assert.equal(match('{"key":[null]}', v), true);
    assert.equal(match('{"partition":[0]}', v), true);
    const v2 = filterView('kafka', { key: b64('user-1'), value: b64('x') });
    assert.equal(match('{"key":[{"prefix":"user-"}]}', v2), true);
  });
  test('MQ: data decoded', () => {
    for (const kind of ['rabbitmq', 'activemq'] as const) {
      const v = filterView(kind, { data: b64('{"k":"v"}'), redelivered: false });
      assert.equal(match('{"data":{"k":["v"]}}', v), true, kind);
      assert.equal(match('{"redelivered":[false]}', v), true, kind);
    }
  });
});

describe('exact JSON parsing', () => {
  test('non-canonical numbers keep their text, canonical ones are numbers', () => {
    const v = parseExactJson('{"a":300.0,"b":300,"c":[3e2,-0,1.5],"d":"x\\ny","e":true}') as Record<string, unknown>;
    assert.deepEqual(v.a, new ExactNumber(300, '300.0'));
    assert.equal(v.b, 300);
    assert.deepEqual(v.c, [new ExactNumber(300, '3e2'), new ExactNumber(-0, '-0'), 1.5]);
    assert.equal(v.d, 'x\ny');
    assert.equal(v.e, true);
  });
  test('number-like text inside strings does not change values', () => {
    assert.deepEqual(parseExactJson('{"s":"v1.0","n":300,"m":"-0"}'), { s: 'v1.0', n: 300, m: '-0' });
    assert.deepEqual(parseExactJson('{"s":"1.5","n":2.25}'), { s: '1.5', n: 2.25 });
  });
  test('rejects what JSON.parse rejects', () => {
    for (const s of ['{"a":01.0}', '{"a":1.}', '{a:1.0}', '[1.0,]', '{"a":"\u0001"} 1.0', '1.0 2']) {
      assert.throws(() => parseExactJson(s), SyntaxError, s);
    }
  });
  test('agrees with JSON.parse on values', () => {
    const samples = ['{"x":[1.25,{"y":"a\\u0041"}],"z":null}', '[1.0e3, "q", false]', ' {"k" : 2.50 } '];
    for (const s of samples) {
      const norm = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof ExactNumber ? x.value : x)));
      assert.deepEqual(norm(parseExactJson(s)), JSON.parse(s));
    }
  });
});
