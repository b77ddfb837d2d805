import { credentials } from '@grpc/grpc-js';
import { catalogV1 } from '@cqrs/contracts';
import { startApp, type AppProcess } from './app-process';

/** The three apps on one isolated environment, with generated clients for both services. */
export interface CatalogStack {
  readonly commandService: AppProcess;
  readonly queryService: AppProcess;
  readonly projector: AppProcess;
  readonly commands: catalogV1.CommandServiceClient;
  readonly queries: catalogV1.QueryServiceClient;
  stop(): Promise<void>;
}

export async function startCatalogStack(env: Readonly<Record<string, string>>): Promise<CatalogStack> {
  const [commandService, projector, queryService] = await Promise.all([startApp('command-service', env), startApp('projector', env), startApp('query-service', env)]);
  const commands = new catalogV1.CommandServiceClient(`127.0.0.1:${commandService.port}`, credentials.createInsecure());
  const queries = new catalogV1.QueryServiceClient(`127.0.0.1:${queryService.port}`, credentials.createInsecure());
  return {
    commandService,
    queryService,
    projector,
    commands,
    queries,
    stop: async () => {
      commands.close();
      queries.close();
      await Promise.all([commandService.stop('SIGKILL'), projector.stop('SIGKILL'), queryService.stop('SIGKILL')]);
    },
  };
}
