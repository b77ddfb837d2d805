/** One measured figure of the report. */
export interface Figure {
  readonly scenario: string;
  readonly name: string;
  /** Operations (or events) per second. */
  readonly rate?: number;
  readonly p50Ms?: number;
  readonly p90Ms?: number;
  readonly p99Ms?: number;
  readonly count?: number;
  readonly errors?: number;
  /** What the failed calls answered, with how many times each. */
  readonly errorKinds?: Readonly<Record<string, number>>;
  /** The ceiling this figure is compared with, and the ratio to it. */
  readonly ceiling?: string;
  readonly ratio?: number;
  /** Ratios to further ceilings that explain the figure (no goal attached). */
  readonly otherRatios?: ReadonlyArray<{ readonly ceiling: string; readonly ratio: number }>;
  /** The goal the report states for this ratio or latency (a goal, never an assertion). */
  readonly target?: string;
  readonly note?: string;
}

export interface ResourceUse {
  readonly scenario: string;
  readonly app: string;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

export interface Report {
  readonly mode: string;
  readonly startedAt: string;
  readonly durationS: number;
  readonly machine: { readonly cpus: number; readonly memoryGb: number; readonly node: string };
  readonly ceilings: Figure[];
  readonly figures: Figure[];
  readonly resources: ResourceUse[];
}

export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return round(sortedMs[Math.max(0, index)] ?? 0);
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function latencyFigures(samplesMs: number[]) {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p90Ms: percentile(sorted, 90), p99Ms: percentile(sorted, 99), count: sorted.length };
}
