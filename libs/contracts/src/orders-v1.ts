export * from './generated/orders/v1/command_service';
export * from './generated/orders/v1/events';
export * from './generated/orders/v1/order';
export * from './generated/orders/v1/query_service';
