import { loadConfigOrExit } from '@cqrs/config';
import { runUntilSignalled } from '@cqrs/grpc-kit';
import { captureConsole, createLogger } from '@cqrs/logging';
import { startQueryService } from './query-service.app';
import { queryServiceEnv } from './query-service.config';

const config = loadConfigOrExit('query-service', queryServiceEnv);
const logger = createLogger('query-service', config.LOG_LEVEL);
captureConsole(logger);
runUntilSignalled(logger, () => startQueryService(config, logger));
