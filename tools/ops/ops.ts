/**
 * The operator CLI.
 *
 *   npm run ops -- rebuild products            rebuild the product views from the event store, then swap them in
 *   npm run ops -- rebuild orders              the same for the order views (from the order and the stock reservation events)
 *   npm run ops -- dead-letters list           show parked events and why they failed
 *   npm run ops -- dead-letters replay <id>    re-project that event's aggregate from the event store, then forget the letter
 *
 * Reads MYSQL_URL, MYSQL_DATABASE, MONGODB_URL, MONGODB_DATABASE like the apps.
 */
import { Command } from 'commander';
import type { Db } from 'mongodb';
import { SingleBar, Presets } from 'cli-progress';
import { productsProjection } from '@cqrs/catalog-read-model';
import { ordersProjection } from '@cqrs/orders-read-model';
import { loadConfigOrExit, mongoEnv, mysqlEnv } from '@cqrs/config';
import type { commonV1 } from '@cqrs/contracts';
import { sourcesOf, type Projection, type ViewDocument } from '@cqrs/projection';
import { DeadLetters, ViewCatalog, rebuildProjection, replayAggregate } from '@cqrs/projections';
import { createViewDatabase, mongoViewStore } from '@cqrs/view-store';
import { selectViewStore, viewStoreEnv } from '@cqrs/view-store-ferretdb';
import { createMysql, EventStore, streamIdOf, toEnvelope } from '@cqrs/write-store';

const PROJECTIONS: Record<string, Projection<ViewDocument, commonV1.EventEnvelope>> = {
  products: productsProjection,
  orders: ordersProjection,
};

const config = loadConfigOrExit('ops', { ...mysqlEnv, ...mongoEnv, ...viewStoreEnv });
const storeOf = (db: Db) => selectViewStore(db, { engine: config.VIEW_STORE_ENGINE, mongodb: mongoViewStore });

function projectionNamed(name: string): Projection<ViewDocument, commonV1.EventEnvelope> {
  const projection = PROJECTIONS[name] ?? Object.values(PROJECTIONS).find((p) => p.name === name);
  if (projection === undefined) throw new Error(`unknown projection "${name}" (known: ${Object.keys(PROJECTIONS).join(', ')})`);
  return projection;
}

async function withStores<T>(
  work: (stores: { events: EventStore; views: ReturnType<typeof createViewDatabase> }) => Promise<T>,
): Promise<T> {
  const mysql = createMysql(config);
  const views = createViewDatabase(config);
  try {
    return await work({ events: new EventStore(mysql), views });
  } finally {
    await views.close();
    await mysql.destroy();
  }
}

const program = new Command('ops').description('operator commands for the CQRS platform').showHelpAfterError();

program
  .command('rebuild')
  .argument('<projection>', `one of: ${Object.keys(PROJECTIONS).join(', ')}`)
  .option('--batch-size <n>', 'events read and applied at once (one write per view touched)', (v) => Number(v), 5_000)
  .option('--settle-ms <n>', 'pause after the swap before the last catch-up', (v) => Number(v), 2_000)
  .description('rebuild views from the event store into fresh collections, then swap them in')
  .action(async (name: string, options: { batchSize: number; settleMs: number }) => {
    const projection = projectionNamed(name);
    await withStores(async ({ events, views }) => {
      const bar = new SingleBar(
        {
          noTTYOutput: true,
          notTTYSchedule: 2_000,
          format: `${name} [{bar}] {percentage}% | {value}/{total} events | {rate} events/s | ETA {eta_formatted}`,
          etaBuffer: 50,
        },
        Presets.shades_classic,
      );
      const started = Date.now();
      bar.start(await events.countEvents(sourcesOf(projection)), 0, { rate: 0 });
      const summary = await rebuildProjection(
        views.db,
        storeOf(views.db),
        projection,
        new ViewCatalog(views.db, 0),
        {
          read: async (after, limit) => (await events.readAll(after, limit, sourcesOf(projection))).map(toEnvelope),
          count: () => events.countEvents(sourcesOf(projection)),
        },
        {
          batchSize: options.batchSize,
          settleMs: options.settleMs,
          onProgress: ({ done, total }) => {
            bar.setTotal(total);
            bar.update(done, { rate: Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)) });
          },
        },
      );
      bar.stop();
      console.log(
        `rebuilt ${projection.name}: ${summary.events} events → ${summary.views} views in ${(summary.durationMs / 1000).toFixed(1)} s ` +
          `(${Math.round(summary.events / Math.max(summary.durationMs / 1000, 0.001))} events/s), ${summary.parked} parked; ` +
          `now serving ${summary.collections.collection}; the replaced ${summary.replaced.collection} is kept for you to drop`,
      );
    });
  });

const deadLetters = program.command('dead-letters').description('events a projection parked after its retries');

deadLetters
  .command('list')
  .option('--projection <name>')
  .action(async (options: { projection?: string }) => {
    await withStores(async ({ views }) => {
      const letters = await new DeadLetters(views.db).list(options.projection);
      if (letters.length === 0) console.log('no parked events');
      for (const l of letters)
        console.log(
          `${l._id}  ${l.streamId} v${l.version}  ${l.eventType}  parked ${l.parkedAt.toISOString()} after ${l.deliveries} deliveries: ${l.error}`,
        );
    });
  });

deadLetters
  .command('replay')
  .argument('<id>', 'the dead letter id shown by list')
  .description("re-project the letter's aggregate from all its events in the event store, then remove the letter")
  .action(async (id: string) => {
    await withStores(async ({ events, views }) => {
      const letters = new DeadLetters(views.db);
      const letter = (await letters.list()).find((l) => l._id === id);
      if (letter === undefined) throw new Error(`no dead letter ${id}`);
      const projection = projectionNamed(letter.projection);
      const streams = await Promise.all(
        sourcesOf(projection).map((streamType) => events.readStream(streamIdOf(streamType, letter.aggregateId))),
      );
      const stored = streams.flat().sort((a, b) => a.position - b.position);
      const result = await replayAggregate(views.db, storeOf(views.db), projection, new ViewCatalog(views.db, 0), stored.map(toEnvelope));
      if (result.parked > 0) throw new Error(`replay of ${letter.streamId} still fails: ${result.error}`);
      await letters.remove(id);
      console.log(`replayed ${letter.streamId}: view at version ${result.version}; letter removed`);
    });
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`ops: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
