import type { Logger } from '@cqrs/logging';

export interface Stoppable {
  shutdown(): Promise<void>;
}

/**
 * Shuts the process down cleanly on SIGTERM or SIGINT and exits 0; a second signal exits 1
 * at once. Failures at start-up or shutdown are logged and exit 1.
 */
export function runUntilSignalled(logger: Logger, start: () => Promise<Stoppable>): void {
  let app: Stoppable | undefined;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'shutting down');
    (app ? app.shutdown() : Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  start().then(
    (started) => {
      app = started;
      if (signalled) void started.shutdown().then(() => process.exit(0));
    },
    (err: unknown) => {
      logger.fatal({ err }, 'start-up failed');
      process.exit(1);
    },
  );
}
