/**
 * Where a finding stands against the store: `new` the first time, `open` when seen again, `fixed` when a
 * run that covered its rule and asset no longer found it, `reopened` when found again after that.
 */
export type FindingStatus = 'new' | 'open' | 'fixed' | 'reopened';

export const FINDING_STATUSES: readonly FindingStatus[] = ['new', 'open', 'fixed', 'reopened'];
