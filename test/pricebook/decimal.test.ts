import { describe, expect, it } from 'vitest';
import { isRateString, perMtokToPerToken } from '../../src/pricebook/decimal.js';

describe('perMtokToPerToken', () => {
  it.each([
    ['3', '0.000003'],
    ['0.30', '0.0000003'],
    ['3.75', '0.00000375'],
    ['0.075', '0.000000075'],
    ['0.0025', '0.0000000025'],
    ['15', '0.000015'],
    ['22.5', '0.0000225'],
    ['0', '0'],
    ['1000000', '1'],
    ['1250000', '1.25'],
    ['12345678.9', '12.3456789'],
    ['0.000000001', '0.000000000000001'],
  ])('%s USD/MTok is %s USD/token', (perMtok, perToken) => {
    expect(perMtokToPerToken(perMtok)).toBe(perToken);
  });

  it('keeps every digit (more than a double holds) and never prints exponents', () => {
    expect(perMtokToPerToken('123456789.123456789')).toBe('123.456789123456789');
    expect(perMtokToPerToken('0.075')).not.toContain('e');
  });
});

describe('isRateString', () => {
  it.each(['3', '0.30', '0.000000001', '75'])('accepts %s', (value) => expect(isRateString(value)).toBe(true));
  it.each([3, '-1', '1e-6', '.5', '5.', ' 3', '3,5', '0.0000000001', '', null])('rejects %j', (value) => expect(isRateString(value)).toBe(false));
});
