/**
 * One seed of the labelled scenario, end to end: generate, load into an in-memory database priced
 * with the test book, detect with the given thresholds, score against the ground truth.
 */
import { DEFAULT_THRESHOLDS, detectAnomalies, type Anomaly, type AnomalyThresholds } from '../../../src/analysis/anomalies/index.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { generateScenario, type Scenario } from './generate.js';
import { scenarioDb } from './load.js';

export interface SeedResult {
  seed: number;
  scenario: Scenario;
  findings: Anomaly[];
  evaluation: Evaluation;
}

export async function evaluateSeed(seed: number, thresholds: AnomalyThresholds = DEFAULT_THRESHOLDS): Promise<SeedResult> {
  const scenario = generateScenario(seed);
  const db = await scenarioDb(scenario.spans);
  try {
    const { anomalies } = await detectAnomalies(db, {
      period: { since: undefined, until: undefined, timezone: 'UTC' }, kinds: [], minUsd: 0, thresholds,
    });
    return { seed, scenario, findings: anomalies, evaluation: evaluate(scenario, anomalies) };
  } finally {
    db.close();
  }
}
