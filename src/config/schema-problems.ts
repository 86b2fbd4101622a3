import { Ajv, type ErrorObject } from 'ajv';
import type { ConfigProblem } from '../core/errors.js';
import { CONFIG_SCHEMA } from './schema.js';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
// `allowed` is an annotation: the text a problem message shows as "expected ...".
ajv.addKeyword({ keyword: 'allowed', schemaType: 'string' });
const validate = ajv.compile(CONFIG_SCHEMA);

const IDENT = /^[A-Za-z_$][\w$-]*$/;

/** `/mappings/0/BatchSize` → `mappings[0].BatchSize`; odd keys become `["key"]`. */
export function keyPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENT.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '(top level)' : out;
}

function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function allowedOf(schema: unknown): string {
  const a = (schema as { allowed?: unknown } | undefined)?.allowed;
  return typeof a === 'string' ? a : 'a valid value';
}

function toProblem(e: ErrorObject, file: string): ConfigProblem | undefined {
  const at = pointerSegments(e.instancePath);
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const keys = Object.keys((parent?.properties as object | undefined) ?? {});
      return {
        file,
        path: keyPath([...at, key]),
        value: (e.data as Record<string, unknown>)[key],
        allowed: `no such key here (unknown key ${JSON.stringify(key)}); allowed keys: ${keys.join(', ')}`,
      };
    }
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const prop = (parent?.properties as Record<string, unknown> | undefined)?.[key];
      return { file, path: keyPath([...at, key]), value: undefined, allowed: `${allowedOf(prop)} (required)` };
    }
    case 'propertyNames': {
      const key = String((e.params as { propertyName: string }).propertyName);
      return { file, path: keyPath([...at, key]), value: key, allowed: `${allowedOf(parent?.propertyNames)} as the key` };
    }
    default:
      // Errors raised inside propertyNames are reported once, by the propertyNames error above.
      if (e.propertyName !== undefined) return undefined;
      return { file, path: keyPath(at), value: e.data, allowed: allowedOf(parent) };
  }
}

/** Checks the parsed YAML against the schema; one problem per key path, in document order. */
export function schemaProblems(data: unknown, file: string): ConfigProblem[] {
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const e of validate.errors ?? []) {
    const p = toProblem(e, file);
    if (!p || seen.has(p.path)) continue;
    seen.add(p.path);
    out.push(p);
  }
  return out;
}
