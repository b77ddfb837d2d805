import { catalogV1 } from '@cqrs/contracts';
import { startGrpcServer, type RunningGrpcServer } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import { JetStreamEventPublisher, NatsClient, natsProbe } from '@cqrs/messaging';
import {
  CommandExecutor,
  createMysql,
  ensureDatabase,
  EventStore,
  migrateToLatest,
  MysqlLeaderLock,
  mysqlProbe,
  OutboxRelay,
  OutboxStore,
  SnapshotStore,
} from '@cqrs/write-store';
import { catalogCommandHandlers } from './catalog/catalog-command.handlers';
import type { CommandServiceConfig } from './command-service.config';
import { startRepublishResponder } from './repair/republish-responder';

/** Wires the write side: event store, outbox relay to JetStream, and catalog.v1.CommandService. */
export async function startCommandService(config: CommandServiceConfig, logger: Logger): Promise<RunningGrpcServer> {
  await ensureDatabase(config);
  const mysql = createMysql(config);
  await migrateToLatest(mysql);
  const nats = new NatsClient(config, 'command-service', logger);

  const publisher = new JetStreamEventPublisher(nats, config);
  const relay = new OutboxRelay(
    new OutboxStore(mysql),
    new MysqlLeaderLock(config, `outbox-relay:${config.MYSQL_DATABASE}`),
    publisher,
    logger.child({ component: 'outbox-relay' }),
    { batchSize: config.RELAY_BATCH_SIZE, sweepIntervalMs: config.RELAY_SWEEP_INTERVAL_MS },
  );
  const store = new EventStore(mysql);
  const executor = new CommandExecutor(store, { onCommitted: () => relay.wake(), stateCacheSize: config.COMMAND_STATE_CACHE_SIZE }, new SnapshotStore(mysql));
  relay.start();
  const republish = nats.ready.then((nc) => startRepublishResponder(nc, store, publisher, config.NATS_SUBJECT_PREFIX, logger.child({ component: 'republish' })));

  return startGrpcServer({
    config,
    logger,
    services: [{ definition: catalogV1.CommandServiceService, implementation: catalogCommandHandlers(executor, logger) }],
    probes: [mysqlProbe(mysql), natsProbe(nats)],
    beforeDrain: () => void republish.then((subscription) => subscription.unsubscribe()),
    onShutdown: [() => relay.stop(), () => nats.close(), () => mysql.destroy()],
  });
}
