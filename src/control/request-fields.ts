import { badContent } from './api-errors.js';

/**
 * Typed reads of a JSON request body. A member of the wrong JSON type is a deserialization error
 * (InvalidRequestContentException), as AWS reports it before any validation.
 */
export type Body = Readonly<Record<string, unknown>>;

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'string' ? `String "${v.slice(0, 64)}"` : typeof v;
}

export function asBody(input: unknown, what = 'request body'): Body {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw badContent(`${what} must be a JSON object, got ${describe(input)}`);
  return input as Body;
}

export function optInt(b: Body, key: string): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw badContent(`Cannot deserialize value of type \`java.lang.Integer\` from ${describe(v)} at ${key}`);
  return v;
}

export function optBool(b: Body, key: string): boolean | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw badContent(`Cannot deserialize value of type \`java.lang.Boolean\` from ${describe(v)} at ${key}`);
  return v;
}

export function optString(b: Body, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badContent(`Cannot deserialize value of type \`java.lang.String\` from ${describe(v)} at ${key}`);
  return v;
}

export function optStringList(b: Body, key: string): string[] | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw badContent(`Cannot deserialize value of type \`java.util.ArrayList\` from ${describe(v)} at ${key}`);
  return v.map((x, i) => {
    if (typeof x !== 'string') throw badContent(`Cannot deserialize value of type \`java.lang.String\` from ${describe(x)} at ${key}[${i}]`);
    return x;
  });
}

export function optObject(b: Body, key: string): Body | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  return asBody(v, key);
}

export function optObjectList(b: Body, key: string): Body[] | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw badContent(`Cannot deserialize value of type \`java.util.ArrayList\` from ${describe(v)} at ${key}`);
  return v.map((x, i) => asBody(x, `${key}[${i}]`));
}

/** A timestamp member: epoch seconds (number, as the SDKs send it) or an ISO-8601 string. Returns epoch seconds. */
export function optTimestamp(b: Body, key: string): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  throw badContent(`Cannot deserialize value of type \`java.util.Date\` from ${describe(v)} at ${key}`);
}
