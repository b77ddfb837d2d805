import { decodeConsistencyToken, encodeConsistencyToken } from './consistency-token';
import { ConsistencyToken } from './generated/common/v1/command';

const ID = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';

describe('consistency token', () => {
  it('carries its parts: stream type, aggregate id, version and position', () => {
    const token = encodeConsistencyToken({
      streamId: `orders.order-${ID}`,
      streamType: 'orders.order',
      aggregateId: ID,
      version: 3,
      position: 42,
    });
    expect(decodeConsistencyToken(token)).toEqual({ streamType: 'orders.order', aggregateId: ID, version: 3, position: 42 });
  });

  it('still names the stream id, for query services that read only that', () => {
    const token = encodeConsistencyToken({
      streamId: `orders.order-${ID}`,
      streamType: 'orders.order',
      aggregateId: ID,
      version: 3,
      position: 42,
    });
    expect(ConsistencyToken.decode(Buffer.from(token, 'base64url')).streamId).toBe(`orders.order-${ID}`);
  });

  it('decodes the tokens clients already hold, which name only the stream id', () => {
    const old = Buffer.from(
      ConsistencyToken.encode({ streamId: `catalog.product-${ID}`, version: 7, position: 9, streamType: '', aggregateId: '' }).finish(),
    );
    expect(decodeConsistencyToken(old.toString('base64url'))).toEqual({
      streamType: 'catalog.product',
      aggregateId: ID,
      version: 7,
      position: 9,
    });
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not a message', Buffer.from([0xff, 0xff, 0xff]).toString('base64url')],
    [
      'no version',
      Buffer.from(
        ConsistencyToken.encode({ streamId: `catalog.product-${ID}`, version: 0, position: 1, streamType: '', aggregateId: '' }).finish(),
      ).toString('base64url'),
    ],
    [
      'a stream id without an aggregate id',
      Buffer.from(
        ConsistencyToken.encode({ streamId: 'catalog.product', version: 1, position: 1, streamType: '', aggregateId: '' }).finish(),
      ).toString('base64url'),
    ],
  ])('refuses %s', (_what, value) => {
    expect(decodeConsistencyToken(value)).toBeUndefined();
  });
});
