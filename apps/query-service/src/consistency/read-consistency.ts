import { decodeConsistencyToken, type commonV1 } from '@cqrs/contracts';
import { IllegalStateError, ValidationError } from '@cqrs/errors';
import type { RequestContext } from '@cqrs/grpc-kit';
import type { ViewChanges } from './view-changes';

const ANSWER_MARGIN_MS = 100;

/** What a read must see: the view of `aggregateId` at `version` or later. */
export interface ReadRequirement {
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
    return { aggregateId: token.aggregateId, version: Math.max(token.version, consistency.minVersion) };
  }
  if (consistency.minVersion < 0) throw new ValidationError([{ field: 'consistency.min_version', description: 'must be zero or more' }]);
  if (consistency.minVersion === 0) return undefined;
  if (subjectId === undefined)
    throw new ValidationError([
      { field: 'consistency.min_version', description: 'applies to a read of one aggregate; use consistency_token here' },
    ]);
  return { aggregateId: subjectId, version: consistency.minVersion };
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
    requirement.aggregateId,
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
  aggregateId: string,
  holds: () => Promise<boolean>,
  changes: ViewChanges,
  context: RequestContext,
  maxWaitMs: number,
): Promise<boolean> {
  // A notification may arrive while the view is being read: it is remembered, not lost.
  let notified = false;
  let wake: () => void = () => undefined;
  const stopListening = changes.listen(aggregateId, () => {
    notified = true;
    wake();
  });
  try {
    // Answer a little before the caller's deadline, so the answer arrives instead of DEADLINE_EXCEEDED.
    const deadline = Math.min(context.deadline - ANSWER_MARGIN_MS, Date.now() + maxWaitMs);
    for (;;) {
      notified = false;
      if (await holds()) return true;
      if (!changes.live || Date.now() >= deadline || changes.isClosed || context.signal.aborted) return false;
      if (notified) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        context.signal.addEventListener('abort', () => wake(), { once: true });
      });
    }
  } finally {
    stopListening();
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
