// The library entry point as a team's script would use it: a workspace over span files, then the
// analyses, typed, with no CLI in between. Figures by hand from the shared e2e fixture (see
// test/e2e/commands.test.ts): umbrella's report-gen runs are 6 × $0.024 plus 3 loops of 6 × $0.024.
import { describe, expect, it } from 'vitest';
import { attributeCosts, costsJson, CostattrError, DOCUMENT_SCHEMAS, parseDimensions, parsePeriod, withWorkspace } from '../../src/index.js';

const SPANS = 'test/e2e/fixtures/inbox/spans.otlp.jsonl';

describe('import { … } from "costattr"', () => {
  it('attributes costs over span files, and the document satisfies the published schema', async () => {
    const notes: string[] = [];
    const result = await withWorkspace({ access: 'read', spans: [SPANS], note: (m) => notes.push(m) }, ({ db }) =>
      attributeCosts(db, { by: parseDimensions('tenant'), filter: { period: parsePeriod({ timezone: 'UTC' }) } }));
    const umbrella = result.rows.find((row) => row.values[0] === 'umbrella');
    expect(umbrella?.cost_usd).toBe((6 * 24_000 + 3 * 6 * 24_000) / 1e6); // micro-dollars, exact
    expect(notes.some((n) => n.startsWith('loaded '))).toBe(true);
    expect(DOCUMENT_SCHEMAS.costs.safeParse({ schema_version: 1, ...costsJson(result) }).success).toBe(true);
  });

  it('reports what the user can fix as a CostattrError', async () => {
    await expect(withWorkspace({ access: 'read', note: () => undefined }, async () => 0)).rejects.toBeInstanceOf(CostattrError);
  });
});
