export * from './generated/common/v1/command';
export * from './generated/common/v1/event_envelope';
export * from './generated/common/v1/money';
