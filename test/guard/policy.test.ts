// Policy validation: defaults and overrides merge field by field; every problem names the JSON path.
import { describe, expect, it } from 'vitest';
import { parsePolicy, rulesFor } from '../../src/analysis/guard/policy.js';

const bad = (doc: unknown) => () => parsePolicy(doc, 'p.json');

describe('policy', () => {
  it('merges tenant overrides over the defaults, and null switches a rule off', () => {
    const policy = parsePolicy({
      defaults: { rate_limit: { requests_per_minute: 100, tokens_per_minute: 50_000 }, daily_cap: { ceiling_multiple: 2 }, kill_switch: {} },
      tenants: { acme: { rate_limit: { requests_per_minute: 10 }, daily_cap: { usd: 5 }, kill_switch: null } },
    }, 'p.json');
    expect(rulesFor(policy, 'acme')).toMatchObject({
      rate_limit: { requests_per_minute: 10, tokens_per_minute: 50_000 },
      daily_cap: { usd: 5, ceiling_multiple: null, after_cap_requests_per_minute: 0 },
      kill_switch: null,
    });
    expect(rulesFor(policy, 'other').kill_switch).toEqual({ z: 4, min_baseline_days: 7, baseline_days: 28, min_stddev_fraction: 0.75 });
  });

  it('names the field of each problem', () => {
    expect(bad({ defaults: { rate_limit: { requests_per_minute: -1 } } })).toThrow(/p\.json: field \$\.defaults\.rate_limit\.requests_per_minute: expected an integer > 0/);
    expect(bad({ tenants: { acme: { daily_cap: { usd: 1, ceiling_multiple: 2 } } } })).toThrow(/field \$\.tenants\.acme\.daily_cap:/);
    expect(bad({ defaults: { kill_switch: { zz: 4 } } })).toThrow(/field \$\.defaults\.kill_switch\.zz: unknown field/);
    expect(bad({ defaults: { daily_cap: { usd: 1 }, degrade: [{ at_share: 1.5, action: 'quota_error' }] } })).toThrow(/\$\.defaults\.degrade\[0\]\.at_share/);
    expect(bad({ defaults: { daily_cap: { usd: 1 }, degrade: [{ at_share: 0.8, action: 'nap' }] } })).toThrow(/\$\.defaults\.degrade\[0\]\.action/);
    expect(bad({ defaults: { degrade: [{ at_share: 0.8, action: 'quota_error' }] } })).toThrow(/\$\.defaults\.degrade: a degradation ladder applies at shares of the daily cap/);
  });

  it('ignores _why commentary', () => {
    expect(() => parsePolicy({ _why: 'x', defaults: { rate_limit: { requests_per_minute: 5, requests_per_minute_why: '3 × p99' } } }, 'p.json')).not.toThrow();
  });
});
