import { createFileRegistry, fromBinary, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { CONTRACTS_DESCRIPTOR_SET } from './generated/descriptor-set';

let registry: FileRegistry | undefined;

/**
 * Every contract file's descriptors (messages, fields, services), for code that must read a
 * message reflectively, e.g. to say which field of an undecodable request is at fault.
 */
export function contractRegistry(): FileRegistry {
  registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, CONTRACTS_DESCRIPTOR_SET));
  return registry;
}
