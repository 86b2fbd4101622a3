/**
 * The pipeline's filter: compile the mapping's FilterCriteria once, then test each polled record's
 * event through its source's view. Records that do not match are finished without an invoke
 * (AWS: deleted from SQS, acked on MQ, checkpointed past on streams and Kafka).
 */
import type { MappingSpec } from '../core/mapping.js';
import type { PolledRecord } from '../sources/source.js';
import { compileFilterCriteria } from './compile.js';
import { filterView } from './filter-view.js';

/** Undefined when the mapping has no filters (every record is invoked). */
export function createRecordFilter(mapping: Pick<MappingSpec, 'sourceKind' | 'FilterCriteria'>): ((record: PolledRecord) => boolean) | undefined {
  const compiled = compileFilterCriteria(mapping.FilterCriteria);
  if (!compiled) return undefined;
  const kind = mapping.sourceKind;
  return (record) => compiled.matches(filterView(kind, record.event));
}
