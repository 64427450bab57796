import type { UsageRange } from './intervals';
import type { UsageSummary } from './rollups';

/** Where a report's numbers come from (the rollup store). */
export interface UsageSource {
  summary(range: UsageRange): Promise<UsageSummary>;
  operations(range: UsageRange, first: number): Promise<unknown[]>;
  clients(range: UsageRange, first: number): Promise<unknown[]>;
}

/**
 * One `ApiUsage` answer: a range, and its numbers computed only when asked for (the summary
 * once per request, shared by totals, percentiles and the timeseries).
 */
export class UsageReport {
  private summaryOnce?: Promise<UsageSummary>;

  constructor(
    private readonly source: UsageSource,
    readonly range: UsageRange,
  ) {}

  summary(): Promise<UsageSummary> {
    this.summaryOnce ??= this.source.summary(this.range);
    return this.summaryOnce;
  }

  operations(first: number) {
    return this.source.operations(this.range, first);
  }

  clients(first: number) {
    return this.source.clients(this.range, first);
  }
}
