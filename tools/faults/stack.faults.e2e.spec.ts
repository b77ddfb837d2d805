import { randomUUID } from 'node:crypto';
import { credentials, status as Status, type ServiceError } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { createConnection } from 'mysql2/promise';
import { connect } from 'nats';
import { catalogV1, eventStreamName } from '@cqrs/contracts';
import { statusDetailsOf } from '@cqrs/grpc-kit';
import {
  checkHealth,
  eventually,
  newRunId,
  readStreamMessages,
  startApp,
  startPrivateFerretDb,
  startPrivateMariaDb,
  startPrivateNats,
  unaryCall,
  type AppName,
  type AppProcess,
  type PrivateServer,
} from '@cqrs/testing';

jest.setTimeout(300_000);

const PRODUCTS = 3;
const TICK_MS = 100;
const PAUSE_BETWEEN_FAULTS_MS = 4_000;

type Outcome = 'ok' | 'failed' | 'unknown';
interface Call {
  readonly requestId: string;
  readonly kind: 'create' | 'adjust';
  readonly productId?: string;
  outcome: Outcome;
  code?: number;
  resolved?: boolean;
  createdId?: string;
}

/**
 * A Jepsen-style run: steady commands with unique request ids while each server is stopped and
 * restarted, each app is killed and restarted, and a published message is deleted. Afterwards no
 * acknowledged command is lost or applied twice, the views equal the event store, and every app is
 * SERVING again on its own.
 */
