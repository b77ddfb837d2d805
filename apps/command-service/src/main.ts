import { loadConfigOrExit } from '@cqrs/config';
import { runUntilSignalled } from '@cqrs/grpc-kit';
import { captureConsole, createLogger } from '@cqrs/logging';
import { startCommandService } from './command-service.app';
import { commandServiceEnv } from './command-service.config';

const config = loadConfigOrExit('command-service', commandServiceEnv);
const logger = createLogger('command-service', config.LOG_LEVEL);
captureConsole(logger);
runUntilSignalled(logger, () => startCommandService(config, logger));
