import { catalogV1, commonV1, contractFileDescriptors } from './index';

describe('contracts', () => {
  it('carries the compiled descriptor of every contract file for reflection', () => {
    const names = contractFileDescriptors().map((bytes) => {
      // FileDescriptorProto field 1 is the file name: tag 0x0a, then a one-byte length for short names.
      expect(bytes[0]).toBe(0x0a);
      return bytes.subarray(2, 2 + (bytes[1] ?? 0)).toString('utf8');
    });
    expect(names).toEqual(
      expect.arrayContaining([
        'catalog/v1/command_service.proto',
        'catalog/v1/query_service.proto',
        'common/v1/money.proto',
        'health/v1/health.proto',
      ]),
    );
  });

  it('round-trips an event payload through its binary encoding', () => {
    const event = catalogV1.ProductCreated.fromPartial({
      productId: 'p-1',
      sku: 'ESP-1',
      name: 'Espresso',
      price: commonV1.Money.fromPartial({ currencyCode: 'EUR', amountMinor: 250 }),
      initialStock: 10,
    });
    expect(catalogV1.ProductCreated.decode(catalogV1.ProductCreated.encode(event).finish())).toEqual(event);
  });

  it('names the services exactly as the contract does', () => {
    expect(catalogV1.CommandServiceService.createProduct.path).toBe('/catalog.v1.CommandService/CreateProduct');
    expect(catalogV1.QueryServiceService.watchProduct.path).toBe('/catalog.v1.QueryService/WatchProduct');
    expect(catalogV1.QueryServiceService.watchProduct.responseStream).toBe(true);
  });
});
