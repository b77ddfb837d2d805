import { ResourceExhaustedError } from '@cqrs/errors';

export interface WatchStreamsOptions {
  /** Most watch streams open at once in this process; one more is refused with RESOURCE_EXHAUSTED. */
  readonly maxStreams: number;
  /** Most view-store reads all watch streams make at once, so they never take the connections unary reads need. */
  readonly readConcurrency: number;
}

/** What the watch streams of this process hold now (for health checks and tests). */
export interface WatchStreamStats {
  readonly streams: number;
  readonly reading: number;
  readonly waitingToRead: number;
}

/**
 * Bounds what watch streams (WatchProduct, WatchOrders) may hold: how many are open, and how many
 * view-store reads they make at once. A stream's read waits for a turn; a cancelled stream leaves
 * the queue at once.
 */
export class WatchStreams {
  private streams = 0;
  private reading = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly options: WatchStreamsOptions) {}

  /** Runs one stream's body, counted against maxStreams for as long as it runs. */
  async run<T>(body: () => Promise<T>): Promise<T> {
    if (this.streams >= this.options.maxStreams) {
      throw new ResourceExhaustedError(`this query service already serves ${this.streams} watch streams; retry later`, {
        reason: 'TOO_MANY_WATCH_STREAMS',
        metadata: { max_watch_streams: String(this.options.maxStreams) },
      });
    }
    this.streams++;
    try {
      return await body();
    } finally {
      this.streams--;
    }
  }

  /** Makes one view-store read for a stream when a turn is free; rejects at once when the stream is cancelled meanwhile. */
  async read<T>(signal: AbortSignal, read: () => Promise<T>): Promise<T> {
    await this.turn(signal);
    try {
      return await read();
    } finally {
      this.reading--;
      const next = this.waiting.values().next();
      if (!next.done) next.value();
    }
  }

  get stats(): WatchStreamStats {
    return { streams: this.streams, reading: this.reading, waitingToRead: this.waiting.size };
  }

  private turn(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.reading < this.options.readConcurrency) {
      this.reading++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const granted = () => {
        this.waiting.delete(granted);
        signal.removeEventListener('abort', cancelled);
        this.reading++;
        resolve();
      };
      const cancelled = () => {
        this.waiting.delete(granted);
        reject(signal.reason);
      };
      this.waiting.add(granted);
      signal.addEventListener('abort', cancelled, { once: true });
    });
  }
}
