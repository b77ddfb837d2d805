import { credentials } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { catalogV1 } from '@cqrs/contracts';
import { startApp, type CatalogStack } from '@cqrs/testing';
import { VIEW_STORE_ENGINES } from '@cqrs/view-store-ferretdb';
import { projectorCatchUp, rebuild } from './catch-up';
import type { Figure } from './figures';
import { ghz } from './ghz';
import { queriesAt } from './query-scaling';

type Engine = Exclude<(typeof VIEW_STORE_ENGINES)[number], 'auto'>;
const ENGINES: readonly Engine[] = ['ferretdb-v1', 'mongodb'];

export interface EngineComparisonSizes {
  readonly catchUpEvents: number;
  readonly concurrency: number;
  readonly durationS: number;
}

/**
 * Both view-store engines on the same view store in the same run, each in a view database of its
 * own: a rebuild from the event store (which also fills it), a projector catching up on it, then
 * GetProduct, List and Search through a query service running that engine. On FerretDB v1 this is
 * the cost of the workarounds (or of going without them) as a figure.
 */
export async function engineComparison(
  stack: CatalogStack,
  env: Record<string, string>,
  productIds: readonly string[],
  sizes: EngineComparisonSizes,
  log: (message: string) => void,
): Promise<Figure[]> {
  const envOf = (engine: Engine) => ({
    ...env,
    VIEW_STORE_ENGINE: engine,
    MONGODB_DATABASE: `${env['MONGODB_DATABASE'] ?? 'bench'}_${engine.replace(/\W/g, '')}`,
  });
  const figures: Figure[] = [];
  try {
    figures.push(...(await measure(stack, envOf, productIds, sizes, log)));
  } finally {
    const client = new MongoClient(env['MONGODB_URL'] ?? '');
    for (const engine of ENGINES)
      await client
        .db(envOf(engine).MONGODB_DATABASE)
        .dropDatabase()
        .catch(() => undefined);
    await client.close();
  }
  return figures;
}

async function measure(
  stack: CatalogStack,
  envOf: (engine: Engine) => Record<string, string>,
  productIds: readonly string[],
  sizes: EngineComparisonSizes,
  log: (message: string) => void,
): Promise<Figure[]> {
  const tagged = (engine: Engine, figure: Figure): Figure => ({ ...figure, scenario: 'engines', name: `[${engine}] ${figure.name}` });
  const figures: Figure[] = [];
  // Each engine's rebuild right before its catch-up: its views then hold every event committed so
  // far (another engine's catch-up commits events too), so the catch-up meets no gap.
  for (const engine of ENGINES) {
    log(`engines: rebuild, ${engine}`);
    figures.push(tagged(engine, await rebuild(envOf(engine))));
    log(`engines: catch-up, ${engine}`);
    const catchUp = await projectorCatchUp(stack, envOf(engine), productIds, sizes.catchUpEvents, (projector) =>
      Object.assign(stack, { projector }),
    );
    figures.push(tagged(engine, catchUp));
  }
  for (const engine of ENGINES) {
    log(`engines: queries, ${engine}`);
    const queryService = await startApp('query-service', envOf(engine));
    const address = `127.0.0.1:${queryService.port}`;
    const client = new catalogV1.QueryServiceClient(address, credentials.createInsecure());
    try {
      const label = `${productIds.length.toLocaleString('en-US')}`;
      figures.push(
        tagged(
          engine,
          await ghz('engines', `GetProduct, ${label} products (c=${sizes.concurrency})`, {
            call: 'catalog.v1.QueryService/GetProduct',
            address,
            concurrency: sizes.concurrency,
            total: 0,
            durationS: sizes.durationS,
            data: productIds.slice(0, 500).map((id) => ({ product_id: id })),
          }),
        ),
      );
      for (const figure of await queriesAt(client, address, label, sizes.concurrency, sizes.durationS))
        figures.push(tagged(engine, figure));
    } finally {
      client.close();
      await queryService.stop('SIGKILL');
    }
  }
  return figures;
}
