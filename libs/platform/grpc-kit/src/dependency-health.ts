import type { HealthImplementation, ServingStatus } from 'grpc-health-check';
import type { Logger } from '@cqrs/logging';

/** A cheap round trip to one dependency; rejects when it cannot be reached. */
export interface DependencyProbe {
  /** Also the grpc.health.v1 service name that reports it, e.g. "mysql". */
  readonly name: string;
  check(): Promise<void>;
}

export interface DependencyHealthOptions {
  readonly probes: readonly DependencyProbe[];
  /** gRPC services that are SERVING only while every dependency is. */
  readonly services: readonly string[];
  readonly intervalMs: number;
  readonly logger: Logger;
}

/**
 * Probes every dependency on an interval and keeps grpc.health.v1 in step: one entry per
 * dependency, and the overall entry ("") plus each service SERVING only while all are up.
 */
export class DependencyHealth {
  private readonly up = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly health: HealthImplementation,
    private readonly options: DependencyHealthOptions,
  ) {
    for (const probe of options.probes) health.setStatus(probe.name, 'UNKNOWN');
    this.publishOverall();
  }

  /** Runs every probe once now, then on the interval. */
  async start(): Promise<void> {
    await this.probeAll();
    this.timer = setInterval(() => void this.probeAll(), this.options.intervalMs);
    this.timer.unref();
  }

  isUp(name: string): boolean {
    return this.up.get(name) === true;
  }

  /** Reports NOT_SERVING everywhere (used while shutting down) and stops probing. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const probe of this.options.probes) this.health.setStatus(probe.name, 'NOT_SERVING');
    this.setOverall('NOT_SERVING');
  }

  private async probeAll(): Promise<void> {
    await Promise.all(this.options.probes.map((probe) => this.probeOne(probe)));
    this.publishOverall();
  }

  private async probeOne(probe: DependencyProbe): Promise<void> {
    let error: unknown;
    try {
      await withTimeout(probe.check(), Math.min(this.options.intervalMs, 2_000));
    } catch (err) {
      error = err;
    }
    if (this.stopped) return;
    const nowUp = error === undefined;
    const before = this.up.get(probe.name);
    this.up.set(probe.name, nowUp);
    this.health.setStatus(probe.name, nowUp ? 'SERVING' : 'NOT_SERVING');
    if (before !== nowUp) {
      if (nowUp) this.options.logger.info({ dependency: probe.name }, 'dependency is up');
      else this.options.logger.warn({ dependency: probe.name, err: error }, 'dependency is down');
    }
  }

  private publishOverall(): void {
    if (this.stopped) return;
    const allUp = this.options.probes.every((probe) => this.up.get(probe.name) === true);
    this.setOverall(allUp ? 'SERVING' : 'NOT_SERVING');
  }

  private setOverall(status: ServingStatus): void {
    this.health.setStatus('', status);
    for (const service of this.options.services) this.health.setStatus(service, status);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
