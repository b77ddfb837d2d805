import { catalogV1, ordersV1, type commonV1 } from '@cqrs/contracts';
import { startGrpcServer, type RunningGrpcServer } from '@cqrs/grpc-kit';
import type { Logger } from '@cqrs/logging';
import { JetStreamEventPublisher, JetStreamReaction, NatsClient, natsProbe } from '@cqrs/messaging';
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
import { STOCK_RESERVATION_REACTION, stockReservationReaction } from './catalog/stock-reservation.reaction';
import { ordersCommandHandlers } from './orders/orders-command.handlers';
import { RESERVATION_OUTCOME_REACTION, reservationOutcomeReaction } from './orders/reservation-outcome.reaction';
import type { CommandServiceConfig } from './command-service.config';
import { startRepublishResponder } from './repair/republish-responder';

/**
 * Wires the write side: event store, outbox relay to JetStream, catalog.v1 and orders.v1
 * CommandService, and the reactions that choreograph an order between the two contexts.
 */
export async function startCommandService(config: CommandServiceConfig, logger: Logger): Promise<RunningGrpcServer> {
  await ensureDatabase(config, logger);
  const mysql = createMysql(config, { logger });
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
  const executor = new CommandExecutor(
    store,
    { onCommitted: () => relay.wake(), stateCacheSize: config.COMMAND_STATE_CACHE_SIZE },
    new SnapshotStore(mysql),
  );
  relay.start();
  nats.onReconnect(() => relay.publisherAvailable());
  const republish = nats.ready.then((nc) =>
    startRepublishResponder(nc, store, publisher, config.NATS_SUBJECT_PREFIX, logger.child({ component: 'republish' })),
  );
  // Filled as the reactions start, so a shutdown before NATS was ever reached does not wait for it.
  const reactions: JetStreamReaction[] = [];
  if (config.REACTIONS === 'on') {
    // Each reaction creates its stream type's stream if it does not exist yet, as the relay does before publishing.
    void nats.ready.then((nc) => {
      const react = (reaction: { name: string; streamType: string }, handle: (envelope: commonV1.EventEnvelope) => Promise<void>) => {
        const options = {
          ...reaction,
          stream: config.NATS_STREAM,
          subjectPrefix: config.NATS_SUBJECT_PREFIX,
          concurrency: config.REACTION_CONCURRENCY,
          ackWaitMs: config.REACTION_ACK_WAIT_MS,
          handle,
        };
        const running = new JetStreamReaction(nc, options, logger.child({ reaction: reaction.name }));
        running.start();
        reactions.push(running);
      };
      react(STOCK_RESERVATION_REACTION, stockReservationReaction(executor));
      react(RESERVATION_OUTCOME_REACTION, reservationOutcomeReaction(executor));
    });
  }

  return startGrpcServer({
    config,
    logger,
    services: [
      { definition: catalogV1.CommandServiceService, implementation: catalogCommandHandlers(executor, logger) },
      { definition: ordersV1.CommandServiceService, implementation: ordersCommandHandlers(executor, logger) },
    ],
    probes: [mysqlProbe(mysql), natsProbe(nats)],
    beforeDrain: () => void republish.then((subscription) => subscription.unsubscribe()),
    onShutdown: [
      async () => void (await Promise.all(reactions.map((reaction) => reaction.stop()))),
      () => relay.stop(),
      () => nats.close(),
      () => mysql.destroy(),
    ],
  });
}
