import type { Knex } from 'knex';
import { AlreadyExistsError, ConcurrencyError } from '@cqrs/errors';
import type { AppendRequest, AppendResult, EventMetadata, IdempotencyRecord, StoredEvent } from './event-store.types';
import { DuplicateKeyError, LockConflictError, translateMysqlError } from './mysql-connection';
import { streamIdOf } from './stream-id';

/** Another request with the same request id committed first; read its record instead. */
export class IdempotencyRaceError extends Error {
  constructor(readonly requestId: string) {
    super(`request ${requestId} was committed concurrently`);
    this.name = 'IdempotencyRaceError';
  }
}

export interface EventRow {
  position: number | string;
  event_id: string;
  stream_id: string;
  stream_type: string;
  version: number;
  event_type: string;
  schema_version: number;
  payload: Buffer;
  metadata: string | EventMetadata;
  occurred_at: Date;
}

export const EVENT_COLUMNS = [
  'position',
  'event_id',
  'stream_id',
  'stream_type',
  'version',
  'event_type',
  'schema_version',
  'payload',
  'metadata',
  'occurred_at',
];

/**
 * The append-only event log in MySQL. One transaction per append writes the events, their
 * outbox rows, unique claims and the idempotency record, or nothing; the unique
 * (stream_id, version) key decides which of two racing appends wins.
 */
export class EventStore {
  constructor(private readonly db: Knex) {}

  async readStream(streamId: string, afterVersion = 0): Promise<StoredEvent[]> {
    const rows: EventRow[] = await this.run(
      this.db('events').select(EVENT_COLUMNS).where('stream_id', streamId).andWhere('version', '>', afterVersion).orderBy('version'),
    );
    return rows.map(toStoredEvent);
  }

  /** Events in global position order, of one or several stream types (all when none), for rebuilds and relays. */
  async readAll(afterPosition: number, limit: number, streamType?: string | readonly string[]): Promise<StoredEvent[]> {
    const query = this.db('events').select(EVENT_COLUMNS).where('position', '>', afterPosition).orderBy('position').limit(limit);
    const rows: EventRow[] = await this.run(
      streamType === undefined ? query : query.whereIn('stream_type', typeof streamType === 'string' ? [streamType] : [...streamType]),
    );
    return rows.map(toStoredEvent);
  }

  async countEvents(streamType: string | readonly string[]): Promise<number> {
    const row: { n?: number | string } | undefined = await this.run(
      this.db('events')
        .count({ n: '*' })
        .whereIn('stream_type', typeof streamType === 'string' ? [streamType] : [...streamType])
        .first(),
    );
    return Number(row?.n ?? 0);
  }

  async currentVersion(streamId: string): Promise<number> {
    const row: { version?: number | null } | undefined = await this.run(
      this.db('events').max({ version: 'version' }).where('stream_id', streamId).first(),
    );
    return Number(row?.version ?? 0);
  }

  async findIdempotencyRecord(requestId: string): Promise<IdempotencyRecord | undefined> {
    const row: Record<string, string | number> | undefined = await this.run(
      this.db('idempotency_records').where('request_id', requestId).first(),
    );
    if (row === undefined) return undefined;
    return {
      method: String(row['method']),
      requestHash: String(row['request_hash']),
      streamId: String(row['stream_id']),
      aggregateId: String(row['aggregate_id']),
      version: Number(row['version']),
      position: Number(row['position']),
    };
  }

  /**
   * Appends in one transaction. Throws ConcurrencyError when the stream moved past
   * expectedVersion, AlreadyExistsError when a unique claim is taken, IdempotencyRaceError when
   * the request id was committed meanwhile; in each case nothing is written.
   */
  async append(request: AppendRequest): Promise<AppendResult> {
    const [result] = await this.appendAll([request]);
    if (result === undefined) throw new Error('append wrote no result');
    return result;
  }

  /**
   * Appends to several streams in one transaction: every stream at its expected version, or
   * nothing is written (ConcurrencyError names the first stream that moved). Streams are written
   * in stream id order, so two such appends lock rows in the same order; a deadlock MySQL still
   * reports is a lost race like any other (ConcurrencyError).
   */
  async appendAll(requests: readonly AppendRequest[]): Promise<AppendResult[]> {
    const order = requests.map((request, index) => ({ request, index, streamId: streamIdOf(request.streamType, request.aggregateId) }));
    order.sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
    let current: AppendRequest | undefined;
    try {
      return await this.db.transaction(async (trx) => {
        const results: AppendResult[] = new Array<AppendResult>(requests.length);
        for (const { request, index } of order) {
          current = request;
          results[index] = await appendIn(trx, request);
        }
        return results;
      });
    } catch (err) {
      const translated = translateMysqlError(err);
      const lostRace = translated instanceof VersionTakenError || translated instanceof LockConflictError;
      throw await this.explainAppendFailure(lostRace ? new VersionTakenError() : translated, current ?? requests[0]);
    }
  }

