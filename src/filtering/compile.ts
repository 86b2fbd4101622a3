/**
 * Event filtering (FilterCriteria): EventBridge-style patterns, compiled once per mapping into a
 * tree of small predicates.
 *
 * AWS rules ("Control which events Lambda sends to your function"):
 * - at most 5 filters, each pattern at most 4096 characters, filters are ORed;
 * - a pattern is a JSON object; a key maps to an object (nested fields, ANDed) or to a non-empty
 *   array of conditions (ORed);
 * - conditions: exact string / number / boolean, `null`, `""`, `{"prefix": s}`, `{"suffix": s}`,
 *   `{"equals-ignore-case": s}`, `{"anything-but": v | [v…] | {"prefix": s} | {"suffix": s} |
 *   {"equals-ignore-case": s | [s…]}}`, `{"numeric": [op, n (, op, n)]}` (op `=`, `<`, `<=`, `>`,
 *   `>=`; a range is a lower bound then an upper bound), `{"exists": true|false}`;
 * - matching is exact: numbers compare by their written form (`300` ≠ `300.0`) except in
 *   `numeric`; when the record's field is an array, the condition holds if it holds for one element;
 *   `exists` only sees leaves (an object is not a leaf).
 * Anything else is rejected with AWS's `InvalidParameterValueException: Invalid filter pattern definition.`
 */
import { ApiError } from '../core/errors.js';
import type { FilterCriteria } from '../core/mapping.js';
import { ExactNumber, numberText, parseExactJson } from './exact-json.js';

export const MAX_FILTERS = 5;
export const MAX_PATTERN_LENGTH = 4096;

export interface CompiledFilter {
  /** True when the record view (see filterView) matches at least one filter. */
  matches(view: unknown): boolean;
  /** Number of filters. */
  readonly size: number;
}

type Pred = (v: unknown) => boolean;
/** A leaf condition: an `exists` check, or a test of one leaf value. */
interface Leaf {
  readonly exists?: boolean;
  readonly test?: Pred;
}
type ObjMatcher = (obj: unknown) => boolean;

export class InvalidPattern extends Error {}

export function invalidPatternError(detail?: string): ApiError {
  return new ApiError('InvalidParameterValueException', 400, 'Invalid filter pattern definition.', detail ? { detail } : undefined);
}

function bad(why: string): never {
  throw new InvalidPattern(why);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof ExactNumber);
const isNum = (v: unknown): v is number | ExactNumber => typeof v === 'number' || v instanceof ExactNumber;
const numValue = (v: number | ExactNumber): number => (typeof v === 'number' ? v : v.value);

function exactPred(c: unknown): Pred {
  if (c === null) return (v) => v === null;
  if (typeof c === 'string' || typeof c === 'boolean') return (v) => v === c;
  if (isNum(c)) {
    const t = numberText(c);
    return (v) => isNum(v) && numberText(v) === t;
  }
  return bad('an exact value must be a string, number, boolean or null');
}

function stringOperand(op: string, x: unknown): string {
  if (typeof x !== 'string') bad(`${op} takes a string`);
  return x;
}

function anythingBut(x: unknown): Pred {
  if (isPlainObject(x)) {
    const keys = Object.keys(x);
    if (keys.length !== 1) bad('anything-but takes one operator');
    const op = keys[0] as string;
    const arg = x[op];
    if (op === 'prefix') {
      const s = stringOperand(op, arg);
      return (v) => typeof v === 'string' && !v.startsWith(s);
    }
    if (op === 'suffix') {
      const s = stringOperand(op, arg);
      return (v) => typeof v === 'string' && !v.endsWith(s);
    }
    if (op === 'equals-ignore-case') {
      const list = Array.isArray(arg) ? arg : [arg];
      if (list.length === 0) bad('anything-but equals-ignore-case needs values');
      const lowered = new Set(list.map((s) => stringOperand(op, s).toLowerCase()));
      return (v) => typeof v === 'string' && !lowered.has(v.toLowerCase());
    }
    return bad(`anything-but does not take ${op}`);
  }
  const list = Array.isArray(x) ? x : [x];
  if (list.length === 0) bad('anything-but needs values');
  const preds = list.map((c) => {
    if (typeof c !== 'string' && !isNum(c)) bad('anything-but values must be strings or numbers');
    return exactPred(c);
  });
  return (v) => v !== undefined && !preds.some((p) => p(v));
}

const LOWER = new Set(['>', '>=']);
const UPPER = new Set(['<', '<=']);

function numeric(x: unknown): Pred {
  if (!Array.isArray(x) || (x.length !== 2 && x.length !== 4)) bad('numeric takes [op, n] or [op, n, op, n]');
  const parts: { op: string; n: number }[] = [];
  for (let i = 0; i < x.length; i += 2) {
    const op = x[i] as unknown;
    const n = x[i + 1] as unknown;
    if (typeof op !== 'string' || !['=', '<', '<=', '>', '>='].includes(op)) bad(`numeric operator ${String(op)}`);
    if (!isNum(n) || !Number.isFinite(numValue(n))) bad('numeric operand must be a number');
    parts.push({ op, n: numValue(n) });
  }
  if (parts.length === 2) {
    const [a, b] = parts as [{ op: string; n: number }, { op: string; n: number }];
    if (!LOWER.has(a.op) || !UPPER.has(b.op) || a.n >= b.n) bad('numeric range must be a lower then a higher upper bound');
  }
  const checks = parts.map(({ op, n }): ((v: number) => boolean) => {
    switch (op) {
      case '=':
        return (v) => v === n;
      case '<':
        return (v) => v < n;
      case '<=':
        return (v) => v <= n;
      case '>':
        return (v) => v > n;
      default:
        return (v) => v >= n;
    }
  });
  return (v) => {
    if (!isNum(v)) return false;
    const n = numValue(v);
    for (const c of checks) if (!c(n)) return false;
    return true;
  };
}