describe('the stack under faults', () => {
  const runId = `f_${newRunId()}`;
  const servers: PrivateServer[] = [];
  const apps = new Map<AppName, AppProcess>();

  afterAll(async () => {
    await Promise.all([...apps.values()].map((app) => app.stop('SIGKILL')));
    await Promise.all(servers.map((server) => server.dispose()));
  });

  it('loses and duplicates no command, converges to the event store, and every app heals', async () => {
    const [mariadb, nats, ferretdb] = await Promise.all([startPrivateMariaDb(), startPrivateNats(), startPrivateFerretDb()]);
    servers.push(mariadb, nats, ferretdb);
    const env = {
      MYSQL_URL: mariadb.url,
      NATS_URL: nats.url,
      MONGODB_URL: ferretdb.url,
      MYSQL_DATABASE: runId,
      NATS_STREAM: runId.toUpperCase(),
      NATS_SUBJECT_PREFIX: runId,
      MONGODB_DATABASE: runId,
      PROJECTOR_ACK_WAIT_MS: '3000',
      PROJECTOR_GAP_REPAIR_AFTER_MS: '1000',
    };
    const start = async (app: AppName) => apps.set(app, await startApp(app, env));
    await start('command-service');
    await Promise.all([start('projector'), start('query-service')]);
    const portOf = (app: AppName) => apps.get(app)?.port ?? 0;
    let commands = new catalogV1.CommandServiceClient(`127.0.0.1:${portOf('command-service')}`, credentials.createInsecure());

    const calls: Call[] = [];
    const send = async (call: Call, request: catalogV1.CreateProductRequest | catalogV1.AdjustProductStockRequest) => {
      const client = commands;
      const options = { deadline: Date.now() + 3_000 };
      const { response, error } =
        'sku' in request
          ? await unaryCall(client.createProduct.bind(client), request, {}, options)
          : await unaryCall(client.adjustProductStock.bind(client), request, {}, options);
      if (error === undefined) {
        call.createdId = response?.ack?.aggregateId;
        return 'ok';
      }
      call.code = error.code;
      return classify(error);
    };
    const createRequest = (requestId: string) =>
      catalogV1.CreateProductRequest.fromPartial({
        requestId,
        sku: `J-${requestId.slice(0, 8)}`,
        name: 'Jepsen',
        price: { currencyCode: 'EUR', amountMinor: 100 },
      });
    const adjustRequest = (requestId: string, productId: string) =>
      catalogV1.AdjustProductStockRequest.fromPartial({ requestId, productId, delta: 1, reason: 'load' });

    const productIds: string[] = [];
    for (let i = 0; i < PRODUCTS; i++) {
      const call: Call = { requestId: randomUUID(), kind: 'create', outcome: 'unknown' };
      call.outcome = await send(call, createRequest(call.requestId));
      if (call.outcome !== 'ok' || call.createdId === undefined) throw new Error('could not create the products');
      productIds.push(call.createdId);
    }

    // The load: every tick one adjustment per product, and now and then a new product, each in the background.
    let loading = true;
    const inFlight = new Set<Promise<void>>();
    const load = (async () => {
      for (let tick = 0; loading; tick++) {
        const batch: Call[] = productIds.map((productId) => ({ requestId: randomUUID(), kind: 'adjust', productId, outcome: 'unknown' }));
        if (tick % 10 === 0) batch.push({ requestId: randomUUID(), kind: 'create', outcome: 'unknown' });
        for (const call of batch) {
          calls.push(call);
          const request = call.kind === 'create' ? createRequest(call.requestId) : adjustRequest(call.requestId, call.productId ?? '');
          const sent = send(call, request).then((outcome) => void (call.outcome = outcome));
          inFlight.add(sent);
          void sent.finally(() => inFlight.delete(sent));
        }
        await sleep(TICK_MS);
      }
    })();

    const killAndRestart = async (app: AppName) => {
      await apps.get(app)?.stop('SIGKILL');
      await start(app);
      if (app === 'command-service') {
        const old = commands;
        commands = new catalogV1.CommandServiceClient(`127.0.0.1:${portOf('command-service')}`, credentials.createInsecure());
        old.close();
      }
    };
    const outage = async (server: PrivateServer) => {
      await server.stop();
      await sleep(PAUSE_BETWEEN_FAULTS_MS);
      await server.start();
    };
    const deleteAPublishedMessage = async () => {
      const stream = eventStreamName(env.NATS_STREAM, 'catalog.product');
      const messages = await readStreamMessages(nats.url, stream);
      const last = messages[messages.length - 1];
      if (last === undefined) throw new Error('nothing published yet');
      const nc = await connect({ servers: nats.url.replace('nats://', '') });
      await (await nc.jetstreamManager()).streams.deleteMessage(stream, last.seq);
      await nc.close();
    };

    await sleep(PAUSE_BETWEEN_FAULTS_MS);
    for (const fault of [
      () => outage(mariadb),
      () => outage(nats),
      () => outage(ferretdb),
      () => killAndRestart('command-service'),
      () => killAndRestart('projector'),
      () => killAndRestart('query-service'),
      deleteAPublishedMessage,
    ]) {
      await fault();
      await sleep(PAUSE_BETWEEN_FAULTS_MS);
    }
    loading = false;
    await load;
    await Promise.all([...inFlight]);
    const lastFaultAt = Date.now();

    // Unknown outcomes: the same request id again returns the first result, or applies it once.
    for (const call of calls.filter((c) => c.outcome === 'unknown')) {
      await eventually(
        async () => {
          const request = call.kind === 'create' ? createRequest(call.requestId) : adjustRequest(call.requestId, call.productId ?? '');
          const outcome = await send(call, request);
          if (outcome === 'unknown') throw new Error(`request ${call.requestId} still unknown (${call.code})`);
          call.resolved = outcome === 'ok';
          if (outcome === 'failed') call.outcome = 'failed';
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
    }

    const applied = (c: Call) => c.outcome === 'ok' || c.resolved === true;
    const expected = new Map(
      productIds.map((id) => [id, 1 + calls.filter((c) => c.kind === 'adjust' && c.productId === id && applied(c)).length]),
    );
    for (const c of calls) if (c.kind === 'create' && applied(c) && c.createdId !== undefined) expected.set(c.createdId, 1);

    const mysql = await createConnection({ uri: `${mariadb.url}/${runId}` });
    const mongo = new MongoClient(ferretdb.url);
    try {
      const rows = await mysql.query('SELECT stream_id, COUNT(*) AS n FROM events GROUP BY stream_id');
      const stored = new Map(
        (rows[0] as Array<{ stream_id: string; n: number }>).map((r) => [r.stream_id.replace('catalog.product-', ''), Number(r.n)]),
      );
      const lost = [...expected].filter(([id, n]) => (stored.get(id) ?? 0) < n);
      const duplicated = [...stored].filter(([id, n]) => n > (expected.get(id) ?? 0));
      const counts = {
        commands: calls.length + PRODUCTS,
        acknowledged: calls.filter((c) => c.outcome === 'ok').length + PRODUCTS,
        failed: calls.filter((c) => c.outcome === 'failed').length,
        unknownResolved: calls.filter((c) => c.resolved === true).length,
        lost: lost.length,
        duplicated: duplicated.length,
      };

      const views = mongo.db(runId).collection<{ _id: string; version: number; stock: number }>('products');
      await eventually(
        async () => {
          for (const app of ['command-service', 'projector', 'query-service'] as const)
            expect(await checkHealth(portOf(app))).toBe('SERVING');
          const docs = new Map((await views.find({}).toArray()).map((d) => [d._id, d]));
          for (const [id, version] of stored) {
            expect([id, docs.get(id)?.version]).toEqual([id, version]);
            if (productIds.includes(id)) expect([id, docs.get(id)?.stock]).toEqual([id, version - 1]);
          }
        },
        { timeoutMs: 90_000, intervalMs: 500 },
      );
      const secondsToConverge = (Date.now() - lastFaultAt) / 1_000;

      console.log(
        `faults summary: commands ${counts.commands}, acknowledged ${counts.acknowledged}, failed ${counts.failed}, unknown resolved ${counts.unknownResolved}, ` +
          `lost ${counts.lost}, duplicated ${counts.duplicated}, seconds to converge ${secondsToConverge.toFixed(1)}`,
      );
      expect({ lost, duplicated }).toEqual({ lost: [], duplicated: [] });
    } finally {
      await mysql.end();
      await mongo.close();
      commands.close();
    }
  });
});

/**
 * ok: acknowledged. failed: the service answered a definite refusal (its own status, with details),
 * so nothing was stored. unknown: deadline, cancellation or a dropped connection, after which the
 * command may or may not have been applied.
 */
/**
 * UNAVAILABLE is indeterminate too: MySQL can go away after it committed and before the commit was
 * acknowledged, so a command refused as "mysql is unavailable" may have been applied. A client
 * resolves it as it resolves a timeout, by sending the same request id again.
 */
function classify(error: ServiceError): Outcome {
  if (error.code === Status.DEADLINE_EXCEEDED || error.code === Status.CANCELLED || error.code === Status.UNAVAILABLE) return 'unknown';
  if (statusDetailsOf(error.metadata) === undefined) return 'unknown';
  return 'failed';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
