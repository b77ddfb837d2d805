/** The one place a stream id is made: `<stream type>-<aggregate id>`, e.g. `catalog.product-1b9d…`. */
export function streamIdOf(streamType: string, aggregateId: string): string {
  return `${streamType}-${aggregateId}`;
}
