import type { NatsConnection, Subscription } from 'nats';
import { allViewChangedSubjects } from '@cqrs/contracts';
import type { Logger } from '@cqrs/logging';

type Listener = (version: number) => void;
type TypeListener = (aggregateId: string, version: number) => void;

/**
 * The projector's "view changed" notifications, received once per process and dispatched to
 * whoever waits for an aggregate: read-your-writes waits and WatchProduct streams.
 */
export class ViewChanges {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly typeListeners = new Map<string, Set<TypeListener>>();
  private subscription: Subscription | undefined;
  private connection: NatsConnection | undefined;
  private connected = false;
  private closed = false;

  constructor(
    private readonly subjectPrefix: string,
    private readonly logger: Logger,
  ) {}

  /** Starts listening on this connection (it reconnects by itself). */
  attach(nc: NatsConnection): void {
    if (this.closed) return;
    this.connection = nc;
    this.connected = true;
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.connected = false;
        if (status.type === 'reconnect') this.connected = true;
      }
    })();
    this.subscription = nc.subscribe(allViewChangedSubjects(this.subjectPrefix), {
      callback: (err, message) => {
        if (err) return this.logger.warn({ err }, 'view-changed subscription failed');
        const aggregateId = message.subject.slice(message.subject.lastIndexOf('.') + 1);
        const streamType = message.subject.slice(`${this.subjectPrefix}.views.`.length, message.subject.lastIndexOf('.'));
        const version = Number((JSON.parse(message.string()) as { version?: unknown }).version);
        if (!Number.isFinite(version)) return;
        for (const listener of this.listeners.get(aggregateId) ?? []) listener(version);
        for (const listener of this.typeListeners.get(streamType) ?? []) listener(aggregateId, version);
      },
    });
  }

  /** Whether notifications can arrive now (a wait without them could never be woken). */
  get live(): boolean {
    const nc = this.connection;
    return !this.closed && this.connected && nc !== undefined && !nc.isClosed();
  }

  /** Calls the listener with each new version of the aggregate's view until the returned function is called. */
  listen(aggregateId: string, listener: Listener): () => void {
    const set = this.listeners.get(aggregateId) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(aggregateId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(aggregateId);
    };
  }

  /** Calls the listener for every view of the stream type that changes (e.g. a kitchen display's stream), until the returned function is called. */
  listenAll(streamType: string, listener: TypeListener): () => void {
    const set = this.typeListeners.get(streamType) ?? new Set<TypeListener>();
    set.add(listener);
    this.typeListeners.set(streamType, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.typeListeners.delete(streamType);
    };
  }

  close(): void {
    this.closed = true;
    this.subscription?.unsubscribe();
    for (const listener of [...this.listeners.values()].flatMap((set) => [...set])) listener(Number.NaN);
    for (const listener of [...this.typeListeners.values()].flatMap((set) => [...set])) listener('', Number.NaN);
    this.listeners.clear();
    this.typeListeners.clear();
  }

  /** Listeners registered now (read-your-writes waits and watch streams); zero when no call is waiting. */
  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    for (const set of this.typeListeners.values()) count += set.size;
    return count;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
