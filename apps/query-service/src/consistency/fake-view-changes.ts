import type { Msg, NatsConnection } from 'nats';
import type { Logger } from '@cqrs/logging';
import { ViewChanges } from './view-changes';

const PREFIX = 'events';

type MsgHandler = (err: Error | null, message: Msg) => void;

/**
 * ViewChanges attached to a stand-in for a core NATS connection: the test decides when a
 * notification arrives (`notify`), and whether the connection is up.
 */
export function fakeViewChanges(): {
  changes: ViewChanges;
  notify: (streamType: string, aggregateId: string, version: number) => void;
  disconnect: () => void;
} {
  let deliver: MsgHandler = () => undefined;
  let closed = false;
  const connection = {
    status: async function* () {
      // No status changes: the connection stays up unless the test says otherwise.
    },
    subscribe: (_subject: string, options: { callback: MsgHandler }) => {
      deliver = options.callback;
      return { unsubscribe: () => (deliver = () => undefined) };
    },
    isClosed: () => closed,
  };
  const logger = { warn: () => undefined } as unknown as Logger;
  const changes = new ViewChanges(PREFIX, logger);
  changes.attach(connection as unknown as NatsConnection);
  return {
    changes,
    notify: (streamType, aggregateId, version) =>
      deliver(null, { subject: `${PREFIX}.views.${streamType}.${aggregateId}`, string: () => JSON.stringify({ version }) } as Msg),
    disconnect: () => (closed = true),
  };
}
