import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connect } from 'nats';
import { catalogV1, eventStreamName } from '@cqrs/contracts';
import { projectorConsumerName } from '@cqrs/projections';
import { productsProjection } from '@cqrs/catalog-read-model';
import { REPO_ROOT, startApp, unaryCall, type AppProcess, type CatalogStack } from '@cqrs/testing';
import { round, type Figure } from './figures';

/** Commits `events` stock adjustments spread over the products, as fast as the command service takes them. */
export async function commitEvents(stack: CatalogStack, productIds: readonly string[], events: number, concurrency = 32): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events) {
        const productId = productIds[next++ % productIds.length] ?? '';
        const { error } = await unaryCall(
          stack.commands.adjustProductStock.bind(stack.commands),
          catalogV1.AdjustProductStockRequest.fromPartial({ productId, delta: 1 }),
        );
        if (error) throw error;
      }
    }),
  );
}

/** Events the products projector has not yet acknowledged (pending or in flight), over a connection of its own. */
export async function projectorBacklog(env: Record<string, string>): Promise<{ pending(): Promise<number>; close(): Promise<void> }> {
  const nc = await connect({ servers: (env['NATS_URL'] ?? '').replace('nats://', '') });
  const jsm = await nc.jetstreamManager();
  const stream = eventStreamName(env['NATS_STREAM'] ?? '', productsProjection.streamType);
  return {
    pending: async () => {
      const info = await jsm.consumers.info(stream, projectorConsumerName(productsProjection));
      return info.num_pending + info.num_ack_pending;
    },
    close: () => nc.close(),
  };
}

/** Waits until the projector has applied everything published so far. */
export async function projectorDrained(env: Record<string, string>): Promise<void> {
  const backlog = await projectorBacklog(env);
  try {
    while ((await backlog.pending()) > 0) await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    await backlog.close();
  }
}

/**
 * Projector catch-up: with the projector stopped, `events` events are committed and published;
 * a new projector then starts on them. Measures events applied per second until its durable
 * consumer has nothing pending and nothing unacknowledged.
 */
export async function projectorCatchUp(
  stack: CatalogStack,
  env: Record<string, string>,
  productIds: readonly string[],
  events: number,
  onProjector: (projector: AppProcess) => void,
): Promise<Figure> {
  const backlog = await projectorBacklog(env);
  const pending = () => backlog.pending();
  try {
    // Start from a drained projector, so the figure counts only this scenario's events.
    await projectorDrained(env);
    await stack.projector.stop('SIGTERM');
    await commitEvents(stack, productIds, events);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the relay publish the tail
    const waiting = await pending();
    const started = performance.now();
    const projector = await startApp('projector', env);
    onProjector(projector);
    while ((await pending()) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const seconds = (performance.now() - started) / 1000;
    return {
      scenario: 'catch-up',
      name: `projector catch-up from an empty start (${waiting} events)`,
      rate: round(waiting / seconds, 1),
      count: waiting,
      target: '≥ 0.7 × raw bulk upserts',
    };
  } finally {
    await backlog.close();
  }
}

/** A full rebuild through the operator CLI; its summary line gives events per second. */
export function rebuild(env: Record<string, string>): Promise<Figure> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      join(REPO_ROOT, 'node_modules/.bin/tsx'),
      [join(REPO_ROOT, 'tools/ops/ops.ts'), 'rebuild', 'products', '--settle-ms', '200'],
      { cwd: REPO_ROOT, env: { ...process.env, ...env } },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => {
      const match = /rebuilt \S+: (\d+) events .* \((\d+) events\/s\)/.exec(output);
      if (code !== 0 || match === null) return reject(new Error(`rebuild failed (${code}): ${output}`));
      resolve({
        scenario: 'catch-up',
        name: `full rebuild from the event store (${match[1]} events)`,
        rate: Number(match[2]),
        count: Number(match[1]),
        target: '≥ 0.7 × raw bulk upserts',
      });
    });
  });
}
