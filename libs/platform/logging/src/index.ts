export { createLogger } from './create-logger';
export type { Logger } from './create-logger';
export { captureConsole } from './capture-console';
