/**
 * JSON parsing that keeps the written form of numbers where JavaScript would lose it.
 *
 * Event filtering matches numbers exactly as written (AWS: `300`, `300.0` and `3e2` are different
 * values for an exact match; only `numeric` compares values). `JSON.parse` turns all three into
 * 300, so numbers whose text is not the canonical JavaScript form (`300.0`, `3e2`, `-0`, integers
 * beyond 2^53) are returned as `ExactNumber`. Every other value is a plain JSON value.
 */

/** A JSON number whose written form differs from `String(value)`. */
export class ExactNumber {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}
}

/** Numbers with a fraction or exponent have a digit before `.`/`e`; `-0`; 16+ digit integers. */
const NON_CANONICAL_HINT = /\d[.eE]|-0|\d{16}/;

/** Every run that looks like a number, in strings or not (a superset of the number tokens). */
const NUMBER_LIKE = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * True when every number token of `text` is written the way JavaScript prints it, so that
 * JSON.parse loses nothing. Runs inside strings are checked too (harmless false alarms).
 */
function allNumbersCanonical(text: string): boolean {
  NUMBER_LIKE.lastIndex = 0;
  for (let m = NUMBER_LIKE.exec(text); m !== null; m = NUMBER_LIKE.exec(text)) {
    const t = m[0];
    if (String(Number(t)) !== t) return false;
  }
  return true;
}

/** Parses `text` as JSON; throws SyntaxError when it is not JSON. */
export function parseExactJson(text: string): unknown {
  if (!NON_CANONICAL_HINT.test(text) || allNumbersCanonical(text)) return JSON.parse(text) as unknown;
  const p = new Parser(text);
  p.ws();
  const v = p.value();
  p.ws();
  if (p.i !== text.length) p.fail();
  return v;
}

/** Parses `text` as JSON, or returns undefined when it is not JSON. */
export function tryParseExactJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: parseExactJson(text) };
  } catch {
    return { ok: false };
  }
}

/** The written form of a JSON number value (plain number or ExactNumber). */
export function numberText(v: number | ExactNumber): string {
  return typeof v === 'number' ? String(v) : v.text;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_BODY = /[^"\\\u0000-\u001f]*/y;

class Parser {
  i = 0;
  constructor(readonly s: string) {}
  fail(): never {
    throw new SyntaxError(`invalid JSON at position ${this.i}`);
  }
  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++;
      else break;
    }
  }
  value(): unknown {
    const c = this.s[this.i];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      default:
        return this.number();
    }
  }
  literal<T>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.i)) this.fail();
    this.i += word.length;
    return v;
  }
  number(): number | ExactNumber {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (!m || m[0].length === 0) this.fail();
    const text = m[0];
    this.i += text.length;
    const value = Number(text);
    return String(value) === text ? value : new ExactNumber(value, text);
  }
  string(): string {
    const start = this.i;
    this.i++;
    STRING_BODY.lastIndex = this.i;
    STRING_BODY.exec(this.s);
    let end = STRING_BODY.lastIndex;
    if (this.s[end] === '"') {
      this.i = end + 1;
      return this.s.slice(start + 1, end);
    }
    // escapes: find the closing quote, let JSON.parse decode the literal
    end = this.i;
    for (;;) {
      const c = this.s.charCodeAt(end);
      if (Number.isNaN(c)) this.fail();
      if (c === 92) end += 2;
      else if (c === 34) break;
      else end++;
    }
    this.i = end + 1;
    return JSON.parse(this.s.slice(start, end + 1)) as string;
  }
  array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail();
    }
  }
  object(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail();
      const key = this.string();
      this.ws();
      if (this.s[this.i++] !== ':') this.fail();
      this.ws();
      const v = this.value();
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail();
    }
  }
}