  private async explainAppendFailure(err: unknown, request: AppendRequest | undefined): Promise<unknown> {
    if (err instanceof VersionTakenError && request !== undefined) {
      const streamId = streamIdOf(request.streamType, request.aggregateId);
      return new ConcurrencyError(streamId, request.expectedVersion, await this.currentVersion(streamId));
    }
    if (err instanceof AlreadyExistsError || err instanceof IdempotencyRaceError) return err;
    return translateMysqlError(err);
  }

  private async run<T>(query: PromiseLike<T>): Promise<T> {
    try {
      return await query;
    } catch (err) {
      throw translateMysqlError(err);
    }
  }
}

async function lastPosition(trx: Knex.Transaction, streamId: string): Promise<number> {
  const row = await trx('events').max({ position: 'position' }).where('stream_id', streamId).first();
  return Number(row?.position ?? 0);
}

/** One stream's part of an append: events, their outbox rows, unique claims, idempotency record. */
async function appendIn(trx: Knex.Transaction, request: AppendRequest): Promise<AppendResult> {
  const streamId = streamIdOf(request.streamType, request.aggregateId);
  let version = request.expectedVersion;
  let position = 0;
  if (request.events.length > 0) {
    const metadata = JSON.stringify(request.metadata);
    const inserted = await insertOrThrow(
      trx('events').insert(
        request.events.map((event) => ({
          event_id: event.eventId,
          stream_id: streamId,
          stream_type: request.streamType,
          version: ++version,
          event_type: event.type,
          schema_version: event.schemaVersion,
          payload: event.payload,
          metadata,
          occurred_at: request.occurredAt,
        })),
      ),
      () => new VersionTakenError(),
    );
    // One event: its position is the insert id. Several: auto-increment ids of one insert are
    // consecutive only in some lock modes (not MySQL 8's default), so they are read back.
    const positions =
      request.events.length === 1
        ? [Number(inserted[0])]
        : (
            (await trx('events')
              .select('position')
              .where('stream_id', streamId)
              .andWhere('version', '>', request.expectedVersion)
              .orderBy('version')) as { position: number }[]
          ).map((row) => Number(row.position));
    await trx('event_outbox').insert(positions.map((p) => ({ position: p })));
    position = positions[positions.length - 1] ?? 0;
  } else {
    position = await lastPosition(trx, streamId);
  }
  for (const claim of request.claims ?? []) {
    await insertOrThrow(
      trx('unique_claims').insert({ scope: claim.scope, value: claim.value, stream_id: streamId }),
      () =>
        new AlreadyExistsError(`${claim.scope} "${claim.value}" is already taken`, {
          reason: 'UNIQUE_VALUE_TAKEN',
          metadata: { scope: claim.scope, value: claim.value },
        }),
    );
  }
  for (const release of request.releases ?? []) {
    await trx('unique_claims').where({ scope: release.scope, value: release.value, stream_id: streamId }).delete();
  }
  const idempotency = request.idempotency;
  if (idempotency !== undefined) {
    await insertOrThrow(
      trx('idempotency_records').insert({
        request_id: idempotency.requestId,
        method: idempotency.method,
        request_hash: idempotency.requestHash,
        stream_id: streamId,
        aggregate_id: request.aggregateId,
        version,
        position,
        created_at: request.occurredAt,
      }),
      () => new IdempotencyRaceError(idempotency.requestId),
    );
  }
  return { streamId, aggregateId: request.aggregateId, version, position };
}

/** Another append took one of the versions (or event ids) first. */
class VersionTakenError extends Error {}

/** Runs an insert, turning a duplicate-key error into the given domain error. */
async function insertOrThrow(insert: Knex.QueryBuilder, onDuplicate: () => Error): Promise<number[]> {
  try {
    return (await insert) as number[];
  } catch (err) {
    if (translateMysqlError(err) instanceof DuplicateKeyError) throw onDuplicate();
    throw err;
  }
}

export function toStoredEvent(row: EventRow): StoredEvent {
  const streamPrefix = `${row.stream_type}-`;
  return {
    position: Number(row.position),
    eventId: row.event_id,
    streamId: row.stream_id,
    streamType: row.stream_type,
    aggregateId: row.stream_id.startsWith(streamPrefix) ? row.stream_id.slice(streamPrefix.length) : row.stream_id,
    version: Number(row.version),
    type: row.event_type,
    schemaVersion: Number(row.schema_version),
    payload: row.payload,
    metadata: typeof row.metadata === 'string' ? (JSON.parse(row.metadata) as EventMetadata) : row.metadata,
    occurredAt: row.occurred_at,
  };
}
