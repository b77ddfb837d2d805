import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type JetStreamManager, type StreamConfig } from 'nats';
import { eventStreamName, eventStreamNamePrefix, eventSubjectsOf } from '@cqrs/contracts';
import { natsCall, StreamNotFoundError, unlessMissing } from './nats-errors';

export interface EventStreamConfig {
  /** Streams are named `<NATS_STREAM>_<STREAM TYPE>`, one per stream type. */
  readonly NATS_STREAM: string;
  readonly NATS_SUBJECT_PREFIX: string;
}

/** How long JetStream remembers a Nats-Msg-Id to drop a re-published event. */
export const DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * Creates the stream of one stream type's events, or updates it to this configuration; safe to call
 * at every start. Returns its name.
 *
 * Each stream type has a stream of its own so that its consumers need no filter subject: NATS
 * 2.9.10 recounts a filtered consumer's pending messages by scanning its stream on every delivery
 * once it is past the middle of the last block (fixed in 2.9.15), which made the server the
 * busiest process of a projector catch-up.
 */
export async function ensureEventStream(jsm: JetStreamManager, config: EventStreamConfig, streamType: string): Promise<string> {
  const name = eventStreamName(config.NATS_STREAM, streamType);
  const subject = eventSubjectsOf(config.NATS_SUBJECT_PREFIX, streamType);
  const changeable = {
    subjects: [subject],
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    max_age: 0,
  };
  const existing = await unlessMissing(StreamNotFoundError, () => jsm.streams.info(name));
  if (existing === undefined) {
    const holder = (await natsCall(() => streamsHolding(jsm, subject)))[0];
    if (holder !== undefined) {
      throw new Error(
        `stream ${holder} already holds ${subject}; events now go to one stream per stream type (${name}). ` +
          `Let the consumers of ${holder} catch up, then delete it (README, "Event streams").`,
      );
    }
    const created: Partial<StreamConfig> = { name, storage: StorageType.File, ...changeable };
    await natsCall(() => jsm.streams.add(created));
    return name;
  }
  // Storage cannot change on an existing stream; the rest is brought up to date.
  const { storage: _storage, ...current } = existing.config;
  await natsCall(() => jsm.streams.update(name, { ...current, ...changeable }));
  return name;
}

async function streamsHolding(jsm: JetStreamManager, subject: string): Promise<string[]> {
  const names: string[] = [];
  for await (const name of jsm.streams.names(subject)) names.push(name);
  return names;
}

/** The names of every event stream under this configuration's prefix (operators and tests). */
export async function eventStreamNames(jsm: JetStreamManager, config: Pick<EventStreamConfig, 'NATS_STREAM'>): Promise<string[]> {
  const names: string[] = [];
  const prefix = eventStreamNamePrefix(config.NATS_STREAM);
  await natsCall(async () => {
    for await (const name of jsm.streams.names()) if (name.startsWith(prefix)) names.push(name);
  });
  return names;
}
