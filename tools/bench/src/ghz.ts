import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { goToolPath } from '@cqrs/testing';
import { round, type Figure } from './figures';

const run = promisify(execFile);

export interface GhzRun {
  readonly call: string;
  readonly address: string;
  /** Request body as JSON; ghz templates such as {{.UUID}} and {{.RequestNumber}} work. */
  readonly data: unknown;
  readonly concurrency: number;
  /** How many requests; or, with durationS, for how long (then total is ignored). */
  readonly total: number;
  readonly durationS?: number;
}

interface GhzJson {
  rps: number;
  count: number;
  latencyDistribution: { percentage: number; latency: number }[] | null;
  statusCodeDistribution: Record<string, number>;
  errorDistribution?: Record<string, number> | null;
}

/** Runs the pinned ghz (the standard gRPC load generator) through server reflection. */
export async function ghz(scenario: string, name: string, options: GhzRun): Promise<Figure> {
  // The request data goes in a file: 100,000 product ids do not fit on a command line.
  const dir = await mkdtemp(join(tmpdir(), 'ghz-'));
  const dataFile = join(dir, 'data.json');
  await writeFile(dataFile, JSON.stringify(options.data));
  const { stdout } = await run(
    goToolPath('ghz'),
    [
      '--insecure',
      '--call',
      options.call,
      '-D',
      dataFile,
      '-c',
      String(options.concurrency),
      ...(options.durationS === undefined ? ['-n', String(options.total)] : ['-z', `${options.durationS}s`, '--duration-stop', 'wait']),
      '--format',
      'json',
      options.address,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  ).finally(() => rm(dir, { recursive: true, force: true }));
  const result = JSON.parse(stdout) as GhzJson;
  const at = (p: number) => round((result.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? 0) / 1e6);
  const ok = result.statusCodeDistribution['OK'] ?? 0;
  return {
    scenario,
    name,
    rate: round(result.rps, 1),
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    count: result.count,
    errors: result.count - ok,
    ...(result.errorDistribution ? { errorKinds: result.errorDistribution } : {}),
  };
}
