import { loadConfigOrExit } from '@cqrs/config';
import { runUntilSignalled } from '@cqrs/grpc-kit';
import { captureConsole, createLogger } from '@cqrs/logging';
import { startProjector } from './projector.app';
import { projectorEnv } from './projector.config';

const config = loadConfigOrExit('projector', projectorEnv);
const logger = createLogger('projector', config.LOG_LEVEL);
captureConsole(logger);
runUntilSignalled(logger, () => startProjector(config, logger));
