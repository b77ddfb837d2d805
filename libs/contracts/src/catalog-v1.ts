export * from './generated/catalog/v1/command_service';
export * from './generated/catalog/v1/events';
export * from './generated/catalog/v1/product';
export * from './generated/catalog/v1/query_service';
