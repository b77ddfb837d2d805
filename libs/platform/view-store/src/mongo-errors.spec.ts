import { MongoNetworkError, MongoServerError } from 'mongodb';
import { DependencyUnavailableError } from '@cqrs/errors';
import { translateMongoError } from './mongo-errors';

describe('translateMongoError', () => {
  it('makes a lost connection the view store being unavailable', () => {
    expect(translateMongoError(new MongoNetworkError('connection reset'))).toBeInstanceOf(DependencyUnavailableError);
  });

  it('also when the driver lets a bare socket error through (EPIPE writing to a closed socket)', () => {
    const epipe = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
    const translated = translateMongoError(epipe);
    expect(translated).toBeInstanceOf(DependencyUnavailableError);
    expect((translated as DependencyUnavailableError).dependency).toBe('mongodb');
  });

  it('passes any other error through unchanged', () => {
    const serverError = new MongoServerError({ message: 'bad query', code: 2 });
    expect(translateMongoError(serverError)).toBe(serverError);
    const bug = new TypeError('x is undefined');
    expect(translateMongoError(bug)).toBe(bug);
  });
});
