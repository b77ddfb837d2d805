import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { CONTRACTS_DESCRIPTOR_SET, HEALTH_DESCRIPTOR_SET } from './generated/descriptor-set';

/**
 * The serialized FileDescriptorProtos of every contract file (and grpc.health.v1), exactly as
 * buf compiled them from proto/: what server reflection hands to grpcurl.
 */
export function contractFileDescriptors(): Buffer[] {
  return [...splitFileDescriptorSet(CONTRACTS_DESCRIPTOR_SET), ...splitFileDescriptorSet(HEALTH_DESCRIPTOR_SET)];
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
