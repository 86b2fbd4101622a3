/**
 * The invoke request body: the event as UTF-8 JSON bytes, exactly
 * `Buffer.from(JSON.stringify(event))` (`null` for a value JSON.stringify cannot represent, e.g.
 * undefined).
 *
 * Why not hand undici the string: undici turns a string body into `Buffer.from(body)`, which
 * first measures the UTF-8 length (a full pass over the ~100 KB string) and then encodes it. Here
 * the length is known without that pass: the caller's exact `payloadBytes`, or, when that is
 * missing or too small, the string's length (exact when the JSON is ASCII, as most events are:
 * base64 data, ids and ARNs; JSON.stringify writes lone surrogates as ASCII `\uXXXX`). The string
 * is encoded once into a buffer of that size; `encodeInto` reports whether all of it fit, and
 * only when it did not (non-ASCII text without a right size) is it encoded again by Buffer.from.
 */

const encoder = new TextEncoder();

/**
 * Encodes a JSON string as UTF-8. `byteHint` is the expected byte length (0 when unknown); any
 * value gives the same bytes, a right one only saves work. UTF-8 never takes more than 3 bytes
 * per UTF-16 code unit, so larger hints are capped at that.
 */
export function encodeJson(json: string, byteHint: number): Buffer {
  const units = json.length;
  const size = byteHint > units ? Math.min(byteHint, 3 * units) : units;
  const buf = Buffer.allocUnsafe(size);
  const { read, written } = encoder.encodeInto(json, buf);
  if (read !== units) return Buffer.from(json, 'utf8');
  return written === size ? buf : buf.subarray(0, written);
}

/**
 * Serializes `event` once and encodes it (see encodeJson). Throws what JSON.stringify throws
 * (BigInt, cycles, a throwing toJSON).
 */
export function jsonBody(event: unknown, byteHint: number): Buffer {
  return encodeJson(JSON.stringify(event) ?? 'null', byteHint);
}
