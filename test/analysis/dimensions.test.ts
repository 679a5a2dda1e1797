import { describe, expect, it } from 'vitest';
import { parseDimensions } from '../../src/analysis/dimensions.js';

describe('parseDimensions', () => {
  it('accepts comma lists and repeated flags', () => {
    expect(parseDimensions('tenant, model')).toEqual(['tenant', 'model']);
    expect(parseDimensions(['tenant', 'day,layer'])).toEqual(['tenant', 'day', 'layer']);
  });
  it('rejects unknown, repeated and empty dimensions with a clear message', () => {
    expect(() => parseDimensions('tenant,colour')).toThrow(/--by colour: unknown dimension; use one or more of tenant, user/);
    expect(() => parseDimensions('tenant,tenant')).toThrow(/given twice/);
    expect(() => parseDimensions(' , ')).toThrow(/at least one/);
  });
});
