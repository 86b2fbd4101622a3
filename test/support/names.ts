import { randomBytes } from 'node:crypto';

/** A unique resource name per test, so tests can run in parallel against one server. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
