/**
 * Scoring findings against a scenario's ground truth, per detector (the scenario tests and
 * `npm run bench:anomalies` share it).
 *
 * - A finding *detects* an injection when kind, tenant and route (when the injection names one) are
 *   equal and its window starts on the injection's first day (or within its start slack).
 * - recall = injections of the kind detected / injections of the kind;
 * - precision = findings of the kind that detect an injection / findings of the kind. A finding that
 *   detects none but names an injected tenant or route inside that injection's window is *secondary*
 *   (real, but another kind's consequence: a loop's tenant also spikes); anything else is *false*.
 * - duplicates: extra findings detecting an injection already detected (an incident in pieces).
 * - controls touched: findings naming a clean look-alike's tenant or route in its window.
 */
import { ANOMALY_KINDS, type Anomaly, type AnomalyKind } from '../../../src/analysis/anomalies/index.js';
import type { Control, Injection, Scenario } from './generate.js';

const DAY_MS = 86_400_000;

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

const overlaps = (f: Anomaly, startDay: string, endDay: string) => f.start.slice(0, 10) < endDay && f.end > `${startDay}T00:00:00`;

export function detects(f: Anomaly, inj: Injection): boolean {
  const start = f.start.slice(0, 10);
  return f.kind === inj.kind && f.tenant === inj.tenant && (inj.route === null || f.route === inj.route)
    && start >= inj.startDay && start <= addDays(inj.startDay, inj.startSlackDays);
}

/** Names an injection's tenant (or its route, route-wide or for that tenant) inside its window. */
export function explainedBy(f: Anomaly, inj: Injection): boolean {
  if (!overlaps(f, inj.startDay, inj.endDay)) return false;
  if (inj.tenant !== null && f.tenant === inj.tenant) return true;
  return inj.route !== null && f.route === inj.route && (f.tenant === null || f.tenant === inj.tenant);
}

export function touches(f: Anomaly, c: Control): boolean {
  return overlaps(f, c.startDay, c.endDay) && ((c.tenant !== null && f.tenant === c.tenant) || (c.route !== null && f.route === c.route));
}

export interface KindScore {
  kind: AnomalyKind;
  injected: number;
  detected: number;
  findings: number;
  truePositives: number;
  secondary: number;
  falsePositives: number;
  duplicates: number;
}

export interface Evaluation {
  kinds: KindScore[];
  missed: Injection[];
  falseFindings: Anomaly[];
  controlHits: Array<{ control: string; finding: Anomaly }>;
}

export function evaluate(scenario: Scenario, findings: readonly Anomaly[]): Evaluation {
  const kinds = ANOMALY_KINDS.map((kind): KindScore => {
    const injected = scenario.injections.filter((i) => i.kind === kind);
    const mine = findings.filter((f) => f.kind === kind);
    const hits = mine.filter((f) => injected.some((i) => detects(f, i)));
    const secondary = mine.filter((f) => !hits.includes(f) && scenario.injections.some((i) => explainedBy(f, i)));
    const detected = injected.filter((i) => mine.some((f) => detects(f, i))).length;
    return {
      kind,
      injected: injected.length,
      detected,
      findings: mine.length,
      truePositives: hits.length,
      secondary: secondary.length,
      falsePositives: mine.length - hits.length - secondary.length,
      duplicates: hits.length - detected,
    };
  });
  return {
    kinds,
    missed: scenario.injections.filter((i) => !findings.some((f) => detects(f, i))),
    falseFindings: findings.filter((f) => !scenario.injections.some((i) => detects(f, i) || explainedBy(f, i))),
    controlHits: scenario.controls.flatMap((c) => findings.filter((f) => touches(f, c)).map((finding) => ({ control: c.name, finding }))),
  };
}

/** Sum of per-seed scores. */
export function totals(evaluations: readonly Evaluation[]): KindScore[] {
  return ANOMALY_KINDS.map((kind) => {
    const rows = evaluations.map((e) => e.kinds.find((k) => k.kind === kind) as KindScore);
    const sum = (key: keyof Omit<KindScore, 'kind'>) => rows.reduce((s, r) => s + r[key], 0);
    return {
      kind, injected: sum('injected'), detected: sum('detected'), findings: sum('findings'), truePositives: sum('truePositives'),
      secondary: sum('secondary'), falsePositives: sum('falsePositives'), duplicates: sum('duplicates'),
    };
  });
}
