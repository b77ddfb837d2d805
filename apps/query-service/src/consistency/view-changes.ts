import type { Msg, NatsConnection, Subscription } from 'nats';
import { allViewChangedSubjects } from '@cqrs/contracts';
import type { Logger } from '@cqrs/logging';

/** The projector's notice that an aggregate's view reached a version. */
export interface ViewChange {
  readonly streamType: string;
  readonly aggregateId: string;
  readonly version: number;
}

/** Which changes a subscription receives: one aggregate's, or those of every aggregate of the stream type. */
export interface ViewChangeFilter {
  readonly streamType: string;
  readonly aggregateId?: string;
}

/**
 * The projector's "view changed" notifications, received once per process and handed to every
 * subscription that wants them: read-your-writes waits, WatchProduct and WatchOrders streams.
 */
export class ViewChanges {
  private readonly subscriptions = new Map<string, Set<ViewChangeSubscription>>();
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
        const change = this.changeOf(message);
        if (change === undefined) return;
        for (const key of [keyOf(change), keyOf({ streamType: change.streamType })]) {
          for (const subscription of this.subscriptions.get(key) ?? []) subscription.push(change);
        }
      },
    });
  }

  /** Whether notifications can arrive now (a wait without them could never be woken). */
  get live(): boolean {
    const nc = this.connection;
    return !this.closed && this.connected && nc !== undefined && !nc.isClosed();
  }

  /**
   * The changes that match the filter from now on, as an async iterator: it ends when `signal`
   * aborts, when the service closes, or when the consumer stops (break, return()), and ending it
   * releases the subscription. A consumer slower than the notifications sees, per aggregate, the
   * latest version not yet taken, so what it holds is bounded by the aggregates it follows.
   */
  subscribe(filter: ViewChangeFilter, signal?: AbortSignal): ViewChangeSubscription {
    const key = keyOf(filter);
    const set = this.subscriptions.get(key) ?? new Set<ViewChangeSubscription>();
    const subscription = new ViewChangeSubscription(() => {
      set.delete(subscription);
      if (set.size === 0 && this.subscriptions.get(key) === set) this.subscriptions.delete(key);
    }, signal);
    if (this.closed || signal?.aborted === true) {
      void subscription.return();
      return subscription;
    }
    set.add(subscription);
    this.subscriptions.set(key, set);
    return subscription;
  }

  close(): void {
    this.closed = true;
    this.subscription?.unsubscribe();
    for (const subscription of [...this.subscriptions.values()].flatMap((set) => [...set])) void subscription.return();
    this.subscriptions.clear();
  }

  /** Subscriptions open now (read-your-writes waits and watch streams); zero when no call is waiting. */
  get subscriptionCount(): number {
    let count = 0;
    for (const set of this.subscriptions.values()) count += set.size;
    return count;
  }

  /** The change a notification announces: subject `<prefix>.views.<stream type>.<aggregate id>`, body `{"version": n}`. */
  private changeOf(message: Msg): ViewChange | undefined {
    const last = message.subject.lastIndexOf('.');
    const aggregateId = message.subject.slice(last + 1);
    const streamType = message.subject.slice(`${this.subjectPrefix}.views.`.length, last);
    try {
      const version = Number((JSON.parse(message.string()) as { version?: unknown }).version);
      return Number.isFinite(version) ? { streamType, aggregateId, version } : undefined;
    } catch {
      return undefined;
    }
  }
}

/** One consumer's view changes: an async iterator that holds, per aggregate, the latest change not yet taken. */
export class ViewChangeSubscription implements AsyncIterableIterator<ViewChange> {
  private readonly pending = new Map<string, ViewChange>();
  private waiting: ((result: IteratorResult<ViewChange>) => void) | undefined;
  private ended = false;
  private readonly onAbort = () => void this.return();

  constructor(
    private readonly release: () => void,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Called for each matching notification. */
  push(change: ViewChange): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      return waiting({ value: change, done: false });
    }
    const held = this.pending.get(change.aggregateId);
    if (held === undefined || held.version < change.version) {
      // Re-inserted, so a changed aggregate moves behind the others that wait.
      this.pending.delete(change.aggregateId);
      this.pending.set(change.aggregateId, change);
    }
  }

  next(): Promise<IteratorResult<ViewChange>> {
    const first = this.pending.values().next();
    if (!first.done) {
      this.pending.delete(first.value.aggregateId);
      return Promise.resolve({ value: first.value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Ends the subscription and releases it; changes still held are dropped. */
  return(): Promise<IteratorResult<ViewChange>> {
    if (!this.ended) {
      this.ended = true;
      this.pending.clear();
      this.signal?.removeEventListener('abort', this.onAbort);
      this.release();
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function keyOf(filter: ViewChangeFilter): string {
  // A space never appears in a stream type or an aggregate id (both are subject tokens).
  return `${filter.streamType} ${filter.aggregateId ?? '*'}`;
}
