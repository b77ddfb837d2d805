/**
 * The benchmark harness: starts its own isolated stack (database, stream, view database), measures
 * the physical ceilings and the platform's figures in the same run, and writes report.md,
 * report.json and latency.svg to tools/bench/out/ (git-ignored).
 *
 *   npm run bench                  quick mode (a few minutes)
 *   npm run bench -- --mode full   100,000 events, List and Search on 100,000 products
 *   npm run bench -- --mode smoke  tiny sizes, for CI (checks the harness, not the speed)
 *   npm run bench -- --only query-scaling [--mode full]   List and Search at two catalog sizes, nothing else
 */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { isolatedEnvironment, REPO_ROOT, startCatalogStack, type CatalogStack } from '@cqrs/testing';
import { grpcEmptyCeiling, jetStreamPublishCeiling, mongoCeilings, mysqlInsertCeiling, type CeilingSizes } from './ceilings';
import { projectorCatchUp, projectorDrained, rebuild } from './catch-up';
import { round, type Figure, type Report, type ResourceUse } from './figures';
import { writeReport } from './report';
import { ResourceMeter } from './resources';
import { engineComparison } from './engines';
import { queryScaling } from './query-scaling';
import { commandThroughput, queries, seedProducts, visibility } from './scenarios';
import { exitWhenDone } from './exit-when-done';

interface Sizes {
  readonly products: number;
  readonly ghzTotal: number;
  readonly concurrencies: readonly number[];
  readonly visibilityMs: number;
  readonly catchUpEvents: number;
  /** Each query figure runs this long (ghz -z) instead of ghzTotal requests: a slow query must not stretch the run. */
  readonly queryDurationS?: number;
  /** Catalog sizes List and Search are compared at. */
  readonly scaling: readonly [number, number];
  readonly scalingDurationS: number;
  readonly ceilings: CeilingSizes;
}

const SIZES: Record<string, Sizes> = {
  smoke: {
    products: 20,
    ghzTotal: 40,
    concurrencies: [1, 4],
    visibilityMs: 500,
    catchUpEvents: 100,
    scaling: [20, 60],
    scalingDurationS: 1,
    ceilings: { transactions: 50, publishes: 200, upserts: 200, finds: 100, rpcs: 200, concurrency: 4 },
  },
  quick: {
    products: 1_000,
    ghzTotal: 200,
    concurrencies: [1, 8, 32],
    visibilityMs: 2_000,
    catchUpEvents: 10_000,
    queryDurationS: 3,
    scaling: [1_000, 2_000],
    scalingDurationS: 2,
    ceilings: { transactions: 2_000, publishes: 10_000, upserts: 1_500, finds: 1_500, rpcs: 4_000, concurrency: 8 },
  },
  // 10,000 products through commands: a projector on FerretDB applies product creations at tens per
  // second at 100,000 products, too slow for one run; List and Search get 100,000 in query scaling.
  full: {
    products: 10_000,
    ghzTotal: 5_000,
    concurrencies: [1, 8, 32, 64],
    visibilityMs: 10_000,
    catchUpEvents: 100_000,
    queryDurationS: 30,
    scaling: [1_000, 100_000],
    scalingDurationS: 15,
    ceilings: { transactions: 10_000, publishes: 100_000, upserts: 50_000, finds: 10_000, rpcs: 20_000, concurrency: 8 },
  },
};

