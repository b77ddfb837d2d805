import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type StreamConfig } from 'nats';
import { allEventSubjects } from '@cqrs/contracts';

export interface EventStreamConfig {
  readonly NATS_STREAM: string;
  readonly NATS_SUBJECT_PREFIX: string;
}

/** How long JetStream remembers a Nats-Msg-Id to drop a re-published event. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/** Creates the event stream, or updates it to this configuration; safe to call at every start. */
export async function ensureEventStream(jsm: JetStreamManager, config: EventStreamConfig): Promise<void> {
  const changeable = {
    subjects: [allEventSubjects(config.NATS_SUBJECT_PREFIX)],
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    max_age: 0,
  };
  const existing = await jsm.streams.info(config.NATS_STREAM).catch((err: unknown) => {
    if (String(err).includes('stream not found')) return undefined;
    throw err;
  });
  if (existing === undefined) {
    const created: Partial<StreamConfig> = { name: config.NATS_STREAM, storage: StorageType.File, ...changeable };
    await jsm.streams.add(created);
    return;
  }
  // Storage cannot change on an existing stream; the rest is brought up to date.
  const { storage: _storage, ...current } = existing.config;
  await jsm.streams.update(config.NATS_STREAM, { ...current, ...changeable });
}
