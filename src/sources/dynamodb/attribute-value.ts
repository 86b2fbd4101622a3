/**
 * DynamoDB attribute values as they appear in the Lambda event: the wire JSON
 * (`{"S":"x"}`, `{"N":"1"}`, binary as base64 `{"B":"aGk="}`), converted from the SDK v3 shape
 * (binary as Uint8Array).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb-streams';

export type JsonAttributeValue = { readonly [type: string]: unknown };
export type JsonItem = Readonly<Record<string, JsonAttributeValue>>;

const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');

export function toJsonAttributeValue(v: AttributeValue): JsonAttributeValue {
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.B !== undefined) return { B: b64(v.B) };
  if (v.SS !== undefined) return { SS: v.SS };
  if (v.NS !== undefined) return { NS: v.NS };
  if (v.BS !== undefined) return { BS: v.BS.map(b64) };
  if (v.M !== undefined) return { M: toJsonItem(v.M) };
  if (v.L !== undefined) return { L: v.L.map(toJsonAttributeValue) };
  if (v.NULL !== undefined) return { NULL: v.NULL };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  const unknown = (v as { $unknown?: [string, unknown] }).$unknown;
  return unknown ? { [unknown[0]]: unknown[1] } : {};
}

export function toJsonItem(item: Record<string, AttributeValue>): JsonItem {
  const out: Record<string, JsonAttributeValue> = {};
  for (const [k, v] of Object.entries(item)) out[k] = toJsonAttributeValue(v);
  return out;
}

/**
 * Canonical JSON of an item key: attribute names sorted, so the same key always gives the same
 * string (the ordering key for ParallelizationFactor: records of one item stay in order).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
