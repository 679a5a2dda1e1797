// renderSlack on a hand-made view: the top rows only (with a note of the rest), a backtick from the
// data cannot close the code block, and Slack's control characters arrive as entities.
import { describe, expect, it } from 'vitest';
import type { ReportView } from '../../src/render/report-view.js';
import { renderSlack, SLACK_ROWS } from '../../src/render/slack.js';

const view = (names: string[]): ReportView => ({
  title: 'Daily cost report — 2026-10-02',
  subtitle: 'UTC',
  headline: ['spend of a&b <!channel>'],
  figures: [],
  charts: [],
  tables: [{
    title: 'Top tenants',
    columns: [{ key: 'tenant', header: 'tenant', kind: 'text' }, { key: 'cost', header: 'spend', kind: 'money' }],
    rows: names.map((tenant, i) => ({ tenant, cost: 10 - i })),
    notes: [],
  }],
});

describe('renderSlack', () => {
  it('keeps the top rows and says how many more there are', () => {
    const text = renderSlack(view(['a', 'b', 'c', 'd', 'e', 'f', 'g']));
    expect(SLACK_ROWS).toBe(5);
    expect(text).toContain('```\ntenant   spend\na       $10.00\nb        $9.00\nc        $8.00\nd        $7.00\ne        $6.00\n```\n_2 more rows in --format html or json_');
  });

  it('escapes &, < and >, and a backtick cannot end the code block', () => {
    const text = renderSlack(view(['```evil', 'x&y']));
    expect(text).toContain('• spend of a&amp;b &lt;!channel&gt;');
    expect(text.match(/```/g)).toHaveLength(2);
    expect(text).toContain('ˋˋˋevil');
    expect(text).toContain('x&amp;y');
  });
});
