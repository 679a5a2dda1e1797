import { it } from 'vitest';
import { openWithSpans } from '../analysis/fixture-db.js';
import { whatif } from '../../src/analysis/whatif.js';
it('smoke', async () => {
  const db = await openWithSpans([
    { trace: 't1', span: 's1', model: 'claude-opus-4-1', tenant: 'a', route: 'r1', input: 1000, output: 100, cacheRead: 500 },
    { trace: 't2', span: 's2', model: 'o3', tenant: 'b', route: 'r2', input: 1000, output: 100, start: '2025-05-01 10:00:00' },
  ]);
  const r = await whatif(db, { filter: { period: { since: undefined, until: undefined, timezone: 'UTC' } }, changes: { swaps: [{ tenant: null, from: 'Claude Opus 4.1', to: 'claude-sonnet-4-5' }], asOf: '2025-07-01', batchShare: [{ route: 'r1', share: 0.5 }], cacheHit: [{route:'r2', share: 0.8}] } });
  console.log(JSON.stringify(r, null, 1));
  await db.exec(`CREATE TEMP TABLE x AS SELECT $a AS v`, { a: 'hi' });
  console.log(await db.all('SELECT * FROM x'));
});
