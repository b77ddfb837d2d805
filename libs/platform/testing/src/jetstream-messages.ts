import { connect } from 'nats';
import { commonV1 } from '@cqrs/contracts';

export interface StreamMessage {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly envelope: commonV1.EventEnvelope;
}

/** Every message of a JetStream stream, in stream order, with its decoded event envelope. */
export async function readStreamMessages(natsUrl: string, stream: string): Promise<StreamMessage[]> {
  const nc = await connect({ servers: natsUrl.replace(/^nats:\/\//, ''), maxReconnectAttempts: 0 });
  try {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(stream);
    const messages: StreamMessage[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq });
      messages.push({
        seq,
        subject: message.subject,
        msgId: message.header?.get('Nats-Msg-Id') || undefined,
        envelope: commonV1.EventEnvelope.decode(message.data),
      });
    }
    return messages;
  } finally {
    await nc.close();
  }
}
