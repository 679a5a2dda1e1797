/**
 * Prompt length per route over the last four weeks of a weekly report: average prompt tokens per
 * call, with the same definition as the prompt_bloat detector (the harness's `prompt_tokens` layer
 * counter, else the call's total input), per 7-day block ending at the report's `until`.
 */
import type { Database } from '../../db/database.js';
import { UNATTRIBUTED } from '../../db/schema.js';
import { num } from '../../db/values.js';
import { INFERENCE_SPANS, totalInputSql } from '../../pricebook/install.js';
import { baseRelation } from '../span-filter.js';
import { addDays } from './dates.js';
import type { DayWindow } from './series.js';

export const TREND_WEEKS = 4;

export interface PromptWeek {
  since: string;
  calls: number;
  avg_prompt_tokens: number | null;
}

export interface PromptTrend {
  route: string;
  /** Oldest first; the last one is the report's week. */
  weeks: PromptWeek[];
  /** Last week's average over the one before, minus 1; null without both. */
  change: number | null;
}

export async function promptTrend(db: Database, week: DayWindow): Promise<PromptTrend[]> {
  const since = addDays(week.since, -7 * (TREND_WEEKS - 1));
  // the priced spans' rows, not priced: the calls themselves, with the priced view's total input
  const base = baseRelation({ period: { since, until: week.until, timezone: week.timezone } }, { relation: INFERENCE_SPANS, time: 'start_time' });
  const rows = await db.all<{ route: string; block: number; calls: string; avg: number | null }>(
    `WITH base AS (${base.sql})
     SELECT coalesce(route, $unattributed) AS route,
            CAST(floor(date_diff('day', CAST($since AS DATE), CAST(local_time AS DATE)) / 7) AS INTEGER) AS block,
            count(*)::VARCHAR AS calls, avg(coalesce(prompt_tokens, ${totalInputSql()})) AS avg
     FROM base GROUP BY ALL ORDER BY route, block`,
    { ...base.params, unattributed: UNATTRIBUTED },
  );
  const byRoute = new Map<string, PromptWeek[]>();
  for (const row of rows) {
    const weeks = byRoute.get(row.route) ?? Array.from({ length: TREND_WEEKS }, (_v, i) => ({ since: addDays(since, 7 * i), calls: 0, avg_prompt_tokens: null }));
    const slot = weeks[row.block];
    if (slot) {
      slot.calls = num(row.calls);
      slot.avg_prompt_tokens = row.avg === null ? null : Math.round(row.avg * 10) / 10;
    }
    byRoute.set(row.route, weeks);
  }
  const calls = (t: PromptTrend): number => t.weeks[TREND_WEEKS - 1]?.calls ?? 0;
  return [...byRoute].map(([route, weeks]): PromptTrend => {
    const now = weeks[TREND_WEEKS - 1]?.avg_prompt_tokens ?? null;
    const before = weeks[TREND_WEEKS - 2]?.avg_prompt_tokens ?? null;
    return { route, weeks, change: now !== null && before !== null && before > 0 ? Math.round((now / before - 1) * 1e4) / 1e4 : null };
  }).sort((a, b) => calls(b) - calls(a) || (a.route < b.route ? -1 : a.route > b.route ? 1 : 0));
}
