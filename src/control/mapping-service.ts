import { randomUUID } from 'node:crypto';
import { ApiError } from '../core/errors.js';
import type { MappingUuid } from '../core/ids.js';
import type { MappingSpec, MappingState } from '../core/mapping.js';
import type { FunctionSpec } from '../core/functions.js';
import type { Engine } from '../pipeline/engine.js';
import type { Logger } from '../observability/logger.js';
import type { StateStore, StoredMapping } from '../state/store.js';
import { notFound } from './api-errors.js';
import { validateCreate, validateUpdate, type ValidationContext } from './validate-mapping.js';

export interface MappingServiceDeps {
  readonly engine: Engine;
  readonly store: StateStore;
  /** The config file's functions, by name. */
  readonly functions: ReadonlyMap<string, FunctionSpec> | readonly FunctionSpec[];
  readonly logger: Logger;
  readonly region: string;
  readonly accountId: string;
  /** Epoch ms. Default Date.now. */
  readonly now?: () => number;
  /** Default crypto.randomUUID. */
  readonly newUuid?: () => string;
}

const BUSY: readonly MappingState[] = ['Creating', 'Updating', 'Deleting'];
type PendingOp = 'Creating' | 'Updating' | 'Deleting';

/** "User action" for streams, "USER_INITIATED" for the other sources, as AWS reports it. */
export function userReason(spec: MappingSpec): string {
  return spec.sourceKind === 'kinesis' || spec.sourceKind === 'dynamodb' ? 'User action' : 'USER_INITIATED';
}

/**
 * The event source mapping operations behind the REST API and the config file: validation, the
 * store (source of truth, re-read on every call) and the engine (which reports the live state).
 * Mutations are serialised; the engine's apply/remove run in the background and the mapping shows
 * Creating / Updating / Deleting until they finish.
 */
export class MappingService {
  readonly #d: MappingServiceDeps;
  readonly #fnNames: ReadonlySet<string>;
  readonly #pending = new Map<string, PendingOp>();
  readonly #background = new Set<Promise<void>>();
  readonly #dirty = new Set<MappingUuid>();
  #chain: Promise<void> = Promise.resolve();

  constructor(deps: MappingServiceDeps) {
    this.#d = deps;
    const fns = deps.functions;
    this.#fnNames = new Set(Array.isArray(fns) ? (fns as readonly FunctionSpec[]).map((f) => f.name) : [...(fns as ReadonlyMap<string, FunctionSpec>).keys()]);
  }

  /** Resolves when every background engine call started so far has finished. */
  async idle(): Promise<void> {
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(op);
    this.#chain = run.then(() => undefined, () => undefined);
    return run;
  }

  #bg(p: Promise<void>): void {
    const t = p.catch((err) => this.#d.logger.error('event source mapping background operation failed', { err }));
    this.#background.add(t);
    void t.finally(() => this.#background.delete(t));
  }

  async context(exclude?: MappingUuid): Promise<ValidationContext> {
    const all = await this.#d.store.mappings.list();
    return {
      hasFunction: (n) => this.#fnNames.has(n),
      region: this.#d.region,
      accountId: this.#d.accountId,
      existing: all.map((m) => m.spec).filter((s) => s.UUID !== exclude),
      now: this.#d.now ?? Date.now,
      newUuid: this.#d.newUuid ?? randomUUID,
    };
  }

  /** The stored mapping with its live state (engine status, or the operation in progress). */
  view(stored: StoredMapping): StoredMapping {
    const uuid = stored.spec.UUID;
    const pending = this.#pending.get(uuid);
    const st = this.#d.engine.status(uuid);
    if (pending === 'Deleting') return { ...stored, state: 'Deleting' };
    if (pending) {
      const transitional = st && st.state !== 'Enabled' && st.state !== 'Disabled' ? st.state : pending;
      return { ...stored, state: transitional, ...(st ? { lastProcessingResult: st.lastProcessingResult } : {}) };
    }
    if (!st) return stored;
    return { ...stored, state: st.state, stateTransitionReason: st.stateTransitionReason || stored.stateTransitionReason, lastProcessingResult: st.lastProcessingResult };
  }

  async get(uuid: string): Promise<StoredMapping> {
    const m = await this.#d.store.mappings.get(uuid as MappingUuid);
    if (!m) throw notFound();
    return this.view(m);
  }

  async list(): Promise<StoredMapping[]> {
    return (await this.#d.store.mappings.list()).map((m) => this.view(m));
  }

  async create(input: unknown, opts: { configManaged?: boolean; allowUuid?: boolean } = {}): Promise<StoredMapping> {
    return this.#serial(async () => {
      const spec = validateCreate(input, await this.context(), opts);
      const stored: StoredMapping = { spec, state: 'Creating', stateTransitionReason: userReason(spec), lastProcessingResult: 'No records processed' };
      await this.#d.store.mappings.put(stored);
      this.#startApply(spec, 'Creating');
      return this.view(stored);
    });
  }

