import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type StreamConfig } from 'nats';
import { allEventSubjects } from './subjects';

export interface EventStreamConfig {
  readonly NATS_STREAM: string;
  readonly NATS_SUBJECT_PREFIX: string;
}

/** How long JetStream remembers a Nats-Msg-Id to drop a re-published event. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/** Creates the event stream, or updates it to this configuration; safe to call at every start. */
export async function ensureEventStream(jsm: JetStreamManager, config: EventStreamConfig): Promise<void> {
  const wanted: Partial<StreamConfig> = {
    name: config.NATS_STREAM,
    subjects: [allEventSubjects(config.NATS_SUBJECT_PREFIX)],
    storage: StorageType.File,
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
    await jsm.streams.add(wanted);
    return;
  }
  // Storage cannot change on an existing stream; keep what it has.
  await jsm.streams.update(config.NATS_STREAM, { ...existing.config, ...wanted, storage: existing.config.storage });
}
