/** `sluice list`: the mappings of a running sluice, through its ListEventSourceMappings route. */
interface ListedMapping {
  UUID?: string;
  State?: string;
  FunctionArn?: string;
  EventSourceArn?: string;
  Topics?: string[];
  Queues?: string[];
  SelfManagedEventSource?: { Endpoints?: { KAFKA_BOOTSTRAP_SERVERS?: string[] } };
  LastProcessingResult?: string;
}

function functionName(arn: string | undefined): string {
  if (!arn) return '-';
  const m = /:function:(.+)$/.exec(arn);
  return m?.[1] ?? arn;
}

function sourceOf(m: ListedMapping): string {
  const topic = m.Topics?.[0] ?? m.Queues?.[0];
  if (m.EventSourceArn) return topic ? `${m.EventSourceArn} (${topic})` : m.EventSourceArn;
  const servers = m.SelfManagedEventSource?.Endpoints?.KAFKA_BOOTSTRAP_SERVERS?.join(',') ?? '?';
  return `kafka://${servers}/${topic ?? '?'}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
}

export async function listMappings(opts: {
  endpoint: string;
  token?: string;
  out: (line: string) => void;
  err: (line: string) => void;
  fetchFn?: typeof fetch;
}): Promise<number> {
  const doFetch = opts.fetchFn ?? fetch;
  const base = opts.endpoint.replace(/\/+$/, '');
  const all: ListedMapping[] = [];
  let marker: string | undefined;
  do {
    const url = new URL(`${base}/2015-03-31/event-source-mappings`);
    url.searchParams.set('MaxItems', '100');
    if (marker) url.searchParams.set('Marker', marker);
    let res: Response;
    try {
      res = await doFetch(url, { headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {}, signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      opts.err(`sluice list: cannot reach sluice at ${base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
      return 1;
    }
    const text = await res.text();
    if (!res.ok) {
      opts.err(`sluice list: ${res.status} ${res.headers.get('x-amzn-errortype') ?? ''} ${text}`.trim());
      return 1;
    }
    const body = JSON.parse(text) as { EventSourceMappings?: ListedMapping[]; NextMarker?: string };
    all.push(...(body.EventSourceMappings ?? []));
    marker = body.NextMarker || undefined;
  } while (marker);
  if (all.length === 0) {
    opts.out('no event source mappings');
    return 0;
  }
  const rows = [['UUID', 'STATE', 'FUNCTION', 'SOURCE', 'LAST RESULT']];
  for (const m of all) rows.push([m.UUID ?? '-', m.State ?? '-', functionName(m.FunctionArn), sourceOf(m), m.LastProcessingResult ?? '-']);
  for (const line of table(rows)) opts.out(line);
  return 0;
}
