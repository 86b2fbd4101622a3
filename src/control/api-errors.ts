import { ApiError } from '../core/errors.js';

/** InvalidParameterValueException (400), AWS's error for a request that breaks a service rule. */
export const invalidParameter = (message: string): ApiError => new ApiError('InvalidParameterValueException', 400, message);

export const notFound = (message = 'The resource you requested does not exist.'): ApiError =>
  new ApiError('ResourceNotFoundException', 404, message);

/** The request body is not the JSON the operation takes (malformed, or a member of the wrong type). */
export const badContent = (detail: string): ApiError =>
  new ApiError('InvalidRequestContentException', 400, `Could not parse request body into json: Could not parse payload into json: ${detail}`);

/** How AWS's model validation prints a value: `'5'`, `'[a, b]'`, or `null` without quotes. */
export function formatConstraintValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `'[${v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')}]'`;
  if (typeof v === 'object') return `'${JSON.stringify(v)}'`;
  return `'${String(v)}'`;
}

/** Collects model-constraint violations and throws them as one ValidationException, AWS style. */
export class ConstraintViolations {
  readonly #items: string[] = [];

  add(value: unknown, path: string, constraint: string): void {
    this.#items.push(`Value ${formatConstraintValue(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  min(value: number | undefined, path: string, min: number): void {
    if (value !== undefined && value < min) this.add(value, path, `Member must have value greater than or equal to ${min}`);
  }

  max(value: number | undefined, path: string, max: number): void {
    if (value !== undefined && value > max) this.add(value, path, `Member must have value less than or equal to ${max}`);
  }

  range(value: number | undefined, path: string, min: number, max: number): void {
    this.min(value, path, min);
    this.max(value, path, max);
  }

  lengthRange(value: string | readonly unknown[] | undefined, path: string, min: number, max: number): void {
    if (value === undefined) return;
    if (value.length < min) this.add(value, path, `Member must have length greater than or equal to ${min}`);
    if (value.length > max) this.add(value, path, `Member must have length less than or equal to ${max}`);
  }

  get size(): number {
    return this.#items.length;
  }

  throwIfAny(): void {
    const n = this.#items.length;
    if (n === 0) return;
    const head = n === 1 ? '1 validation error detected: ' : `${n} validation errors detected: `;
    throw new ApiError('ValidationException', 400, head + this.#items.join('; '));
  }
}
