import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { AlreadyExistsError, ConcurrencyError, IllegalStateError, ValidationError } from '@cqrs/errors';
import { isolatedEnvironment, LOCAL_URLS } from '@cqrs/testing';
import { CommandExecutor, type StreamLoader } from './command-executor';
import { EventStore } from './event-store';
import { migrateToLatest } from './migrations/migration-source';
import { createMysql, ensureDatabase } from './mysql-connection';
import { OutboxStore } from './outbox-store';
import { SnapshotStore } from './snapshot-store';
import { streamIdOf } from './stream-id';
import { counterAggregate } from './test-counter.aggregate';

jest.setTimeout(60_000);

const isolated = isolatedEnvironment();
const config = { MYSQL_URL: LOCAL_URLS.MYSQL_URL, MYSQL_DATABASE: isolated.runId, MYSQL_POOL_MAX: 20 };
let db: Knex;
let store: EventStore;

beforeAll(async () => {
  await ensureDatabase(config);
  db = createMysql(config);
  await migrateToLatest(db);
  store = new EventStore(db);
});

afterAll(async () => {
  await db.destroy();
  await isolated.cleanup();
});

const now = new Date('2026-11-24T12:00:00Z');
const add = (by: number) => ({ type: 'Add' as const, data: { by } });
const rowCounts = async () => {
  const [[events], [outbox], [records], [claims]] = await Promise.all(
    ['events', 'event_outbox', 'idempotency_records', 'unique_claims'].map((table) => db(table).count({ n: '*' })),
  );
  return { events: Number(events?.n), outbox: Number(outbox?.n), records: Number(records?.n), claims: Number(claims?.n) };
};

