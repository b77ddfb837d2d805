export * from './generated/google/rpc/error_details';
export * from './generated/google/rpc/status';
export { Any } from './generated/google/protobuf/any';
