/**
 * The demo's own list prices, independent of pricing/ so the ground truth can catch a wrong price
 * book. USD per million tokens, quoted from reference/litellm-model-prices.json (July 2026):
 * claude-sonnet-4-5, claude-haiku-4-5, claude-opus-4-6 and gpt-4.1-mini, standard tier, under the
 * 200k long-context threshold (the generator keeps every request below it).
 * Costs are exact: BigInt femto-dollars (1e-15 USD), the same scale as DECIMAL(38,15).
 */
export type DemoModel = 'claude-sonnet-4-5' | 'claude-haiku-4-5' | 'claude-opus-4-6' | 'gpt-4.1-mini';

export interface ModelFacts {
  provider: 'anthropic' | 'openai';
  /** The id the model answers with (`gen_ai.response.model`). */
  responseModel: string;
  /** The name the provider's cost export uses. */
  invoiceName: string;
  perMtok: { input: string; cache_read: string; cache_write_5m: string; output: string };
}

export const DEMO_MODELS: Readonly<Record<DemoModel, ModelFacts>> = {
  'claude-sonnet-4-5': {
    provider: 'anthropic',
    responseModel: 'claude-sonnet-4-5-20250929',
    invoiceName: 'Claude Sonnet 4.5',
    perMtok: { input: '3', cache_read: '0.3', cache_write_5m: '3.75', output: '15' },
  },
  'claude-haiku-4-5': {
    provider: 'anthropic',
    responseModel: 'claude-haiku-4-5-20251001',
    invoiceName: 'Claude Haiku 4.5',
    perMtok: { input: '1', cache_read: '0.1', cache_write_5m: '1.25', output: '5' },
  },
  'claude-opus-4-6': {
    provider: 'anthropic',
    responseModel: 'claude-opus-4-6',
    invoiceName: 'Claude Opus 4.6',
    perMtok: { input: '5', cache_read: '0.5', cache_write_5m: '6.25', output: '25' },
  },
  'gpt-4.1-mini': {
    provider: 'openai',
    responseModel: 'gpt-4.1-mini-2025-04-14',
    invoiceName: 'gpt-4.1-mini-2025-04-14',
    perMtok: { input: '0.4', cache_read: '0.1', cache_write_5m: '0', output: '1.6' },
  },
};

/** Disjoint token classes of one call (the demo writes no 1h cache). */
export interface CallTokens {
  input: number;
  cache_read: number;
  cache_write_5m: number;
  output: number;
}

export const DEMO_TOKEN_CLASSES = ['input', 'cache_read', 'cache_write_5m', 'output'] as const;

const FEMTO_PER_USD_PER_MTOK_DIGITS = 9; // 1 USD/MTok = 1e-6 USD/token = 1e9 femto-USD/token

/** `"3.75"` USD/MTok → 3_750_000_000n femto-USD per token. */
export function femtoPerToken(perMtok: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(perMtok);
  if (!match) throw new Error(`bad per-MTok rate ${perMtok}`);
  const fraction = (match[2] ?? '').padEnd(FEMTO_PER_USD_PER_MTOK_DIGITS, '0');
  return BigInt(`${match[1] ?? '0'}${fraction}`);
}

const RATES: Readonly<Record<DemoModel, Record<(typeof DEMO_TOKEN_CLASSES)[number], bigint>>> = Object.fromEntries(
  Object.entries(DEMO_MODELS).map(([model, facts]) => [
    model,
    Object.fromEntries(DEMO_TOKEN_CLASSES.map((c) => [c, femtoPerToken(facts.perMtok[c])])),
  ]),
) as Record<DemoModel, Record<(typeof DEMO_TOKEN_CLASSES)[number], bigint>>;

export function classCostFemto(model: DemoModel, tokenClass: (typeof DEMO_TOKEN_CLASSES)[number], tokens: number): bigint {
  return RATES[model][tokenClass] * BigInt(tokens);
}

export function callCostFemto(model: DemoModel, tokens: CallTokens): bigint {
  return DEMO_TOKEN_CLASSES.reduce((sum, c) => sum + classCostFemto(model, c, tokens[c]), 0n);
}

const FEMTO_PER_MICRO = 1_000_000_000n;

/** Femto-dollars → USD with 6 decimals, rounded half up: `"1234.567891"`. */
export function femtoToUsd(femto: bigint): string {
  const micro = (femto + FEMTO_PER_MICRO / 2n) / FEMTO_PER_MICRO;
  const whole = micro / 1_000_000n;
  const fraction = (micro % 1_000_000n).toString().padStart(6, '0');
  return `${whole}.${fraction}`;
}

/** USD (a float target, not money) → femto-dollars, at micro-dollar precision. */
export function usdToFemto(usd: number): bigint {
  return BigInt(Math.round(usd * 1e6)) * FEMTO_PER_MICRO;
}
