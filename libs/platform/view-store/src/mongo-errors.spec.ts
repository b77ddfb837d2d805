import { MongoBulkWriteError, MongoNetworkError, MongoServerError } from 'mongodb';
import { DependencyUnavailableError } from '@cqrs/errors';
import { DuplicateKeyError, isDuplicateKeyWrite, translateMongoError } from './mongo-errors';

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

  it('makes a duplicate key (E11000) a DuplicateKeyError, its cause chained', () => {
    const err = new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 });
    const translated = translateMongoError(err);
    expect(translated).toBeInstanceOf(DuplicateKeyError);
    expect(translated).toMatchObject({ name: 'DuplicateKeyError', cause: err });
  });

  it('leaves a bulk write error whole: its duplicates are read per document', () => {
    const err = new MongoBulkWriteError({ message: 'E11000', code: 11000, writeErrors: [] }, { insertedCount: 0 } as never);
    expect(translateMongoError(err)).toBe(err);
    expect(isDuplicateKeyWrite({ code: 11000 })).toBe(true);
    expect(isDuplicateKeyWrite({ code: 2 })).toBe(false);
  });
});
