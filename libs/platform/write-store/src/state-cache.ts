/** An aggregate's state as of its last version, kept after a command so the next one need not load it. */
export interface CachedState {
  readonly state: unknown;
  readonly version: number;
  readonly snapshotVersion: number;
}

/** At most `capacity` streams; the least recently used goes first (a Map keeps insertion order). */
export class StateCache {
  private readonly entries = new Map<string, CachedState>();

  constructor(private readonly capacity: number) {}

  get(streamId: string): CachedState | undefined {
    const entry = this.entries.get(streamId);
    if (entry !== undefined) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, entry: CachedState): void {
    if (this.capacity <= 0) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }
}
