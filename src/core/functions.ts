/** A resolved `functions.<name>` entry from the config file. */
export type FunctionSpec =
  | {
      readonly kind: 'handler';
      readonly name: string;
      /** Absolute path of the handler module. */
      readonly modulePath: string;
      /** Export name, e.g. `handler`. */
      readonly exportName: string;
      readonly timeoutSeconds: number;
      /** Maximum concurrent invokes of this function across all mappings; also the pool's thread count. */
      readonly concurrency: number;
      /** Environment variables the handler sees in process.env. */
      readonly environment: Readonly<Record<string, string>>;
      readonly memorySizeMb: number;
    }
  | {
      readonly kind: 'lambda';
      readonly name: string;
      /** Base URL of the Lambda Invoke API, e.g. http://127.0.0.1:9001 */
      readonly endpoint: string;
      /** The function name sent in the Invoke route. */
      readonly functionName: string;
      readonly qualifier?: string;
      readonly timeoutSeconds: number;
      readonly concurrency: number;
      /** Static credentials for SigV4 signing, when the endpoint needs them. */
      readonly region: string;
    };
