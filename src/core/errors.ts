/**
 * The error class tree. Every error sluice raises is a SluiceError with a stable `code`, a
 * `retriable` flag that retry helpers decide from (never from `name`), context fields, and a
 * `cause` where one exists.
 */
export interface ErrorContext {
  readonly mappingUuid?: string;
  readonly shardId?: string;
  readonly functionName?: string;
  readonly source?: string;
  readonly [key: string]: unknown;
}

export class SluiceError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: ErrorContext;
  constructor(
    message: string,
    opts: { code: string; retriable?: boolean; context?: ErrorContext; cause?: unknown },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.retriable = opts.retriable ?? false;
    this.context = Object.freeze({ ...(opts.context ?? {}) });
  }
}

/** One problem found in a config file. */
export interface ConfigProblem {
  readonly file: string;
  /** Key path, e.g. `mappings[0].BatchSize`. */
  readonly path: string;
  readonly value: unknown;
  /** What is allowed, e.g. `an integer 1..10000`. */
  readonly allowed: string;
}

/** A config file that cannot be used. `problems` has one entry per problem found. */
export class ConfigError extends SluiceError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], cause?: unknown) {
    super(problems.map(formatProblem).join('\n'), { code: 'CONFIG_INVALID', context: {}, cause });
    this.problems = Object.freeze([...problems]);
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}: ${p.path}: ${JSON.stringify(p.value) ?? 'undefined'} is not allowed; expected ${p.allowed}`;
}

/** AWS Lambda API error types sluice returns on the control plane. */
export type ApiErrorType =
  | 'InvalidParameterValueException'
  | 'ValidationException'
  | 'ResourceInUseException'
  | 'ResourceNotFoundException'
  | 'ResourceConflictException'
  | 'TooManyRequestsException'
  | 'ServiceException'
  | 'InvalidRequestContentException'
  | 'RequestTooLargeException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException'
  | 'AccessDeniedException'
  | 'UnknownOperationException';

/** An error the control plane returns in AWS's wire format. */
export class ApiError extends SluiceError {
  readonly type: ApiErrorType;
  readonly status: number;
  constructor(type: ApiErrorType, status: number, message: string, context?: ErrorContext) {
    super(message, { code: type, context });
    this.type = type;
    this.status = status;
  }
}

/** A source (poller) failed to talk to its server. */
export class SourceError extends SluiceError {
  constructor(message: string, opts: { code?: string; retriable?: boolean; context?: ErrorContext; cause?: unknown }) {
    super(message, { code: opts.code ?? 'SOURCE_ERROR', retriable: opts.retriable ?? true, context: opts.context, cause: opts.cause });
  }
}

/** An OnFailure destination could not take a record. Retriable: the checkpoint waits. */
export class DestinationError extends SluiceError {
  constructor(message: string, opts: { code?: string; retriable?: boolean; context?: ErrorContext; cause?: unknown }) {
    super(message, { code: opts.code ?? 'DESTINATION_ERROR', retriable: opts.retriable ?? true, context: opts.context, cause: opts.cause });
  }
}

/** The state store failed. */
export class StateStoreError extends SluiceError {
  constructor(message: string, opts: { code?: string; retriable?: boolean; context?: ErrorContext; cause?: unknown }) {
    super(message, { code: opts.code ?? 'STATE_STORE_ERROR', retriable: opts.retriable ?? false, context: opts.context, cause: opts.cause });
  }
}

/** The function runtime itself (not the function) failed, e.g. a handler module that cannot load. */
export class RuntimeError extends SluiceError {
  constructor(message: string, opts: { code?: string; retriable?: boolean; context?: ErrorContext; cause?: unknown }) {
    super(message, { code: opts.code ?? 'RUNTIME_ERROR', retriable: opts.retriable ?? false, context: opts.context, cause: opts.cause });
  }
}

/** Thrown by waits that were aborted through their AbortSignal. */
export class AbortedError extends SluiceError {
  constructor(message = 'aborted', context?: ErrorContext) {
    super(message, { code: 'ABORTED', context });
  }
}
