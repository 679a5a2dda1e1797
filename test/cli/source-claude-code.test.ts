// `--source claude-code` with no `--spans` reads Claude Code's logs where ccusage finds them: the
// directories `$CLAUDE_CONFIG_DIR` lists (comma-separated), else both ~/.config/claude and
// ~/.claude; none found is exit 2 naming the places searched. HOME points at a temp dir.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

/** One assistant message of `output` tokens (haiku 4.5: $5/M output, $1/M input), logged under `configDir`. */
function logCall(configDir: string, project: string, session: string, output: number): void {
  const dir = join(configDir, 'projects', project);
  mkdirSync(dir, { recursive: true });
  const line = {
    type: 'assistant', sessionId: session, requestId: `req_${session}`, uuid: `u-${session}`, timestamp: '2026-02-03T10:00:00.000Z',
    message: { id: `msg_${session}`, model: 'claude-haiku-4-5-20251001', usage: { input_tokens: 1000, output_tokens: output } },
  };
  writeFileSync(join(dir, `${session}.jsonl`), `${JSON.stringify(line)}\n`);
}

interface TenantRow {
  tenant: string;
  output_tokens: number;
  cost_usd: number;
}

async function costsByTenant(env: Record<string, string>): Promise<TenantRow[]> {
  const r = await runCli(['costs', '--by', 'tenant', '--source', 'claude-code', '--format', 'json', '--quiet'], { env });
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { rows: TenantRow[] }).rows.sort((a, b) => a.tenant.localeCompare(b.tenant));
}

/** No inherited Claude Code or XDG setting: only what each test sets. */
const clean = { CLAUDE_CONFIG_DIR: '', XDG_CONFIG_HOME: '' };

describe('--source claude-code with no --spans', () => {
  it('reads both ~/.config/claude and ~/.claude', async () => {
    const home = tempDir('costattr-home-');
    logCall(join(home, '.config', 'claude'), '-home-me-new', 'sess-new', 2000);
    logCall(join(home, '.claude'), '-home-me-old', 'sess-old', 3000);
    const rows = await costsByTenant({ ...clean, HOME: home });
    // by hand: 1000 input × $1/M + output × $5/M
    expect(rows).toEqual([
      expect.objectContaining({ tenant: '-home-me-new', output_tokens: 2000, cost_usd: 0.011 }),
      expect.objectContaining({ tenant: '-home-me-old', output_tokens: 3000, cost_usd: 0.016 }),
    ]);
  });

  it('reads only the directories $CLAUDE_CONFIG_DIR lists, comma-separated', async () => {
    const home = tempDir('costattr-home-');
    logCall(join(home, '.claude'), '-home-me-ignored', 'sess-ignored', 1);
    const work = tempDir('costattr-claude-work-');
    const personal = tempDir('costattr-claude-personal-');
    logCall(work, '-work-app', 'sess-w', 100);
    logCall(personal, '-personal-app', 'sess-p', 200);
    const rows = await costsByTenant({ ...clean, HOME: home, CLAUDE_CONFIG_DIR: `${work}, ${personal}` });
    expect(rows.map((r) => [r.tenant, r.output_tokens])).toEqual([['-personal-app', 200], ['-work-app', 100]]);
  });

  it('finding none is exit 2 naming the places searched', async () => {
    const home = tempDir('costattr-home-');
    const r = await runCli(['costs', '--by', 'tenant', '--source', 'claude-code'], { env: { ...clean, HOME: home } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no Claude Code logs found: searched ${join(home, '.config', 'claude', 'projects')}, ${join(home, '.claude', 'projects')}`);
    expect(r.stdout).toBe('');
  });

  it('a source without a known home is exit 2', async () => {
    const r = await runCli(['costs', '--by', 'tenant', '--source', 'otlp']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--source otlp: expected one of claude-code');
  });
});