describe('EventStore', () => {
  it('appends events with consecutive versions, increasing positions and outbox rows', async () => {
    const id = randomUUID();
    const event = (n: number) => ({ eventId: randomUUID(), type: 'test.Added', schemaVersion: 1, payload: Buffer.from([n]) });
    const first = await store.append({
      streamType: 'test.counter',
      aggregateId: id,
      expectedVersion: 0,
      events: [event(1), event(2)],
      metadata: { requestId: 'r1' },
      occurredAt: now,
    });
    const second = await store.append({
      streamType: 'test.counter',
      aggregateId: id,
      expectedVersion: 2,
      events: [event(3)],
      metadata: {},
      occurredAt: now,
    });
    expect([first.version, second.version]).toEqual([2, 3]);

    const stored = await store.readStream(streamIdOf('test.counter', id));
    expect(stored.map((e) => e.version)).toEqual([1, 2, 3]);
    expect(stored.map((e) => e.payload[0])).toEqual([1, 2, 3]);
    expect(stored[0]?.position).toBeLessThan(stored[2]?.position ?? 0);
    expect(stored[2]?.position).toBe(second.position);
    expect(stored[0]).toMatchObject({ aggregateId: id, streamType: 'test.counter', metadata: { requestId: 'r1' }, occurredAt: now });

    const pending = await new OutboxStore(db).pending(1_000);
    expect(pending.filter((e) => e.aggregateId === id).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it('refuses an append behind the stream with the current version, writing nothing', async () => {
    const id = randomUUID();
    const event = () => ({ eventId: randomUUID(), type: 'test.Added', schemaVersion: 1, payload: Buffer.alloc(0) });
    await store.append({
      streamType: 'test.counter',
      aggregateId: id,
      expectedVersion: 0,
      events: [event(), event()],
      metadata: {},
      occurredAt: now,
    });
    const before = await rowCounts();
    const failure = await store
      .append({
        streamType: 'test.counter',
        aggregateId: id,
        expectedVersion: 1,
        events: [event()],
        metadata: {},
        occurredAt: now,
        idempotency: { requestId: randomUUID(), method: 'm', requestHash: 'h' },
      })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConcurrencyError);
    expect((failure as ConcurrencyError).actualVersion).toBe(2);
    expect(await rowCounts()).toEqual(before);
  });

  it('is atomic: a failure after the events were inserted (a taken unique value) leaves nothing', async () => {
    await store.append({
      streamType: 'test.counter',
      aggregateId: randomUUID(),
      expectedVersion: 0,
      events: [],
      metadata: {},
      occurredAt: now,
      claims: [{ scope: 'test.counter.name', value: 'taken' }],
    });
    const before = await rowCounts();
    const failure = await store
      .append({
        streamType: 'test.counter',
        aggregateId: randomUUID(),
        expectedVersion: 0,
        events: [{ eventId: randomUUID(), type: 'test.Named', schemaVersion: 1, payload: Buffer.from('{}') }],
        metadata: {},
        occurredAt: now,
        claims: [{ scope: 'test.counter.name', value: 'taken' }],
        idempotency: { requestId: randomUUID(), method: 'm', requestHash: 'h' },
      })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AlreadyExistsError);
    expect(await rowCounts()).toEqual(before);
  });
});

describe('CommandExecutor', () => {
  function executors() {
    // Two executors stand for two processes: their in-process queues do not see each other.
    return [new CommandExecutor(store), new CommandExecutor(store)];
  }

  it.each([
    ['loading the stream for each command', {}],
    ['keeping states between commands', { stateCacheSize: 100 }],
  ])('lands every one of 100 racing commands from two processes, in some order, exactly once (%s)', async (_, options) => {
    const id = randomUUID();
    const [a, b] = [new CommandExecutor(store, options), new CommandExecutor(store, options)];
    const deltas = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? -1 : 2));
    const outcomes = await Promise.allSettled(
      deltas.map((by, i) =>
        ((i % 2 === 0 ? a : b) as CommandExecutor).execute(counterAggregate, { aggregateId: id, command: add(by), metadata: {}, now }),
      ),
    );
    const landed = deltas.filter((_, i) => outcomes[i]?.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason);
    expect(refused.every((err) => err instanceof IllegalStateError)).toBe(true);
    const stored = await store.readStream(streamIdOf('test.counter', id));
    expect(stored).toHaveLength(landed.length);
    expect(stored.map((e) => e.version)).toEqual(stored.map((_, i) => i + 1));
    const total = JSON.parse(stored[stored.length - 1]?.payload.toString() ?? '{}').total;
    expect(total).toBe(landed.reduce((sum, by) => sum + by, 0));
  });

  it('fails with ConcurrencyError when expectedVersion is behind, and does not retry', async () => {
    const [a] = executors();
    const id = randomUUID();
    await a?.execute(counterAggregate, { aggregateId: id, command: add(1), metadata: {}, now });
    await a?.execute(counterAggregate, { aggregateId: id, command: add(1), metadata: {}, now });
    await expect(
      a?.execute(counterAggregate, { aggregateId: id, command: add(1), expectedVersion: 1, metadata: {}, now }),
    ).rejects.toMatchObject({
      name: 'ConcurrencyError',
      actualVersion: 2,
    });
    expect(await store.currentVersion(streamIdOf('test.counter', id))).toBe(2);
  });

  it('returns the first result for a repeated request id and writes nothing new', async () => {
    const [a, b] = executors();
    const id = randomUUID();
    const idempotency = { requestId: randomUUID(), method: 'Add', requestHash: 'same' };
    const first = await a?.execute(counterAggregate, { aggregateId: id, command: add(5), idempotency, metadata: {}, now });
    const again = await b?.execute(counterAggregate, { aggregateId: id, command: add(5), idempotency, metadata: {}, now });
    expect(again).toEqual(first);
    expect(await store.readStream(streamIdOf('test.counter', id))).toHaveLength(1);
  });

  it('lets one of two concurrent requests with the same id write, and gives both its result', async () => {
    const [a, b] = executors();
    const id = randomUUID();
    const idempotency = { requestId: randomUUID(), method: 'Add', requestHash: 'same' };
    const results = await Promise.all(
      [a, b].map((e) => e?.execute(counterAggregate, { aggregateId: id, command: add(1), idempotency, metadata: {}, now })),
    );
    expect(results[0]).toEqual(results[1]);
    expect(await store.readStream(streamIdOf('test.counter', id))).toHaveLength(1);
  });

  it('refuses a request id reused with a different payload', async () => {
    const [a] = executors();
    const requestId = randomUUID();
    await a?.execute(counterAggregate, {
      aggregateId: randomUUID(),
      command: add(1),
      idempotency: { requestId, method: 'Add', requestHash: 'one' },
      metadata: {},
      now,
    });
    const failure = await a
      ?.execute(counterAggregate, {
        aggregateId: randomUUID(),
        command: add(2),
        idempotency: { requestId, method: 'Add', requestHash: 'two' },
        metadata: {},
        now,
      })
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).violations[0]?.field).toBe('request_id');
    expect((failure as ValidationError).reason).toBe('REQUEST_ID_REUSED');
  });
});

