import { decodeConsistencyToken, type commonV1 } from '@cqrs/contracts';
import { IllegalStateError, ValidationError } from '@cqrs/errors';
import type { RequestContext } from '@cqrs/grpc-kit';
import type { ViewChanges } from './view-changes';

const ANSWER_MARGIN_MS = 100;

/** What a read must see: the view of `aggregateId` at `version` or later. */
export interface ReadRequirement {
  readonly streamType: string;
  readonly aggregateId: string;
  readonly version: number;
}

/**
 * Turns a request's ReadConsistency into a requirement: a consistency token names its aggregate;
 * a bare min_version applies to the aggregate the read is about (`subjectId`), if any.
 */
export function requirementOf(
  consistency: commonV1.ReadConsistency | undefined,
  streamType: string,
  subjectId?: string,
): ReadRequirement | undefined {
  if (consistency === undefined) return undefined;
  if (consistency.consistencyToken !== '') {
    const token = decodeConsistencyToken(consistency.consistencyToken);
    if (token?.streamType !== streamType) {
      throw new ValidationError([
        { field: 'consistency.consistency_token', description: 'is not a token from a command acknowledgement of this service' },
      ]);
    }
    return { streamType, aggregateId: token.aggregateId, version: Math.max(token.version, consistency.minVersion) };
  }
  if (consistency.minVersion < 0) throw new ValidationError([{ field: 'consistency.min_version', description: 'must be zero or more' }]);
  if (consistency.minVersion === 0) return undefined;
  if (subjectId === undefined)
    throw new ValidationError([
      { field: 'consistency.min_version', description: 'applies to a read of one aggregate; use consistency_token here' },
    ]);
  return { streamType, aggregateId: subjectId, version: consistency.minVersion };
}

/**
 * Waits, up to the call's deadline (at most maxWaitMs), until the aggregate's view reaches the
 * required version, woken by the projector's notifications. Answers FAILED_PRECONDITION with the
 * view's current version when the deadline comes first, at once when notifications are down.
 */
export async function waitForView(
  requirement: ReadRequirement | undefined,
  currentVersion: () => Promise<number>,
  changes: ViewChanges,
  context: RequestContext,
  maxWaitMs: number,
): Promise<void> {
  if (requirement === undefined) return;
  let version = 0;
  const reached = await waitUntil(
    requirement,
    async () => (version = await currentVersion()) >= requirement.version,
    changes,
    context,
    maxWaitMs,
  );
  if (!reached) throw behind(requirement, version, changes.live);
}

/**
 * Reads one aggregate's view once the requirement holds. When the requirement is about that same
 * aggregate, the read that shows the required version is the answer: one read of the view store
 * instead of a version check and then the read.
 */
export async function readWhenCaughtUp<View extends { readonly version: number }>(
  requirement: ReadRequirement | undefined,
  aggregateId: string,
  read: () => Promise<View | undefined>,
  versionOfRequired: () => Promise<number>,
  changes: ViewChanges,
  context: RequestContext,
  maxWaitMs: number,
): Promise<View | undefined> {
  if (requirement?.aggregateId !== aggregateId) {
    await waitForView(requirement, versionOfRequired, changes, context, maxWaitMs);
    return read();
  }
  let view: View | undefined;
  await waitForView(requirement, async () => (view = await read())?.version ?? 0, changes, context, maxWaitMs);
  return view;
}

/**
 * Checks a condition on an aggregate's view now and after each of its view-change notifications,
 * until it holds (true) or the call's deadline (at most maxWaitMs) comes, or notifications are
 * down so nothing could wake the wait (false).
 */
export async function waitUntil(
  aggregate: { readonly streamType: string; readonly aggregateId: string },
  holds: () => Promise<boolean>,
  changes: ViewChanges,
  context: RequestContext,
  maxWaitMs: number,
): Promise<boolean> {
  // Answer a little before the caller's deadline, so the answer arrives instead of DEADLINE_EXCEEDED.
  const deadline = Math.min(context.deadline - ANSWER_MARGIN_MS, Date.now() + maxWaitMs);
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), deadline - Date.now());
  const onAbort = () => stop.abort();
  context.signal.addEventListener('abort', onAbort, { once: true });
  // Subscribed before the first check: a notification that arrives while the view is being read is held, not lost.
  const notifications = changes.subscribe(aggregate, stop.signal);
  try {
    for (;;) {
      if (await holds()) return true;
      if (!changes.live || stop.signal.aborted || Date.now() >= deadline) return false;
      // When the wait ends without a notification (deadline, cancelled, closing), the view gets one last look.
      if ((await notifications.next()).done) return holds();
    }
  } finally {
    clearTimeout(timer);
    context.signal.removeEventListener('abort', onAbort);
    void notifications.return();
  }
}

function behind(requirement: ReadRequirement, current: number, live: boolean): IllegalStateError {
  return new IllegalStateError(
    `the view of ${requirement.aggregateId} is at version ${current}, not yet at ${requirement.version}` +
      (live ? '; retry, or allow a longer deadline' : '; the view-change notifications are unavailable, so this read cannot wait'),
    {
      reason: 'VIEW_NOT_CAUGHT_UP',
      metadata: {
        aggregate_id: requirement.aggregateId,
        current_version: String(current),
        required_version: String(requirement.version),
        notifications: live ? 'up' : 'down',
      },
    },
  );
}