  async update(uuid: string, input: unknown): Promise<StoredMapping> {
    return this.#serial(async () => {
      const stored = await this.#d.store.mappings.get(uuid as MappingUuid);
      if (!stored) throw notFound();
      this.#assertNotBusy(stored, 'update');
      const spec = validateUpdate(stored.spec, input, await this.context(stored.spec.UUID));
      return this.#replace(stored, spec);
    });
  }

  /** Replaces a mapping's spec (API update or config file) and re-applies it. */
  async #replace(stored: StoredMapping, spec: MappingSpec): Promise<StoredMapping> {
    const next: StoredMapping = { ...stored, spec, state: 'Updating', stateTransitionReason: userReason(spec) };
    await this.#d.store.mappings.put(next);
    this.#startApply(spec, 'Updating');
    return this.view(next);
  }

  async delete(uuid: string): Promise<StoredMapping> {
    return this.#serial(async () => {
      const stored = await this.#d.store.mappings.get(uuid as MappingUuid);
      if (!stored) throw notFound();
      this.#assertNotBusy(stored, 'delete');
      // Persisted, so a restart finishes an interrupted delete.
      await this.#d.store.mappings.put({ ...stored, state: 'Deleting' });
      this.#pending.set(stored.spec.UUID, 'Deleting');
      this.#bg(this.#finishDelete(stored.spec.UUID));
      return { ...this.view(stored), state: 'Deleting' };
    });
  }

  async #finishDelete(uuid: MappingUuid): Promise<void> {
    try {
      await this.#d.engine.remove(uuid);
    } catch (err) {
      this.#d.logger.error('engine failed to remove mapping; deleting it anyway', { mappingUuid: uuid, err });
    }
    await this.#serial(async () => {
      await this.#d.store.mappings.delete(uuid);
      await this.#d.store.checkpoints.deleteMapping(uuid);
    }).finally(() => this.#pending.delete(uuid));
  }

  #assertNotBusy(stored: StoredMapping, op: 'update' | 'delete'): void {
    const state = this.view(stored).state;
    if (BUSY.includes(state)) {
      throw new ApiError('ResourceInUseException', 400, `Cannot ${op} the event source mapping because it is in use.`, { mappingUuid: stored.spec.UUID, state });
    }
  }

  #startApply(spec: MappingSpec, op: 'Creating' | 'Updating'): void {
    this.#pending.set(spec.UUID, op);
    this.#bg(
      (async () => {
        let problem: string | undefined;
        try {
          await this.#d.engine.apply(spec);
        } catch (err) {
          problem = `PROBLEM: ${(err as Error)?.message ?? String(err)}`;
          this.#d.logger.error('engine failed to apply mapping', { mappingUuid: spec.UUID, err });
        }
        await this.#serial(async () => {
          if (this.#pending.get(spec.UUID) === op) this.#pending.delete(spec.UUID);
          await this.#persistStatus(spec.UUID, problem);
        });
      })(),
    );
  }

  /** Writes the live state into the store (so a restart and other instances see it). */
  async #persistStatus(uuid: MappingUuid, problem?: string): Promise<void> {
    const stored = await this.#d.store.mappings.get(uuid);
    if (!stored || this.#pending.has(uuid)) return;
    const st = this.#d.engine.status(uuid);
    const next: StoredMapping = st
      ? { ...stored, state: st.state, stateTransitionReason: st.stateTransitionReason || stored.stateTransitionReason, lastProcessingResult: problem ?? st.lastProcessingResult }
      : { ...stored, state: problem ? 'Disabled' : stored.spec.Enabled ? 'Enabled' : 'Disabled', ...(problem ? { lastProcessingResult: problem } : {}) };
    if (next.state !== stored.state || next.lastProcessingResult !== stored.lastProcessingResult || next.stateTransitionReason !== stored.stateTransitionReason) {
      await this.#d.store.mappings.put(next);
    }
  }

  /** Engine status changes are persisted (coalesced per mapping, serialised with the API's writes). */
  onEngineStatus(uuid: MappingUuid): void {
    const first = this.#dirty.size === 0;
    this.#dirty.add(uuid);
    if (!first) return;
    this.#bg(
      this.#serial(async () => {
        const batch = [...this.#dirty];
        this.#dirty.clear();
        for (const u of batch) await this.#persistStatus(u);
      }),
    );
  }

  /** Config file: create, or replace the matching mapping's spec when it differs. */
  async applyConfigEntry(input: unknown): Promise<{ uuid: MappingUuid; action: 'created' | 'updated' | 'unchanged' }> {
    const probe = validateCreate(input, { ...(await this.context()), existing: [] }, { configManaged: true, allowUuid: true });
    const all = await this.#d.store.mappings.list();
    const explicitUuid = typeof (input as { UUID?: unknown })?.UUID === 'string';
    const match = all.find((m) =>
      explicitUuid
        ? m.spec.UUID === probe.UUID
        : m.spec.FunctionName === probe.FunctionName &&
          m.spec.EventSourceArn === probe.EventSourceArn &&
          m.spec.sourceKind === probe.sourceKind &&
          (probe.sourceKind !== 'kafka' || JSON.stringify([m.spec.Topics, m.spec.SelfManagedEventSource]) === JSON.stringify([probe.Topics, probe.SelfManagedEventSource])),
    );
    if (!match) {
      const created = await this.create(input, { configManaged: true, allowUuid: true });
      return { uuid: created.spec.UUID, action: 'created' };
    }
    return this.#serial(async () => {
      const withUuid = { ...(input as object), UUID: match.spec.UUID };
      const spec = validateCreate(withUuid, await this.context(match.spec.UUID), { configManaged: true, allowUuid: true });
      const same = JSON.stringify({ ...spec, LastModified: 0 }) === JSON.stringify({ ...match.spec, LastModified: 0 });
      if (same) {
        return { uuid: match.spec.UUID, action: 'unchanged' as const };
      }
      await this.#replace(match, spec);
      return { uuid: match.spec.UUID, action: 'updated' as const };
    });
  }

  /** Start-up: hands every persisted mapping to the engine again (finishing interrupted deletes). */
  async restore(): Promise<number> {
    const all = await this.#d.store.mappings.list();
    let n = 0;
    for (const m of all) {
      if (m.state === 'Deleting') {
        this.#pending.set(m.spec.UUID, 'Deleting');
        this.#bg(this.#finishDelete(m.spec.UUID));
        continue;
      }
      this.#startApply(m.spec, 'Creating');
      n++;
    }
    return n;
  }
}
