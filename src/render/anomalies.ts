/**
 * `anomalies` results for people: one table model (table and Markdown) with a row per incident —
 * severity, kind, who, the window (an incident spans its days), the money at stake, the one-line
 * summary and the first trace ids. The JSON shape is the result object itself (PRODUCT.md
 * `anomalies`, with each incident's days in `evidence.by_day`).
 */
import { formatUsd } from './money.js';
import type { AnomaliesResult, Anomaly } from '../analysis/anomalies/index.js';
import type { TableModel } from './model.js';

const TRACES_SHOWN = 3;

/** `2026-09-24/2026-09-25` (ISO interval, end exclusive); times only when not midnight. */
function windowOf(a: Anomaly): string {
  const trim = (t: string) => (t.endsWith('T00:00:00') ? t.slice(0, 10) : t.slice(0, 16));
  return `${trim(a.start)}/${trim(a.end)}`;
}

function tracesOf(a: Anomaly): string {
  const shown = a.trace_ids.slice(0, TRACES_SHOWN).join(' ');
  const more = a.evidence.trace_count - Math.min(a.trace_ids.length, TRACES_SHOWN);
  return more > 0 ? `${shown} (+${more} more)` : shown;
}

export function anomaliesTable(result: AnomaliesResult): TableModel {
  const count = result.anomalies.length;
  const atStake = result.anomalies.reduce((sum, a) => sum + a.evidence.impact_usd, 0);
  return {
    title: 'Cost anomalies',
    columns: [
      { key: 'severity', header: 'severity', kind: 'text' },
      { key: 'kind', header: 'kind', kind: 'text' },
      { key: 'tenant', header: 'tenant', kind: 'text' },
      { key: 'route', header: 'route', kind: 'text', dropRank: 2 },
      { key: 'window', header: 'window', kind: 'text', dropRank: 3 },
      { key: 'impact_usd', header: 'at stake', kind: 'money' },
      { key: 'summary', header: 'summary', kind: 'text' },
      { key: 'traces', header: 'traces', kind: 'text', dropRank: 1 },
    ],
    rows: result.anomalies.map((a) => ({
      severity: a.severity,
      kind: a.kind,
      tenant: a.tenant,
      route: a.route,
      window: windowOf(a),
      impact_usd: a.evidence.impact_usd,
      summary: a.summary,
      traces: tracesOf(a),
    })),
    notes: count === 0
      ? ['No anomalies found.']
      : [`${count} incident${count === 1 ? '' : 's'}, ${formatUsd(atStake)} at stake, largest first; the evidence of each day and the trace ids are in --format json.`],
  };
}
