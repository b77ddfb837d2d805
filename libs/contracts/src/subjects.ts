/** The one place an event subject is made: `<prefix>.<stream type>.<aggregate id>`, e.g. `events.catalog.product.1b9d…`. */
export function eventSubject(prefix: string, streamType: string, aggregateId: string): string {
  return `${prefix}.${streamType}.${aggregateId}`;
}

/** Every event subject of one stream type, e.g. `events.catalog.product.*`. */
export function eventSubjectsOf(prefix: string, streamType: string): string {
  return `${prefix}.${streamType}.*`;
}

/**
 * The JetStream stream that holds one stream type's events, e.g. `EVENTS_CATALOG_PRODUCT`. One stream
 * per stream type lets every consumer read its stream unfiltered (see the README, "Event streams").
 */
export function eventStreamName(streamPrefix: string, streamType: string): string {
  return `${eventStreamNamePrefix(streamPrefix)}${streamType.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase()}`;
}

/** What the names of every event stream under one prefix start with. */
export function eventStreamNamePrefix(streamPrefix: string): string {
  return `${streamPrefix.toUpperCase()}_`;
}

/** Core NATS subject on which the projector announces that an aggregate's view changed. */
export function viewChangedSubject(prefix: string, streamType: string, aggregateId: string): string {
  return `${prefix}.views.${streamType}.${aggregateId}`;
}

/** Every view-changed subject under a prefix. */
export function allViewChangedSubjects(prefix: string): string {
  return `${prefix}.views.>`;
}

/** Core NATS request subject on which the command side re-publishes events a consumer is missing. */
export function republishSubject(prefix: string): string {
  return `${prefix}.repair.republish`;
}
