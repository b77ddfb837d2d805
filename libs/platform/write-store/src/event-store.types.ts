/** Who and what caused an event; stored as JSON with every event. */
export interface EventMetadata {
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actor?: string;
  readonly traceparent?: string;
}

/** An event ready to store: its payload is already encoded (binary Protobuf). */
export interface NewEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly payload: Buffer;
}

export interface StoredEvent extends NewEvent {
  readonly position: number;
  readonly streamId: string;
  readonly streamType: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly metadata: EventMetadata;
  readonly occurredAt: Date;
}

/** A value only one stream may hold at a time within its scope, e.g. a product's SKU. */
export interface UniqueClaim {
  readonly scope: string;
  readonly value: string;
}

export interface IdempotencyKey {
  readonly requestId: string;
  /** The RPC the request id was first used with. */
  readonly method: string;
  /** sha256 of the canonical request (without its request id). */
  readonly requestHash: string;
}

export interface AppendRequest {
  readonly streamType: string;
  readonly aggregateId: string;
  /** The version the new events follow (0 for a new stream). */
  readonly expectedVersion: number;
  readonly events: readonly NewEvent[];
  readonly metadata: EventMetadata;
  readonly occurredAt: Date;
  readonly claims?: readonly UniqueClaim[];
  readonly releases?: readonly UniqueClaim[];
  readonly idempotency?: IdempotencyKey;
}

/** What a command achieved: the aggregate's version and the global position of its last event. */
export interface AppendResult {
  readonly streamId: string;
  readonly aggregateId: string;
  readonly version: number;
  readonly position: number;
}

export interface IdempotencyRecord extends AppendResult {
  readonly method: string;
  readonly requestHash: string;
}
