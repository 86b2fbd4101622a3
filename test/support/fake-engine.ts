/**
 * A fake Engine for control-plane tests: status moves Creating/Updating/Enabling/Disabling →
 * Enabled/Disabled on apply and Deleting → gone on remove, like the real engine reports it. With
 * `hold: true`, apply/remove wait until the test calls `release()`, so in-between states can be seen.
 */
import type { MappingUuid } from '../../src/core/ids.js';
import type { MappingSpec } from '../../src/core/mapping.js';
import type { Engine, MappingStatus } from '../../src/pipeline/engine.js';

export interface FakeEngine extends Engine {
  readonly applied: MappingSpec[];
  readonly removed: MappingUuid[];
  /** Running mappings' latest specs. */
  readonly specs: Map<MappingUuid, MappingSpec>;
  hold: boolean;
  /** Makes the next apply() reject with this message. */
  failNextApply?: string;
  /** Lets every held apply/remove finish. */
  release(): void;
  /** Reports a status change as the pipeline would (e.g. LastProcessingResult "OK"). */
  setStatus(uuid: MappingUuid, status: MappingStatus): void;
  readonly held: number;
}

export function createFakeEngine(opts: { hold?: boolean } = {}): FakeEngine {
  const statuses = new Map<MappingUuid, MappingStatus>();
  const listeners = new Set<(uuid: MappingUuid, s: MappingStatus) => void>();
  let gates: (() => void)[] = [];
  const reason = (s: MappingSpec): string => (s.sourceKind === 'kinesis' || s.sourceKind === 'dynamodb' ? 'User action' : 'USER_INITIATED');
  const set = (uuid: MappingUuid, s: MappingStatus): void => {
    statuses.set(uuid, s);
    for (const l of listeners) l(uuid, s);
  };
  const gate = (): Promise<void> => (engine.hold ? new Promise<void>((r) => gates.push(r)) : Promise.resolve());
  const engine: FakeEngine = {
    applied: [],
    removed: [],
    specs: new Map(),
    hold: opts.hold ?? false,
    get held() {
      return gates.length;
    },
    setStatus: (uuid, status) => set(uuid, status),
    release() {
      const g = gates;
      gates = [];
      for (const f of g) f();
    },
    async apply(spec) {
      engine.applied.push(spec);
      const prev = engine.specs.get(spec.UUID);
      const last = statuses.get(spec.UUID)?.lastProcessingResult ?? 'No records processed';
      const moving = !prev ? 'Creating' : prev.Enabled !== spec.Enabled ? (spec.Enabled ? 'Enabling' : 'Disabling') : 'Updating';
      set(spec.UUID, { state: moving, stateTransitionReason: reason(spec), lastProcessingResult: last });
      engine.specs.set(spec.UUID, spec);
      await gate();
      if (engine.failNextApply) {
        const msg = engine.failNextApply;
        engine.failNextApply = undefined;
        set(spec.UUID, { state: 'Disabled', stateTransitionReason: reason(spec), lastProcessingResult: `PROBLEM: ${msg}` });
        throw new Error(msg);
      }
      set(spec.UUID, { state: spec.Enabled ? 'Enabled' : 'Disabled', stateTransitionReason: reason(spec), lastProcessingResult: last });
    },
    async remove(uuid) {
      const prev = statuses.get(uuid);
      if (prev) set(uuid, { ...prev, state: 'Deleting' });
      await gate();
      engine.removed.push(uuid);
      engine.specs.delete(uuid);
      statuses.delete(uuid);
    },
    status: (uuid) => statuses.get(uuid),
    onStatus(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async stop() {
      engine.release();
    },
  };
  return engine;
}