describe('decisions across several streams', () => {
  /** Moves `by` from one counter to another: both streams change, or neither. */
  const transfer = (from: string, to: string, by: number) => async (load: StreamLoader) => {
    const [source, target] = [await load(counterAggregate, from), await load(counterAggregate, to)];
    if (source.total < by) return [];
    return [
      { aggregate: counterAggregate, aggregateId: from, events: [{ type: 'Added' as const, data: { by: -by, total: source.total - by } }] },
      { aggregate: counterAggregate, aggregateId: to, events: [{ type: 'Added' as const, data: { by, total: target.total + by } }] },
    ];
  };
  const totalOf = async (id: string) => {
    const events = await store.readStream(streamIdOf('test.counter', id));
    return events.reduce((sum, e) => sum + (JSON.parse(e.payload.toString()) as { by: number }).by, 0);
  };

  it('writes nothing to any stream when one of them moved (ConcurrencyError names it)', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await store.append({
      streamType: 'test.counter',
      aggregateId: b,
      expectedVersion: 0,
      events: [{ eventId: randomUUID(), type: 'test.Added', schemaVersion: 1, payload: Buffer.from('{"by":1,"total":1}') }],
      metadata: {},
      occurredAt: now,
    });
    const before = await rowCounts();
    const event = () => ({ eventId: randomUUID(), type: 'test.Added', schemaVersion: 1, payload: Buffer.from('{"by":1,"total":1}') });
    const attempt = store.appendAll([
      { streamType: 'test.counter', aggregateId: a, expectedVersion: 0, events: [event()], metadata: {}, occurredAt: now },
      { streamType: 'test.counter', aggregateId: b, expectedVersion: 0, events: [event()], metadata: {}, occurredAt: now },
    ]);
    await expect(attempt).rejects.toThrow(ConcurrencyError);
    await expect(attempt).rejects.toMatchObject({ streamId: streamIdOf('test.counter', b) });
    expect(await rowCounts()).toEqual(before);
  });

  it('lands 60 racing transfers from two processes exactly once each, never taking a counter below zero', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const executors = [new CommandExecutor(store, { maxAttempts: 40 }), new CommandExecutor(store, { maxAttempts: 40 })];
    await executors[0]?.execute(counterAggregate, { aggregateId: a, command: add(40), metadata: {}, now });
    const context = { metadata: {}, now };
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (executors[i % 2] as CommandExecutor).executeAcross(i % 3 === 2 ? transfer(b, a, 1) : transfer(a, b, 1), context),
      ),
    );
    const [fromA, fromB] = [
      results.filter((r, i) => i % 3 !== 2 && r.length === 2).length,
      results.filter((r, i) => i % 3 === 2 && r.length === 2).length,
    ];
    expect(fromA).toBeGreaterThan(0);
    expect(await totalOf(a)).toBe(40 - fromA + fromB);
    expect(await totalOf(b)).toBe(fromA - fromB);
    expect((await totalOf(a)) + (await totalOf(b))).toBe(40);
  });

  it('refuses to write a stream the decision did not load', async () => {
    const executor = new CommandExecutor(store);
    await expect(
      executor.executeAcross(
        async () => [
          { aggregate: counterAggregate, aggregateId: randomUUID(), events: [{ type: 'Added' as const, data: { by: 1, total: 1 } }] },
        ],
        { metadata: {}, now },
      ),
    ).rejects.toThrow(/did not load it/);
  });
});

