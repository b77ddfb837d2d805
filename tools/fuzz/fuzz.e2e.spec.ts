import { status as Status, type Client } from '@grpc/grpc-js';
import { createConnection } from 'mysql2/promise';
import {
  checkHealth,
  eventually,
  isolatedEnvironment,
  LOCAL_URLS,
  startCatalogStack,
  type CatalogStack,
  type IsolatedEnvironment,
} from '@cqrs/testing';
import { orderFlows } from '@cqrs/orders-testing';
import { contractMethods, fuzzCases, seededRandom, type FuzzCase } from './fuzz-requests';
import { rawClient, rawServerStream, rawUnary, type RawOutcome } from './raw-grpc-client';

jest.setTimeout(240_000);

const SEED = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const CASES = Number(process.env['FUZZ_CASES'] ?? 4_000);
const CONCURRENCY = 8;
const UNARY_DEADLINE_MS = 5_000;
/** A body of megabytes takes its own time to cross a loaded machine; a stalled answer never arrives at all. */
const DEADLINE_MS_PER_MEGABYTE = 3_000;
const STREAM_DEADLINE_MS = 300;
/** Codes that say the service failed the caller, whatever the request: a bug, a crash, a stalled connection. */
const NEVER_UNARY = new Set([
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
  Status.UNAVAILABLE,
  Status.CANCELLED,
  Status.UNIMPLEMENTED,
  Status.DATA_LOSS,
]);
/** A watch that stays open ends at its deadline; that is the one difference. */
const NEVER_STREAM = new Set([
  Status.INTERNAL,
  Status.UNKNOWN,
  Status.UNAVAILABLE,
  Status.CANCELLED,
  Status.UNIMPLEMENTED,
  Status.DATA_LOSS,
]);

interface Finding {
  readonly index: number;
  readonly fuzzCase: FuzzCase;
  readonly outcome: RawOutcome;
  readonly problem: string;
}

/**
 * Issue 12's fuzz test: thousands of random and mutated request bodies, sent as raw bytes over one
 * shared channel per app to every RPC of both contexts. Reproduce a run with FUZZ_SEED (printed).
 */
describe(`fuzzing every RPC with raw request bytes (FUZZ_SEED=${SEED})`, () => {
  let isolated: IsolatedEnvironment;
  let stack: CatalogStack;
  let commands: Client;
  let queries: Client;
  let ids: string[];

  beforeAll(async () => {
    isolated = isolatedEnvironment('fuzz');
    stack = await startCatalogStack({ ...isolated.env, QUERY_MAX_WAIT_MS: '500' });
    const flows = orderFlows(stack);
    const [espresso, tea] = [await flows.createProduct('Espresso', 50), await flows.createProduct('Tea', 0)];
    const order = await flows.placed([[espresso, 1]]);
    // The setup's own events (the reaction to its order included) are in before the count.
    await eventually(async () => expect((await flows.decided(order.aggregateId, order.consistencyToken, 1_000)).status).not.toBe(0));
    ids = [espresso, tea, order.aggregateId];
    commands = rawClient(stack.commandService.port);
    queries = rawClient(stack.queryService.port);
  });

  afterAll(async () => {
    commands?.close();
    queries?.close();
    await stack?.stop();
    await isolated?.cleanup();
  });

  it('answers every request without INTERNAL, crash, stall or stored effect of a refusal', async () => {
    const correlationPrefix = `fuzz-${SEED}-`;
    const eventsBefore = await eventCorrelations(isolated.env['MYSQL_DATABASE'] ?? '');
    const cases = fuzzCases(contractMethods(), CASES, seededRandom(SEED), ids);
    const outcomes: RawOutcome[] = new Array(cases.length);
    const findings: Finding[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let index = next++; index < cases.length; index = next++) {
          const fuzzCase = cases[index] as FuzzCase;
          const client = fuzzCase.method.path.includes('QueryService') ? queries : commands;
          const headers = { 'x-correlation-id': `${correlationPrefix}${index}` };
          const outcome = fuzzCase.method.serverStreaming
            ? await rawServerStream(client, fuzzCase.method.path, fuzzCase.body, STREAM_DEADLINE_MS, headers)
            : await rawUnary(client, fuzzCase.method.path, fuzzCase.body, unaryDeadlineMs(fuzzCase.body), headers);
          outcomes[index] = outcome;
          const never = fuzzCase.method.serverStreaming ? NEVER_STREAM : NEVER_UNARY;
          if (never.has(outcome.code))
            findings.push({ index, fuzzCase, outcome, problem: `answered ${Status[outcome.code]}: ${outcome.details.slice(0, 200)}` });
        }
      }),
    );
    const elapsedMs = Date.now() - started;
    printSummary(cases, outcomes, elapsedMs);

    // Nothing stored by a refused request: every new event belongs to an accepted call (or to a
    // reaction to one, which keeps its correlation id), and nothing else was added.
    const accepted = new Set(
      outcomes.flatMap((o, i) => (o.code === Status.OK && !cases[i]?.method.serverStreaming ? [`${correlationPrefix}${i}`] : [])),
    );
    const eventsAfter = await eventCorrelations(isolated.env['MYSQL_DATABASE'] ?? '');
    for (const [correlationId, count] of eventsAfter) {
      const index = Number(correlationId.slice(correlationPrefix.length));
      if (correlationId.startsWith(correlationPrefix) && !accepted.has(correlationId)) {
        findings.push({
          index,
          fuzzCase: cases[index] as FuzzCase,
          outcome: outcomes[index] as RawOutcome,
          problem: `refused, yet stored ${count} event(s)`,
        });
      }
      if (!correlationId.startsWith(correlationPrefix) && count !== eventsBefore.get(correlationId)) {
        throw new Error(`FUZZ_SEED=${SEED}: events of ${correlationId} went from ${eventsBefore.get(correlationId) ?? 0} to ${count}`);
      }
    }

    if (findings.length > 0) throw new Error(report(findings));
    for (const app of [stack.commandService, stack.queryService, stack.projector]) expect(app.child.exitCode).toBeNull();
    expect(await Promise.all([stack.commandService, stack.queryService, stack.projector].map((app) => checkHealth(app.port)))).toEqual([
      'SERVING',
      'SERVING',
      'SERVING',
    ]);
  });
});

