/**
 * `guard` results for people: the events (what fired, when, what it did) and the per-tenant
 * outcome (blocked, degraded, saved, false-positive days) as table models for table/md/csv. The
 * JSON shape is the result object itself (PRODUCT.md `guard`).
 */
import type { GuardEvent, GuardResult } from '../analysis/guard/types.js';
import type { TableModel } from './model.js';
import { formatUsd } from './money.js';

function actionOf(e: GuardEvent): string {
  const step = e.step ? ` (${e.step})` : '';
  const retry = e.retry_after_s !== null ? `, retry after ${e.retry_after_s}s` : '';
  return `${e.action}${step}${retry}`;
}

export function guardEventsTable(result: GuardResult): TableModel {
  return {
    title: 'Guard events',
    columns: [
      { key: 'time', header: 'time', kind: 'text' },
      { key: 'tenant', header: 'tenant', kind: 'text' },
      { key: 'rule', header: 'rule', kind: 'text' },
      { key: 'observed', header: 'observed', kind: 'number' },
      { key: 'limit', header: 'limit', kind: 'number' },
      { key: 'unit', header: 'unit', kind: 'text' },
      { key: 'action', header: 'action', kind: 'text' },
      { key: 'requests', header: 'requests', kind: 'int' },
      { key: 'severity', header: 'severity', kind: 'text' },
    ],
    rows: result.events.map((e) => ({
      time: e.time, tenant: e.tenant, rule: e.rule, observed: e.observed, limit: e.limit, unit: e.unit,
      action: actionOf(e), requests: e.requests, severity: e.severity,
    })),
    notes: result.events.length === 0 ? ['No rule would have fired.'] : [],
  };
}

export function guardTenantsTable(result: GuardResult): TableModel {
  return {
    title: 'Per tenant',
    columns: [
      { key: 'tenant', header: 'tenant', kind: 'text' },
      { key: 'requests', header: 'requests', kind: 'int' },
      { key: 'requests_blocked', header: 'blocked', kind: 'int' },
      { key: 'requests_degraded', header: 'degraded', kind: 'int' },
      { key: 'spend_usd', header: 'spend', kind: 'money' },
      { key: 'saved_usd', header: 'saved', kind: 'money' },
      { key: 'guarded_usd', header: 'guarded spend', kind: 'money' },
      { key: 'days_fired', header: 'days fired', kind: 'int' },
      { key: 'false_positive_days', header: 'false-positive days', kind: 'text' },
    ],
    rows: result.tenants.map((t) => ({
      tenant: t.tenant, requests: t.requests, requests_blocked: t.requests_blocked, requests_degraded: t.requests_degraded,
      spend_usd: t.spend_usd, saved_usd: t.saved_usd, guarded_usd: t.guarded_usd, days_fired: t.days_fired.length,
      false_positive_days: t.false_positive_days.join(' '),
    })),
    notes: [
      `Blocked ${formatUsd(result.blocked_usd)}; saved ${formatUsd(result.saved_usd)} of ${formatUsd(result.spend_usd)} (blocked plus degradation savings).`,
      ...result.notes,
    ],
  };
}

export function guardTables(result: GuardResult): TableModel[] {
  return [guardEventsTable(result), guardTenantsTable(result)];
}