function condition(c: unknown): Leaf {
  if (!isPlainObject(c)) return { test: exactPred(c) };
  const keys = Object.keys(c);
  if (keys.length !== 1) bad('an operator object has exactly one key');
  const op = keys[0] as string;
  const x = c[op];
  switch (op) {
    case 'prefix': {
      const s = stringOperand(op, x);
      return { test: (v) => typeof v === 'string' && v.startsWith(s) };
    }
    case 'suffix': {
      const s = stringOperand(op, x);
      return { test: (v) => typeof v === 'string' && v.endsWith(s) };
    }
    case 'equals-ignore-case': {
      const s = stringOperand(op, x).toLowerCase();
      return { test: (v) => typeof v === 'string' && v.toLowerCase() === s };
    }
    case 'anything-but':
      return { test: anythingBut(x) };
    case 'numeric':
      return { test: numeric(x) };
    case 'exists':
      if (typeof x !== 'boolean') bad('exists takes true or false');
      return { exists: x };
    default:
      return bad(`unknown operator ${op}`);
  }
}

/** A field value as leaf values: arrays are flattened one level; objects are not leaves. */
function leafMatcher(conds: readonly unknown[]): (v: unknown) => boolean {
  if (conds.length === 0) bad('an empty condition list');
  const leaves = conds.map(condition);
  const tests = leaves.filter((l) => l.test).map((l) => l.test as Pred);
  const wantsPresent = leaves.some((l) => l.exists === true);
  const wantsAbsent = leaves.some((l) => l.exists === false);
  const testOne = (x: unknown): boolean => {
    for (const t of tests) if (t(x)) return true;
    return false;
  };
  return (v) => {
    const isLeafPresent = v !== undefined && !isPlainObject(v) && !(Array.isArray(v) && v.length === 0);
    if (wantsPresent && isLeafPresent) return true;
    if (wantsAbsent && !isLeafPresent) return true;
    if (v === undefined || tests.length === 0) return false;
    if (Array.isArray(v)) {
      for (const x of v) if (testOne(x)) return true;
      return false;
    }
    return testOne(v);
  };
}

function objectMatcher(pattern: Record<string, unknown>, top: boolean): ObjMatcher {
  const keys = Object.keys(pattern);
  if (keys.length === 0 && !top) bad('an empty nested pattern');
  const fields = keys.map((k): [string, (v: unknown) => boolean] => {
    const p = pattern[k];
    if (Array.isArray(p)) return [k, leafMatcher(p)];
    if (isPlainObject(p)) {
      const inner = objectMatcher(p, false);
      return [k, (v) => (Array.isArray(v) ? v.some(inner) : inner(v))];
    }
    return bad(`the value of ${k} must be an array or an object`);
  });
  return (obj) => {
    const o = isPlainObject(obj) ? obj : undefined;
    for (const [k, m] of fields) {
      const v = o !== undefined && Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
      if (!m(v)) return false;
    }
    return true;
  };
}

/** Compiles one pattern string; throws InvalidPattern. */
export function compilePattern(pattern: string): ObjMatcher {
  if (pattern.length > MAX_PATTERN_LENGTH) bad(`pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  let parsed: unknown;
  try {
    parsed = parseExactJson(pattern);
  } catch {
    return bad('pattern is not JSON');
  }
  if (!isPlainObject(parsed)) bad('pattern is not a JSON object');
  return objectMatcher(parsed, true);
}

/**
 * Compiles FilterCriteria once. Returns undefined when there is nothing to filter (no criteria or
 * an empty Filters list). Throws ApiError InvalidParameterValueException (400) "Invalid filter
 * pattern definition." for an invalid pattern, a pattern over 4096 characters or more than 5 filters.
 */
export function compileFilterCriteria(criteria?: FilterCriteria): CompiledFilter | undefined {
  if (criteria === undefined || criteria === null) return undefined;
  const filters = (criteria as { Filters?: unknown }).Filters;
  if (filters === undefined || filters === null) return undefined;
  if (!Array.isArray(filters)) throw invalidPatternError('Filters is not a list');
  if (filters.length === 0) return undefined;
  if (filters.length > MAX_FILTERS) throw invalidPatternError(`more than ${MAX_FILTERS} filters`);
  const matchers: ObjMatcher[] = [];
  for (const f of filters as unknown[]) {
    const pattern = isPlainObject(f) ? f.Pattern : undefined;
    if (typeof pattern !== 'string') throw invalidPatternError('a filter without a Pattern string');
    try {
      matchers.push(compilePattern(pattern));
    } catch (e) {
      if (e instanceof InvalidPattern) throw invalidPatternError(e.message);
      throw e;
    }
  }
  const single = matchers.length === 1 ? matchers[0] : undefined;
  return Object.freeze({
    size: matchers.length,
    matches: single
      ? (view: unknown) => single(view)
      : (view: unknown) => {
          for (const m of matchers) if (m(view)) return true;
          return false;
        },
  });
}