describe('CommandExecutor with kept states', () => {
  const cached = () => new CommandExecutor(store, { stateCacheSize: 100 });
  const totalOf = async (id: string) =>
    JSON.parse((await store.readStream(streamIdOf('test.counter', id))).pop()?.payload.toString() ?? '{}').total;

  it('decides the next command from the kept state, without reading the stream', async () => {
    const executor = cached();
    const id = randomUUID();
    await executor.execute(counterAggregate, { aggregateId: id, command: add(2), metadata: {}, now });
    const reads = jest.spyOn(store, 'readStream');
    try {
      await executor.execute(counterAggregate, { aggregateId: id, command: add(3), metadata: {}, now });
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
    expect(await totalOf(id)).toBe(5);
  });

  it('reloads a state another process moved on, and lands the command on top of it', async () => {
    const [a, b] = [cached(), cached()];
    const id = randomUUID();
    await a.execute(counterAggregate, { aggregateId: id, command: add(1), metadata: {}, now });
    await b.execute(counterAggregate, { aggregateId: id, command: add(10), metadata: {}, now });
    const result = await a.execute(counterAggregate, { aggregateId: id, command: add(100), metadata: {}, now });
    expect(result.version).toBe(3);
    expect(await totalOf(id)).toBe(111);
  });

  it('does not refuse a command because of a stale state: the refusal is checked on a fresh load', async () => {
    const [a, b] = [cached(), cached()];
    const id = randomUUID();
    await a.execute(counterAggregate, { aggregateId: id, command: add(1), metadata: {}, now });
    await b.execute(counterAggregate, { aggregateId: id, command: add(5), metadata: {}, now });
    // On a's kept state (total 1) taking 4 would go below zero; on the stored one (6) it does not.
    await a.execute(counterAggregate, { aggregateId: id, command: add(-4), metadata: {}, now });
    expect(await totalOf(id)).toBe(2);
    await expect(a.execute(counterAggregate, { aggregateId: id, command: add(-3), metadata: {}, now })).rejects.toBeInstanceOf(
      IllegalStateError,
    );
  });

  it('answers ConcurrencyError with the stored version, not the kept one', async () => {
    const [a, b] = [cached(), cached()];
    const id = randomUUID();
    await a.execute(counterAggregate, { aggregateId: id, command: add(1), metadata: {}, now });
    await b.execute(counterAggregate, { aggregateId: id, command: add(1), metadata: {}, now });
    await expect(
      a.execute(counterAggregate, { aggregateId: id, command: add(1), expectedVersion: 1, metadata: {}, now }),
    ).rejects.toMatchObject({ actualVersion: 2 });
    await expect(
      a.execute(counterAggregate, { aggregateId: id, command: add(1), expectedVersion: 2, metadata: {}, now }),
    ).resolves.toMatchObject({ version: 3 });
  });
});

describe('snapshots', () => {
  const snapshotted = {
    ...counterAggregate,
    snapshots: {
      every: 10,
      schemaVersion: 1,
      toJson: (state: { total: number }) => state,
      fromJson: (json: unknown) => json as { total: number },
    },
  };
  const totalOf = async (id: string) =>
    JSON.parse((await store.readStream(streamIdOf('test.counter', id))).pop()?.payload.toString() ?? '{}').total;

  it('saves the state every N events and loads from it', async () => {
    const snapshots = new SnapshotStore(db);
    const executor = new CommandExecutor(store, {}, snapshots);
    const id = randomUUID();
    for (let i = 0; i < 25; i++) await executor.execute(snapshotted, { aggregateId: id, command: add(1), metadata: {}, now });
    expect(await snapshots.load(streamIdOf('test.counter', id))).toEqual({ version: 20, schemaVersion: 1, state: { total: 20 } });

    // Prove the snapshot is what the next command starts from: doctor it, then decide.
    await snapshots.save(streamIdOf('test.counter', id), { version: 25, schemaVersion: 1, state: { total: 1000 } });
    await executor.execute(snapshotted, { aggregateId: id, command: add(1), metadata: {}, now });
    expect(await totalOf(id)).toBe(1001);
  });

  it('saves snapshots of streams written only by decisions across streams', async () => {
    const snapshots = new SnapshotStore(db);
    const executor = new CommandExecutor(store, {}, snapshots);
    const [a, b] = [randomUUID(), randomUUID()];
    const bump = async (load: StreamLoader) => {
      const [first, second] = [await load(snapshotted, a), await load(snapshotted, b)];
      return [
        { aggregate: snapshotted, aggregateId: a, events: [{ type: 'Added' as const, data: { by: 1, total: first.total + 1 } }] },
        { aggregate: snapshotted, aggregateId: b, events: [{ type: 'Added' as const, data: { by: 2, total: second.total + 2 } }] },
      ];
    };
    for (let i = 0; i < 12; i++) await executor.executeAcross(bump, { metadata: {}, now });
    expect(await snapshots.load(streamIdOf('test.counter', a))).toEqual({ version: 10, schemaVersion: 1, state: { total: 10 } });
    expect(await snapshots.load(streamIdOf('test.counter', b))).toEqual({ version: 10, schemaVersion: 1, state: { total: 20 } });
  });

  it('ignores a snapshot of another schema version', async () => {
    const snapshots = new SnapshotStore(db);
    const executor = new CommandExecutor(store, {}, snapshots);
    const id = randomUUID();
    for (let i = 0; i < 3; i++) await executor.execute(snapshotted, { aggregateId: id, command: add(1), metadata: {}, now });
    await snapshots.save(streamIdOf('test.counter', id), { version: 3, schemaVersion: 0, state: { total: 1000 } });
    await executor.execute(snapshotted, { aggregateId: id, command: add(1), metadata: {}, now });
    expect(await totalOf(id)).toBe(4);
  });
});
