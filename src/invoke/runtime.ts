/**
 * A function runtime: runs the function for one event. Two implementations: worker threads via
 * piscina (handler modules) and the Lambda Invoke API over HTTP.
 */
export type InvokeResult =
  | {
      readonly kind: 'success';
      /** The function's parsed response (undefined/null when it returned nothing). */
      readonly payload: unknown;
      readonly durationMs: number;
    }
  | {
      readonly kind: 'function-error';
      /** AWS-style: `Unhandled` / the error's name, `Sandbox.Timedout`, `Runtime.ExitError`, ... */
      readonly errorType: string;
      readonly errorMessage: string;
      /** HTTP status of the invoke (200 for function errors, 5xx/429 for service-side ones). */
      readonly statusCode: number;
      /** True when the failure was a throttle/overload (429, 503): retry with backoff. */
      readonly throttled: boolean;
      readonly durationMs: number;
    };

export interface InvokeOptions {
  readonly signal: AbortSignal;
  /** Exact serialized size (computed arithmetically by the batcher). */
  readonly payloadBytes: number;
  /** Lambda's awsRequestId for this invoke. */
  readonly requestId: string;
  /**
   * Who is invoking (the mapping UUID): invokes waiting for the function's concurrency are served
   * round-robin across keys, FIFO within one key. Default: one shared key.
   */
  readonly mappingKey?: string;
}

export interface FunctionRuntime {
  /** The config key of the function. */
  readonly name: string;
  readonly functionArn: string;
  invoke(event: unknown, opts: InvokeOptions): Promise<InvokeResult>;
  /** Idempotent. Waits for in-flight invokes up to the deadline, then terminates. */
  close(deadlineMs?: number): Promise<void>;
}
