// @cqrs/catalog-read-model/testing: fixtures for the tests of the product views and of what reads them.
import { randomUUID } from 'node:crypto';
import { catalogV1, commonV1 } from '@cqrs/contracts';

export const MENU_WORDS = ['espresso', 'latte', 'mocha', 'crème', 'brûlée', 'tarte', 'tatin', 'canelé', 'madeleine', 'financier'] as const;

/**
 * The i-th of a repeatable series of ProductCreated events, as the projector receives them: name
 * and description from MENU_WORDS (two words in the name, one in the description), so searches
 * have common and rare words; any field can be set.
 */
export function productCreatedEvent(
  i: number,
  fields: Partial<catalogV1.ProductCreated> = {},
  occurredAt = new Date(),
): { envelope: commonV1.EventEnvelope; deliveries: number } {
  const word = (k: number) => MENU_WORDS[k % MENU_WORDS.length];
  const created = catalogV1.ProductCreated.fromPartial({
    productId: randomUUID(),
    sku: `S-${i}`,
    name: `${word(i)} ${word(i * 7)} ${i}`,
    description: `A ${word(i * 3)} for the test`,
    price: { currencyCode: 'EUR', amountMinor: 100 + (i % 900) },
    initialStock: 1_000,
    ...fields,
  });
  const envelope = commonV1.EventEnvelope.fromPartial({
    eventId: randomUUID(),
    streamType: 'catalog.product',
    aggregateId: created.productId,
    version: 1,
    eventType: 'catalog.v1.ProductCreated',
    payload: Buffer.from(catalogV1.ProductCreated.encode(created).finish()),
    occurredAt,
  });
  return { envelope, deliveries: 1 };
}
