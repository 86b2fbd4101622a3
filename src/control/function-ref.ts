/**
 * FunctionName as the Lambda API takes it: a name (`my-fn`), a partial ARN (`123456789012:function:my-fn`),
 * or a full ARN, each with an optional `:qualifier` (version or alias).
 */
export interface FunctionRef {
  readonly name: string;
  readonly qualifier?: string;
  /** Region/account named in the reference, when it was an ARN. */
  readonly region?: string;
  readonly accountId?: string;
}

/** AWS's model pattern for FunctionName. */
export const FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const FUNCTION_NAME_RE = new RegExp(`^${FUNCTION_NAME_PATTERN}$`);

export function parseFunctionRef(s: string): FunctionRef | undefined {
  const m = FUNCTION_NAME_RE.exec(s);
  if (!m) return undefined;
  const name = m[7];
  if (!name) return undefined;
  const region = m[3]?.slice(0, -1);
  const accountId = m[5]?.slice(0, -1);
  const qualifier = m[9];
  return { name, ...(qualifier ? { qualifier } : {}), ...(region ? { region } : {}), ...(accountId ? { accountId } : {}) };
}

export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}
