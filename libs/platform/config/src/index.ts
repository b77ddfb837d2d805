export { ConfigError, loadConfig } from './load-config';
export { loadConfigOrExit } from './load-or-exit';
export type { ConfigOf, EnvShape } from './load-config';
export { enumVar, hostVar, intVar, LOG_LEVELS, nameVar, urlVar } from './env-fields';
export { grpcServerEnv, mongoEnv, mysqlEnv, natsEnv } from './shared-env';
