/**
 * Shard lineage: after SplitShard / MergeShards a child shard lists its parent (and, after a
 * merge, its adjacent parent). Records of a key move from parent to child, so a child may be
 * read only once its parents are fully processed and checkpointed (status `finished`). Pure
 * functions over the discovered shards; the coordinator supplies what it knows about each shard.
 */
import type { ShardId } from '../../core/ids.js';
import type { ShardDescription } from './stream-api.js';

/** The discovered shards, indexed, with their children. */
export interface Lineage {
  readonly shards: ReadonlyMap<ShardId, ShardDescription>;
  readonly children: ReadonlyMap<ShardId, readonly ShardId[]>;
}

export function buildLineage(list: readonly ShardDescription[]): Lineage {
  const shards = new Map<ShardId, ShardDescription>();
  const children = new Map<ShardId, ShardId[]>();
  for (const s of list) shards.set(s.shardId, s);
  for (const s of list) {
    for (const p of parentsOf(s)) {
      const c = children.get(p);
      if (c) c.push(s.shardId);
      else children.set(p, [s.shardId]);
    }
  }
  return { shards, children };
}

/** The parent and adjacent parent of a shard, when present. */
export function parentsOf(s: ShardDescription): ShardId[] {
  const out: ShardId[] = [];
  if (s.parentShardId) out.push(s.parentShardId);
  if (s.adjacentParentShardId && s.adjacentParentShardId !== s.parentShardId) out.push(s.adjacentParentShardId);
  return out;
}

/** Closed for sure: it has an ending sequence number and a listed child took over its keys. */
export function isClosedWithChildren(l: Lineage, id: ShardId): boolean {
  const s = l.shards.get(id);
  return !!s && s.hasEndingSequence && (l.children.get(id)?.length ?? 0) > 0;
}

/**
 * Whether a parent no longer holds back its children: it is finished, was skipped (LATEST start
 * on a stream that had been resharded before), or is not listed any more (past the retention
 * period: nothing left to read).
 */
export function parentDone(l: Lineage, parent: ShardId, isDone: (id: ShardId) => boolean): boolean {
  return !l.shards.has(parent) || isDone(parent);
}

/**
 * Shards that may start now: not done, not running, and every listed parent done. Parents come
 * before children in the result (list order for the rest).
 */
export function readyShards(
  l: Lineage,
  state: { isDone(id: ShardId): boolean; isRunning(id: ShardId): boolean },
): ShardId[] {
  const out: ShardId[] = [];
  for (const s of l.shards.values()) {
    if (state.isDone(s.shardId) || state.isRunning(s.shardId)) continue;
    if (parentsOf(s).every((p) => parentDone(l, p, state.isDone))) out.push(s.shardId);
  }
  return out;
}
