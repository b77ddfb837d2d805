import { grpcServerEnv, mysqlEnv, natsEnv, type ConfigOf } from '@cqrs/config';

export const COMMAND_SERVICE_DEFAULT_PORT = 50051;

export const commandServiceEnv = {
  ...grpcServerEnv(COMMAND_SERVICE_DEFAULT_PORT),
  ...mysqlEnv,
  ...natsEnv,
};

export type CommandServiceConfig = ConfigOf<typeof commandServiceEnv>;
