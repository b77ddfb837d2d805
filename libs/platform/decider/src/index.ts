export { foldEvents } from './decider';
export type { Decider, Message } from './decider';
