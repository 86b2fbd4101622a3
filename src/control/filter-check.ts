import type { FilterCriteria } from '../core/mapping.js';
import { compileFilterCriteria } from '../filtering/compile.js';

/**
 * Rejects FilterCriteria the filter engine cannot compile (invalid pattern, pattern over 4096
 * characters, more than 5 filters) with AWS's InvalidParameterValueException
 * "Invalid filter pattern definition.".
 */
export function checkFilterCriteria(criteria: FilterCriteria): void {
  compileFilterCriteria(criteria);
}
