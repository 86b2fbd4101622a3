import { ApiError } from '../core/errors.js';
import type { StoredMapping } from '../state/store.js';
import { ConstraintViolations, invalidParameter } from './api-errors.js';
import { FUNCTION_NAME_PATTERN, functionArn, parseFunctionRef } from './function-ref.js';

/** ListEventSourceMappings never returns more than this many items per page. */
export const LIST_PAGE_MAX = 100;

export interface ListQuery {
  readonly EventSourceArn?: string;
  readonly FunctionName?: string;
  readonly Marker?: string;
  readonly MaxItems?: string;
}

const encodeMarker = (uuid: string): string => Buffer.from(JSON.stringify({ after: uuid })).toString('base64url');
function decodeMarker(m: string): string {
  try {
    const v = JSON.parse(Buffer.from(m, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'string') return v.after;
  } catch {
    // fall through
  }
  throw invalidParameter('Invalid Marker.');
}

/**
 * One page of mappings, ordered by UUID: filtered by EventSourceArn and/or FunctionName (a name,
 * partial or full ARN; with a qualifier only that version/alias), MaxItems 1..10000 capped at 100.
 */
export function listPage(
  all: readonly StoredMapping[],
  q: ListQuery,
  ctx: { region: string; accountId: string },
): { items: StoredMapping[]; nextMarker?: string } {
  let max = LIST_PAGE_MAX;
  if (q.MaxItems !== undefined) {
    const n = /^-?\d+$/.test(q.MaxItems) ? Number(q.MaxItems) : NaN;
    if (!Number.isSafeInteger(n)) throw new ApiError('InvalidParameterValueException', 400, `Invalid value for MaxItems: ${q.MaxItems}`);
    const v = new ConstraintViolations();
    v.range(n, 'maxItems', 1, 10000);
    v.throwIfAny();
    max = Math.min(n, LIST_PAGE_MAX);
  }
  let items = [...all].sort((a, b) => (a.spec.UUID < b.spec.UUID ? -1 : a.spec.UUID > b.spec.UUID ? 1 : 0));
  if (q.EventSourceArn !== undefined) items = items.filter((m) => m.spec.EventSourceArn === q.EventSourceArn);
  if (q.FunctionName !== undefined) {
    const ref = parseFunctionRef(q.FunctionName);
    if (!ref) {
      const v = new ConstraintViolations();
      v.add(q.FunctionName, 'functionName', `Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`);
      v.throwIfAny();
    }
    const arn = functionArn(ref!.region ?? ctx.region, ref!.accountId ?? ctx.accountId, ref!.name, ref!.qualifier);
    items = items.filter((m) => m.spec.FunctionArn === arn);
  }
  if (q.Marker !== undefined && q.Marker !== '') {
    const after = decodeMarker(q.Marker);
    items = items.filter((m) => m.spec.UUID > after);
  }
  const page = items.slice(0, max);
  const last = page[page.length - 1];
  return items.length > max && last ? { items: page, nextMarker: encodeMarker(last.spec.UUID) } : { items: page };
}
