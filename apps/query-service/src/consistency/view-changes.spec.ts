import { fakeViewChanges } from './fake-view-changes';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ViewChanges', () => {
  it('hands each notification to every consumer that follows the aggregate or its stream type', async () => {
    const { changes, notify } = fakeViewChanges();
    const one = changes.subscribe({ streamType: 'orders.order', aggregateId: 'o1' });
    const two = changes.subscribe({ streamType: 'orders.order', aggregateId: 'o1' });
    const all = changes.subscribe({ streamType: 'orders.order' });
    const other = changes.subscribe({ streamType: 'catalog.product', aggregateId: 'o1' });
    const waiting = one.next();
    notify('orders.order', 'o1', 3);
    notify('orders.order', 'o2', 1);
    const change = { value: { streamType: 'orders.order', aggregateId: 'o1', version: 3 }, done: false };
    await expect(waiting).resolves.toEqual(change);
    await expect(two.next()).resolves.toEqual(change);
    await expect(all.next()).resolves.toEqual(change);
    await expect(all.next()).resolves.toEqual({ value: { streamType: 'orders.order', aggregateId: 'o2', version: 1 }, done: false });
    let otherGot = false;
    void other.next().then(() => (otherGot = true));
    await tick();
    expect(otherGot).toBe(false);
    changes.close();
  });

  it('holds one change per aggregate for a slow consumer: the latest version, in the order they last changed', async () => {
    const { changes, notify } = fakeViewChanges();
    const all = changes.subscribe({ streamType: 'orders.order' });
    notify('orders.order', 'o1', 1);
    notify('orders.order', 'o2', 1);
    notify('orders.order', 'o1', 2);
    notify('orders.order', 'o1', 1); // late and older: the newer one stays
    await expect(all.next()).resolves.toMatchObject({ value: { aggregateId: 'o2', version: 1 } });
    await expect(all.next()).resolves.toMatchObject({ value: { aggregateId: 'o1', version: 2 } });
    expect(changes.subscriptionCount).toBe(1);
    changes.close();
  });

  it('releases the subscription when the consumer breaks out of for await', async () => {
    const { changes, notify } = fakeViewChanges();
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const change of changes.subscribe({ streamType: 'catalog.product', aggregateId: 'p' })) {
        seen.push(change.version);
        if (change.version === 2) break;
      }
    })();
    await tick();
    notify('catalog.product', 'p', 1);
    await tick();
    notify('catalog.product', 'p', 2);
    await consumer;
    expect(seen).toEqual([1, 2]);
    expect(changes.subscriptionCount).toBe(0);
  });

  it('ends a waiting consumer and releases its subscription when its signal aborts; the others go on', async () => {
    const { changes, notify } = fakeViewChanges();
    const cancelled = new AbortController();
    const leaving = changes.subscribe({ streamType: 'catalog.product', aggregateId: 'p' }, cancelled.signal);
    const staying = changes.subscribe({ streamType: 'catalog.product', aggregateId: 'p' });
    const waiting = leaving.next();
    expect(changes.subscriptionCount).toBe(2);
    cancelled.abort();
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    expect(changes.subscriptionCount).toBe(1);
    notify('catalog.product', 'p', 5);
    await expect(staying.next()).resolves.toMatchObject({ value: { version: 5 } });
    await expect(leaving.next()).resolves.toEqual({ value: undefined, done: true });
    await staying.return();
    expect(changes.subscriptionCount).toBe(0);
  });

  it('ends at once a subscription made with an aborted signal or after close', async () => {
    const { changes } = fakeViewChanges();
    const aborted = new AbortController();
    aborted.abort();
    await expect(changes.subscribe({ streamType: 'x' }, aborted.signal).next()).resolves.toEqual({ value: undefined, done: true });
    changes.close();
    await expect(changes.subscribe({ streamType: 'x' }).next()).resolves.toEqual({ value: undefined, done: true });
    expect(changes.subscriptionCount).toBe(0);
  });

  it('ends every consumer when the service closes', async () => {
    const { changes } = fakeViewChanges();
    const waits = [changes.subscribe({ streamType: 'x', aggregateId: 'a' }).next(), changes.subscribe({ streamType: 'x' }).next()];
    changes.close();
    await expect(Promise.all(waits)).resolves.toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    expect(changes.subscriptionCount).toBe(0);
    expect(changes.live).toBe(false);
  });
});
