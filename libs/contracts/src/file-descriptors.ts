import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { CONTRACTS_DESCRIPTOR_SET, ERROR_DETAILS_DESCRIPTOR_SET, HEALTH_DESCRIPTOR_SET } from './generated/descriptor-set';

/**
 * The serialized FileDescriptorProtos of every contract file (plus grpc.health.v1 and the
 * google.rpc error details), exactly as buf compiled them: what server reflection hands to grpcurl.
 */
export function contractFileDescriptors(): Buffer[] {
  return [CONTRACTS_DESCRIPTOR_SET, HEALTH_DESCRIPTOR_SET, ERROR_DETAILS_DESCRIPTOR_SET].flatMap(splitFileDescriptorSet);
}

/** FileDescriptorSet is `repeated FileDescriptorProto file = 1`; returns each file's bytes. */
function splitFileDescriptorSet(set: Uint8Array): Buffer[] {
  const reader = new BinaryReader(set);
  const files: Buffer[] = [];
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo === 1 && wireType === WireType.LengthDelimited) files.push(Buffer.from(reader.bytes()));
    else reader.skip(wireType);
  }
  return files;
}
