/**
 * How an internal service uses the generated TypeScript client: create a product, then change
 * its price with optimistic concurrency, retrying safely thanks to request ids.
 *
 *   npx tsx tools/examples/catalog-client.ts [127.0.0.1:50051]
 */
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { catalogV1, type commonV1 } from '@cqrs/contracts';

export async function createAndReprice(address: string): Promise<commonV1.CommandAck[]> {
  const client = new catalogV1.CommandServiceClient(address, credentials.createInsecure());
  const createProduct = promisify<catalogV1.CreateProductRequest, catalogV1.CreateProductResponse>(client.createProduct.bind(client));
  const changePrice = promisify<catalogV1.ChangeProductPriceRequest, catalogV1.ChangeProductPriceResponse>(
    client.changeProductPrice.bind(client),
  );
  try {
    const created = await createProduct(
      catalogV1.CreateProductRequest.fromPartial({
        requestId: randomUUID(), // resend the same id on retry: the first result comes back, nothing is written twice
        sku: `ESP-${randomUUID().slice(0, 8)}`,
        name: 'Espresso',
        price: { currencyCode: 'EUR', amountMinor: 250 },
        initialStock: 10,
      }),
    );
    const ack = created.ack;
    if (ack === undefined) throw new Error('no acknowledgement');
    const repriced = await changePrice(
      catalogV1.ChangeProductPriceRequest.fromPartial({
        requestId: randomUUID(),
        productId: ack.aggregateId,
        expectedVersion: ack.version, // ABORTED if someone changed the product meanwhile
        price: { currencyCode: 'EUR', amountMinor: 270 },
      }),
    );
    return [ack, ...(repriced.ack ? [repriced.ack] : [])];
  } finally {
    client.close();
  }
}

if (require.main === module) {
  createAndReprice(process.argv[2] ?? '127.0.0.1:50051').then(
    (acks) => console.log(JSON.stringify(acks, null, 2)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
