import { quote, truncateText } from './bounded-text';

describe('truncateText', () => {
  it('keeps short text as it is', () => {
    expect(truncateText('EURO', 32)).toBe('EURO');
  });

  it('cuts long text and says how long it was', () => {
    expect(truncateText('x'.repeat(100_000), 4)).toBe('xxxx…(100000 chars)');
  });

  it('never ends on half a surrogate pair', () => {
    expect(truncateText('a😀bc', 2)).toBe('a…(5 chars)');
  });
});

describe('quote', () => {
  it('quotes at most 32 characters of a value', () => {
    expect(quote('EURO')).toBe('"EURO"');
    expect(quote('E'.repeat(100_000))).toBe(`"${'E'.repeat(32)}…(100000 chars)"`);
  });
});
