// A database whose stored cost roll-ups another costattr built (another layout): reads say so on
// stderr, answer the same figures from the spans, and the next ingest rebuilds the roll-ups.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeInterruptedRun } from '../helpers/interrupted-run.js';

describe('stored roll-ups from another layout', () => {
  it('are said, not used, and rebuilt by the next ingest', async () => {
    const dir = tempDir('costattr-stale-rollup-');
    const db = join(dir, 'spans.duckdb');
    const { earlier, run } = writeInterruptedRun(dir);
    expect((await runCli(['ingest', earlier, '--db', db, '--quiet'])).code).toBe(0);
    const costs = (): Promise<{ code: number; stdout: string; stderr: string }> => runCli(['costs', '--by', 'tenant', '--db', db, '--format', 'json']);
    const current = await costs();
    expect(current.code, current.stderr).toBe(0);
    expect(current.stderr).not.toContain('another version of costattr');

    const handle = await Database.open({ path: db });
    await handle.exec('UPDATE pricing_state SET layout = 5');
    handle.close();
    const stale = await costs();
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stderr).toContain('the stored cost roll-ups were built by another version of costattr (layout 5');
    expect(stale.stdout).toBe(current.stdout);

    expect((await runCli(['ingest', run, '--db', db, '--quiet'])).code).toBe(0);
    const rebuilt = await costs();
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.stderr).not.toContain('another version of costattr');
  });
});
