import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../core/errors.js';
import { verifySigV4 } from './sigv4.js';

/** Control-plane authentication. With neither option set, every request is accepted (keep it on loopback). */
export interface ControlPlaneAuth {
  /** `Authorization: Bearer <token>` accepted. */
  readonly bearerToken?: string;
  /** AWS SigV4-signed requests (the AWS SDKs and CLI) accepted for these keys. */
  readonly accessKeys?: readonly { readonly accessKeyId: string; readonly secretAccessKey: string }[];
}

const sameText = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Throws a 403 ApiError in AWS's shape unless the request is authenticated. */
export function authenticate(
  auth: ControlPlaneAuth | undefined,
  req: { method: string; rawUrl: string; headers: IncomingHttpHeaders; body: Buffer },
  nowMs: number,
): void {
  const token = auth?.bearerToken;
  const keys = auth?.accessKeys ?? [];
  if (!token && keys.length === 0) return;
  const header = req.headers.authorization ?? '';
  if (token && /^Bearer\s+/i.test(header)) {
    if (sameText(header.replace(/^Bearer\s+/i, '').trim(), token)) return;
    throw new ApiError('UnrecognizedClientException', 403, 'The security token included in the request is invalid.');
  }
  if (keys.length > 0 && header.startsWith('AWS4-HMAC-SHA256')) {
    const r = verifySigV4({
      ...req,
      nowMs,
      secretFor: (id) => keys.find((k) => k.accessKeyId === id)?.secretAccessKey,
    });
    if (r.ok) return;
    if (r.reason === 'unknown-key') throw new ApiError('UnrecognizedClientException', 403, 'The security token included in the request is invalid.');
    if (r.reason === 'expired') throw new ApiError('InvalidSignatureException', 403, `Signature expired: ${r.detail} is now earlier or later than 15 minutes from the server time.`);
    throw new ApiError(
      'InvalidSignatureException',
      403,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  throw new ApiError('UnrecognizedClientException', 403, 'Missing Authentication Token');
}
