import { Binary, type Db } from 'mongodb';
import { commonV1 } from '@cqrs/contracts';

export const DEAD_LETTERS_COLLECTION = 'projection_dead_letters';

export interface DeadLetter {
  readonly _id: string;
  readonly projection: string;
  readonly streamId: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly eventType: string;
  readonly error: string;
  readonly deliveries: number;
  readonly parkedAt: Date;
  readonly envelope: Binary;
}

/** Events a projection could not apply after its retries: kept with their error for the operator. */
export class DeadLetters {
  constructor(private readonly db: Db) {}

  async park(projection: string, envelope: commonV1.EventEnvelope, error: unknown, deliveries: number, now: Date): Promise<void> {
    const letter: DeadLetter = {
      _id: `${projection}:${envelope.eventId}`,
      projection,
      streamId: envelope.streamId,
      aggregateId: envelope.aggregateId,
      version: envelope.version,
      eventType: envelope.eventType,
      error: error instanceof Error ? error.message : String(error),
      deliveries,
      parkedAt: now,
      envelope: new Binary(commonV1.EventEnvelope.encode(envelope).finish()),
    };
    await this.db.collection<DeadLetter>(DEAD_LETTERS_COLLECTION).replaceOne({ _id: letter._id }, letter, { upsert: true });
  }

  list(projection?: string): Promise<DeadLetter[]> {
    const filter = projection === undefined ? {} : { projection };
    return this.db.collection<DeadLetter>(DEAD_LETTERS_COLLECTION).find(filter).sort({ parkedAt: 1 }).toArray();
  }

  async remove(id: string): Promise<void> {
    await this.db.collection<DeadLetter>(DEAD_LETTERS_COLLECTION).deleteOne({ _id: id });
  }
}