/** How many events each correlation id has in the run's event store. */
async function eventCorrelations(database: string): Promise<Map<string, number>> {
  const url = new URL(LOCAL_URLS.MYSQL_URL);
  const conn = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    database,
  });
  try {
    const [rows] = await conn.query(
      "SELECT JSON_UNQUOTE(JSON_EXTRACT(metadata, '$.correlationId')) AS c, COUNT(*) AS n FROM events GROUP BY c",
    );
    return new Map((rows as Array<{ c: string | null; n: number }>).map((r) => [r.c ?? '', Number(r.n)]));
  } finally {
    await conn.end();
  }
}

function printSummary(cases: readonly FuzzCase[], outcomes: readonly RawOutcome[], elapsedMs: number): void {
  const byCode = new Map<string, number>();
  const byMethod = new Map<string, Map<string, number>>();
  outcomes.forEach((outcome, i) => {
    const code = Status[outcome.code] ?? String(outcome.code);
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
    const method = cases[i]?.method.path.split('/').slice(1).join('/') ?? '';
    const counts = byMethod.get(method) ?? new Map<string, number>();
    counts.set(code, (counts.get(code) ?? 0) + 1);
    byMethod.set(method, counts);
  });
  const line = (counts: Map<string, number>) =>
    [...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
  console.log(
    [
      `fuzz FUZZ_SEED=${SEED}: ${outcomes.length} calls in ${(elapsedMs / 1000).toFixed(1)} s: ${line(byCode)}`,
      ...[...byMethod].map(([method, counts]) => `  ${method}: ${line(counts)}`),
    ].join('\n'),
  );
}

function report(findings: readonly Finding[]): string {
  const shown = findings.slice(0, 5).map(({ index, fuzzCase, problem }) => {
    const body = Buffer.from(fuzzCase.body);
    return [
      `#${index} ${fuzzCase.method.path} (${fuzzCase.kind}, ${body.length} bytes): ${problem}`,
      `  hex ${body.subarray(0, 64).toString('hex')}${body.length > 64 ? '…' : ''}`,
      `  base64 ${body.length <= 512 ? body.toString('base64') : `${body.subarray(0, 512).toString('base64')}… (first 512 bytes)`}`,
    ].join('\n');
  });
  return `FUZZ_SEED=${SEED}: ${findings.length} finding(s); reproduce with FUZZ_SEED=${SEED} FUZZ_CASES=${CASES}\n${shown.join('\n')}`;
}

function unaryDeadlineMs(body: Uint8Array): number {
  return UNARY_DEADLINE_MS + Math.ceil((body.length / 1_048_576) * DEADLINE_MS_PER_MEGABYTE);
}
