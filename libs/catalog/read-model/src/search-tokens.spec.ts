import { queryTokens, searchTokens, words } from './search-tokens';

describe('search tokens', () => {
  it('folds case and accents and splits on anything but letters and digits', () => {
    expect(words('Crème-BRÛLÉE, 2x!')).toEqual(['creme', 'brulee', '2x']);
  });

  it('keeps each word and its prefixes from two characters on', () => {
    expect(searchTokens('Tea')).toEqual(['te', 'tea']);
    expect(searchTokens('a Tea')).toEqual(['te', 'tea']);
  });

  it('deduplicates across name and description', () => {
    expect(searchTokens('Tea', 'tea time')).toEqual(['te', 'tea', 'ti', 'tim', 'time']);
  });

  it('turns a query into its folded words', () => {
    expect(queryTokens('  Brû crème ')).toEqual(['bru', 'creme']);
  });
});
