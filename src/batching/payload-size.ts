/**
 * Exact serialized sizes without serializing. Sources measure each record once at poll time
 * (`PolledRecord.payloadBytes`); the batcher adds them up arithmetically, so a 6 MB cap is
 * enforced without building the event string.
 */
import type { EventEnvelope, PolledRecord } from '../sources/source.js';

/**
 * AWS Lambda's synchronous invoke payload limit (6 MB). A batch's serialized event never exceeds
 * it; a single record that alone exceeds it fails as that record (esm-semantics.md §2).
 */
export const PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/**
 * Running totals of a poll's record sizes: `out[0] = 0`, `out[i + 1] = out[i] + records[i].payloadBytes`
 * (float64: exact far beyond any buffer). Read once per record when a poll arrives, so the batcher
 * and the checkpoint tracker can size any range of the poll without touching its records again.
 */
export function prefixBytes(records: readonly { readonly payloadBytes: number }[]): Float64Array {
  const n = records.length;
  const out = new Float64Array(n + 1);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += records[i]!.payloadBytes;
    out[i + 1] = sum;
  }
  return out;
}

/** Characters JSON.stringify escapes or that are not single-byte ASCII. */
// eslint-disable-next-line no-control-regex
const NEEDS_WALK = /["\\\u0000-\u001f\ud800-\udfff]/;

/** UTF-8 byte length of `JSON.stringify(s)` for a string, quotes included. */
export function jsonStringByteLength(s: string): number {
  if (!NEEDS_WALK.test(s)) return Buffer.byteLength(s, 'utf8') + 2;
  let n = 2;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x22 || c === 0x5c) n += 2;
      else if (c >= 0x20) n += 1;
      else if (c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) n += 2;
      else n += 6; // \u00XX
    } else if (c < 0x800) {
      n += 2;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < len ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += 6; // lone high surrogate: \uXXXX
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      n += 6; // lone low surrogate: \uXXXX
    } else {
      n += 3;
    }
  }
  return n;
}

/** Size of a value in an object/array slot, or -1 when JSON.stringify would omit it. */
function slotBytes(value: unknown, key: string): number {
  let v = value;
  if (v !== null && (typeof v === 'object' || typeof v === 'bigint')) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') v = (toJSON as (k: string) => unknown).call(v, key);
  }
  switch (typeof v) {
    case 'string':
      return jsonStringByteLength(v);
    case 'number':
      return Number.isFinite(v) ? String(v).length : 4;
    case 'boolean':
      return v ? 4 : 5;
    case 'undefined':
    case 'function':
    case 'symbol':
      return -1;
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      return v === null ? 4 : objectBytes(v);
  }
  return -1;
}

function objectBytes(o: object): number {
  if (o instanceof Number) return slotBytes(Number(o), '');
  if (o instanceof String) return jsonStringByteLength(String(o));
  if (o instanceof Boolean) return o.valueOf() ? 4 : 5;
  if (Array.isArray(o)) {
    const len = o.length;
    if (len === 0) return 2;
    let n = 1 + len; // '[' + commas + ']'
    for (let i = 0; i < len; i++) {
      const b = slotBytes(o[i], String(i));
      n += b < 0 ? 4 : b;
    }
    return n;
  }
  let n = 2;
  let members = 0;
  const rec = o as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    const b = slotBytes(rec[k], k);
    if (b < 0) continue;
    n += jsonStringByteLength(k) + 1 + b;
    members++;
  }
  return members > 1 ? n + members - 1 : n;
}

/**
 * The exact UTF-8 byte length of `JSON.stringify(value)`, computed by walking the value (no JSON
 * string is built). Follows JSON.stringify: `toJSON` is honoured (Date, Buffer), non-finite
 * numbers are `null`, undefined/function/symbol properties are skipped in objects and are `null`
 * in arrays, lone surrogates are escaped as `\uXXXX`. A top-level value JSON.stringify cannot
 * represent (undefined, a function) measures 0. Throws TypeError for BigInt, like JSON.stringify.
 */
export function jsonByteLength(value: unknown): number {
  const b = slotBytes(value, '');
  return b < 0 ? 0 : b;
}

/**
 * Serialized size of the event `envelope.wrap(records)`:
 * `overheadBytes + sum(payloadBytes) + max(0, n - 1)` (the commas between records).
 */
export function batchPayloadBytes(envelope: Pick<EventEnvelope, 'overheadBytes'>, records: readonly Pick<PolledRecord, 'payloadBytes'>[]): number {
  let n = envelope.overheadBytes;
  for (const r of records) n += r.payloadBytes;
  return records.length > 1 ? n + records.length - 1 : n;
}
