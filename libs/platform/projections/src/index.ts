export { DEAD_LETTERS_COLLECTION, DeadLetters } from './dead-letters';
export type { DeadLetter } from './dead-letters';
export type { DerivedDocuments, Projection, ViewDocument } from './projection';
export { ProjectionApplier } from './projection-applier';
export type { BatchResult, IncomingEvent, Outcome, ProjectionApplierOptions } from './projection-applier';
export { JetStreamProjector, projectorConsumerName } from './jetstream-projector';
export type { JetStreamProjectorOptions } from './jetstream-projector';
