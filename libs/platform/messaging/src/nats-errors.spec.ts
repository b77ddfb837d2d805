import { ErrorCode, NatsError } from 'nats';
import { DependencyUnavailableError } from '@cqrs/errors';
import { ConsumerNotFoundError, JetStreamApiError, StreamNotFoundError, translateNatsError, unlessMissing } from './nats-errors';

/** A JetStream API refusal as nats.js builds it: the HTTP-like code in `code`, the reply's error in `api_error`. */
function apiError(code: number, err_code: number, description: string): NatsError {
  const err = new NatsError(description, String(code));
  err.api_error = { code, err_code, description };
  return err;
}

describe('translateNatsError', () => {
  it('keys a missing stream on its JetStream API code (10059), not on the message', () => {
    const cause = apiError(404, 10059, 'some other wording');
    const translated = translateNatsError(cause);
    expect(translated).toBeInstanceOf(StreamNotFoundError);
    expect(translated).toMatchObject({ name: 'StreamNotFoundError', errCode: 10059, cause });
  });

  it('keys a missing consumer on 10014', () => {
    const translated = translateNatsError(apiError(404, 10014, 'consumer not found'));
    expect(translated).toBeInstanceOf(ConsumerNotFoundError);
    expect(translated).toMatchObject({ name: 'ConsumerNotFoundError', errCode: 10014 });
  });

  it('does not take a message that merely says "stream not found" for one', () => {
    expect(translateNatsError(new Error('stream not found'))).not.toBeInstanceOf(StreamNotFoundError);
  });

  it.each([
    ['JetStream temporarily unavailable (10008)', apiError(503, 10008, 'jetstream system temporarily unavailable')],
    ['JetStream not enabled (10076)', apiError(503, 10076, 'jetstream not enabled')],
    ['insufficient resources (10023)', apiError(503, 10023, 'insufficient resources')],
    ['a request timeout', NatsError.errorForCode(ErrorCode.Timeout)],
    ['no responders', NatsError.errorForCode(ErrorCode.NoResponders)],
    ['a closed connection', NatsError.errorForCode(ErrorCode.ConnectionClosed)],
    ['a disconnect', NatsError.errorForCode(ErrorCode.Disconnect)],
  ])('answers %s as NATS unavailable (UNAVAILABLE), its cause chained', (_case, cause) => {
    const translated = translateNatsError(cause);
    expect(translated).toBeInstanceOf(DependencyUnavailableError);
    expect(translated).toMatchObject({ dependency: 'nats', cause });
  });

  it('keeps any other API refusal as a JetStreamApiError with its code', () => {
    const cause = apiError(400, 10058, 'stream name already in use with a different configuration');
    const translated = translateNatsError(cause);
    expect(translated).toBeInstanceOf(JetStreamApiError);
    expect(translated).toMatchObject({ name: 'JetStreamApiError', errCode: 10058, cause });
  });

  it('returns errors that are not from NATS, and ones already translated, as they are', () => {
    const plain = new TypeError('bug');
    expect(translateNatsError(plain)).toBe(plain);
    const translated = new StreamNotFoundError('gone');
    expect(translateNatsError(translated)).toBe(translated);
  });
});

describe('unlessMissing', () => {
  it('resolves to undefined when the lookup finds nothing of the kind asked for', async () => {
    await expect(
      unlessMissing(ConsumerNotFoundError, () => Promise.reject(apiError(404, 10014, 'consumer not found'))),
    ).resolves.toBeUndefined();
  });

  it('throws the translated error of any other failure, a missing stream when a consumer was looked up included', async () => {
    await expect(
      unlessMissing(ConsumerNotFoundError, () => Promise.reject(apiError(404, 10059, 'stream not found'))),
    ).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(
      unlessMissing(StreamNotFoundError, () => Promise.reject(NatsError.errorForCode(ErrorCode.Timeout))),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
