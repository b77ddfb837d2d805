import { credentials } from '@grpc/grpc-js';
import { catalogV1, ordersV1 } from '@cqrs/contracts';
import { startApp, type AppProcess } from './app-process';

/** The three apps on one isolated environment, with generated clients for the services of both contexts. */
export interface CatalogStack {
  readonly commandService: AppProcess;
  readonly queryService: AppProcess;
  readonly projector: AppProcess;
  readonly commands: catalogV1.CommandServiceClient;
  readonly queries: catalogV1.QueryServiceClient;
  readonly orderCommands: ordersV1.CommandServiceClient;
  readonly orderQueries: ordersV1.QueryServiceClient;
  stop(): Promise<void>;
}

export async function startCatalogStack(env: Readonly<Record<string, string>>): Promise<CatalogStack> {
  const started = await Promise.allSettled([startApp('command-service', env), startApp('projector', env), startApp('query-service', env)]);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) {
    // Do not leave the apps that did start running.
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop('SIGKILL') : undefined)));
    throw failed.reason;
  }
  const [commandService, projector, queryService] = started.map((s) => (s as PromiseFulfilledResult<AppProcess>).value) as [
    AppProcess,
    AppProcess,
    AppProcess,
  ];
  const commands = new catalogV1.CommandServiceClient(`127.0.0.1:${commandService.port}`, credentials.createInsecure());
  const queries = new catalogV1.QueryServiceClient(`127.0.0.1:${queryService.port}`, credentials.createInsecure());
  const orderCommands = new ordersV1.CommandServiceClient(`127.0.0.1:${commandService.port}`, credentials.createInsecure());
  const orderQueries = new ordersV1.QueryServiceClient(`127.0.0.1:${queryService.port}`, credentials.createInsecure());
  const stack: CatalogStack = {
    commandService,
    queryService,
    projector,
    commands,
    queries,
    orderCommands,
    orderQueries,
    // Reads the fields at stop time: a test may have replaced an app (e.g. restarted the projector).
    stop: async () => {
      for (const client of [commands, queries, orderCommands, orderQueries]) client.close();
      await Promise.all([stack.commandService.stop('SIGKILL'), stack.projector.stop('SIGKILL'), stack.queryService.stop('SIGKILL')]);
    },
  };
  return stack;
}
