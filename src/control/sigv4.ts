import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Result of checking a request's AWS Signature Version 4. */
export type SigV4Result =
  | { readonly ok: true; readonly accessKeyId: string }
  | { readonly ok: false; readonly reason: 'missing' | 'unknown-key' | 'bad-signature' | 'expired' | 'malformed'; readonly detail: string };

const sha256hex = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');
const hmac = (key: string | Buffer, s: string): Buffer => createHmac('sha256', key).update(s, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept, everything else %XX upper-case). */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

/** The canonical URI: each segment of the path as sent, encoded once more (non-S3 services). */
function canonicalUri(rawPath: string): string {
  return rawPath.split('/').map((seg) => rfc3986(seg)).join('/') || '/';
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  const pairs = rawQuery.split('&').filter(Boolean).map((p) => {
    const i = p.indexOf('=');
    const k = i < 0 ? p : p.slice(0, i);
    const v = i < 0 ? '' : p.slice(i + 1);
    return [rfc3986(safeDecode(k)), rfc3986(safeDecode(v))] as const;
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(',') : String(v)).trim().replace(/\s+/g, ' ');
}

/**
 * Verifies `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` against the
 * configured access keys, recomputing the signature over the method, path, query, signed headers
 * and the SHA-256 of the body. The request time (X-Amz-Date) must be within 15 minutes.
 */
export function verifySigV4(req: {
  method: string;
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  secretFor(accessKeyId: string): string | undefined;
  nowMs: number;
}): SigV4Result {
  const auth = headerValue(req.headers, 'authorization');
  if (!auth) return { ok: false, reason: 'missing', detail: 'no Authorization header' };
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return { ok: false, reason: 'malformed', detail: 'Authorization header is not AWS4-HMAC-SHA256' };
  const [, credential, signedHeadersList, signature] = m as unknown as [string, string, string, string];
  const cred = credential.split('/');
  if (cred.length !== 5 || cred[4] !== 'aws4_request') return { ok: false, reason: 'malformed', detail: 'bad Credential scope' };
  const [accessKeyId, date, region, service] = cred as [string, string, string, string, string];
  const secret = req.secretFor(accessKeyId);
  if (secret === undefined) return { ok: false, reason: 'unknown-key', detail: accessKeyId };
  const amzDate = headerValue(req.headers, 'x-amz-date');
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date)) return { ok: false, reason: 'malformed', detail: 'missing or inconsistent X-Amz-Date' };
  const t = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(req.nowMs - t) > 15 * 60_000) return { ok: false, reason: 'expired', detail: amzDate };

  const signedHeaders = signedHeadersList.split(';');
  if (!signedHeaders.includes('host')) return { ok: false, reason: 'malformed', detail: 'host is not signed' };
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${headerValue(req.headers, h) ?? ''}\n`).join('');
  const q = req.rawUrl.indexOf('?');
  const rawPath = q < 0 ? req.rawUrl : req.rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : req.rawUrl.slice(q + 1);
  // The body is always hashed here: a client-supplied X-Amz-Content-Sha256 must match it (no UNSIGNED-PAYLOAD).
  const payloadHash = sha256hex(req.body);
  const declaredHash = headerValue(req.headers, 'x-amz-content-sha256');
  if (declaredHash !== undefined && declaredHash !== payloadHash) return { ok: false, reason: 'bad-signature', detail: 'payload hash mismatch' };
  const canonicalRequest = [req.method, canonicalUri(rawPath), canonicalQuery(rawQuery), canonicalHeaders, signedHeadersList, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonicalRequest)].join('\n');
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature', detail: 'signature mismatch' };
  return { ok: true, accessKeyId };
}