async function main(mode: string, outDir: string, only: string | undefined): Promise<void> {
  const sizes = SIZES[mode];
  if (sizes === undefined) throw new Error(`unknown mode ${mode}`);
  const startedAt = new Date();
  const isolated = isolatedEnvironment('bench');
  const log = (message: string) => process.stderr.write(`bench [${Math.round((Date.now() - startedAt.getTime()) / 1000)} s]: ${message}\n`);
  let stack: CatalogStack | undefined;
  const figures: Figure[] = [];
  const resources: ResourceUse[] = [];
  try {
    if (only === 'query-scaling') {
      figures.push(...(await queryScaling(isolated.env, sizes.scaling, 8, sizes.scalingDurationS, log)));
      writeReport(outDir, {
        mode: `${mode}, query scaling only`,
        startedAt: startedAt.toISOString(),
        durationS: round((Date.now() - startedAt.getTime()) / 1000, 1),
        machine: machine(),
        ceilings: [],
        figures,
        resources,
      });
      log(`report written to ${outDir}`);
      return;
    }
    stack = await startCatalogStack(isolated.env);
    const meter = () =>
      new ResourceMeter(
        () =>
          new Map([
            ['command-service', stack?.commandService.child.pid ?? 0],
            ['query-service', stack?.queryService.child.pid ?? 0],
            ['projector', stack?.projector.child.pid ?? 0],
          ]),
      );
    const scenario = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      log(name);
      const m = meter();
      m.start();
      const result = await work();
      resources.push(...m.stop(name));
      return result;
    };

    log('ceilings');
    const ceilings: Figure[] = [
      await mysqlInsertCeiling(isolated.env, sizes.ceilings),
      await jetStreamPublishCeiling(isolated.env, sizes.ceilings),
      ...(await mongoCeilings(isolated.env, sizes.ceilings)),
      await grpcEmptyCeiling(sizes.ceilings),
    ];
    const [insert, , upserts, replaces, finds] = ceilings;

    const seeded = await scenario('seed', () => seedProducts(stack as CatalogStack, sizes.products));
    const commands = await scenario('commands', () =>
      commandThroughput(stack as CatalogStack, seeded.ids, sizes.concurrencies, sizes.ghzTotal),
    );
    figures.push(...commands.map((f) => withRatio(f, insert, '≥ 0.5')));

    const maxRate = Math.max(...commands.filter((f) => f.name.includes('many products')).map((f) => f.rate ?? 0));
    for (const share of [0.25, 0.5, 0.9]) {
      // Each run starts with the projector caught up, so it measures visibility, not a backlog.
      await projectorDrained(isolated.env);
      figures.push(
        await scenario(`visibility ${share * 100} %`, () =>
          visibility(
            stack as CatalogStack,
            seeded.ids,
            Math.max(1, maxRate * share),
            sizes.visibilityMs,
            `ack → view visible at ${share * 100} % of max rate`,
          ),
        ),
      );
    }
    // The floor: one event's path through relay, broker, projector and query service, with no queue.
    await projectorDrained(isolated.env);
    figures.push(
      await scenario('visibility at 20/s', () =>
        visibility(stack as CatalogStack, seeded.ids, 20, sizes.visibilityMs, 'ack → view visible at 20 commands/s'),
      ),
    );

    // The new projector replaces the stack's, so it is measured and stopped like the others.
    const catchUp = await scenario('catch-up', () =>
      projectorCatchUp(stack as CatalogStack, isolated.env, seeded.ids, sizes.catchUpEvents, (projector) =>
        Object.assign(stack as CatalogStack, { projector }),
      ),
    );
    figures.push(alsoAgainst(withRatio(catchUp, upserts, '≥ 0.7'), replaces));
    figures.push(alsoAgainst(withRatio(await scenario('rebuild', () => rebuild(isolated.env)), upserts, '≥ 0.7'), replaces));

    const queryFigures = await scenario('queries', () =>
      queries(stack as CatalogStack, seeded.ids, sizes.products.toLocaleString('en-US'), 8, sizes.ghzTotal, sizes.queryDurationS),
    );
    figures.push(...queryFigures.map((f) => (f.name.startsWith('GetProduct') ? withRatio(f, finds, '≥ 0.6') : f)));
    figures.push(...(await scenario('query scaling', () => queryScaling(isolated.env, sizes.scaling, 8, sizes.scalingDurationS, log))));
    const comparison = { catchUpEvents: Math.min(sizes.catchUpEvents, 2_000), concurrency: 8, durationS: sizes.scalingDurationS };
    figures.push(...(await scenario('engines', () => engineComparison(stack as CatalogStack, isolated.env, seeded.ids, comparison, log))));

    const report: Report = {
      mode,
      startedAt: startedAt.toISOString(),
      durationS: round((Date.now() - startedAt.getTime()) / 1000, 1),
      machine: machine(),
      ceilings,
      figures,
      resources,
    };
    writeReport(outDir, report);
    log(`report written to ${outDir} (report.md, report.json, latency.svg)`);
  } finally {
    await stack?.stop();
    await isolated.cleanup();
  }
}

function machine(): Report['machine'] {
  return { cpus: cpus().length, memoryGb: round(totalmem() / 2 ** 30, 1), node: process.version };
}

/** Adds the ratio to a further ceiling that explains the figure. */
function alsoAgainst(figure: Figure, ceiling: Figure | undefined): Figure {
  if (ceiling?.rate === undefined || figure.rate === undefined) return figure;
  return {
    ...figure,
    otherRatios: [...(figure.otherRatios ?? []), { ceiling: ceiling.name, ratio: round(figure.rate / ceiling.rate, 3) }],
  };
}

function withRatio(figure: Figure, ceiling: Figure | undefined, goal: string): Figure {
  if (ceiling?.rate === undefined || figure.rate === undefined) return figure;
  return {
    ...figure,
    ceiling: ceiling.name,
    ratio: round(figure.rate / ceiling.rate, 3),
    target: figure.target ?? `${goal} × ${ceiling.name}`,
  };
}

exitWhenDone(
  new Command('bench')
    .addOption(new Option('--mode <mode>', 'sizes').choices(Object.keys(SIZES)).default('quick'))
    .option('--out <dir>', 'where the report goes', join(REPO_ROOT, 'tools/bench/out'))
    .addOption(new Option('--only <scenario>', 'run one scenario alone').choices(['query-scaling']))
    .action(async (options: { mode: string; out: string; only?: string }) => {
      await main(options.mode, options.out, options.only);
    })
    .parseAsync(),
);
