/**
 * The pass-through bill: what each `pass_through` tenant is invoiced for a month, its cost (the
 * margins' cost, so including its share of unattributed spend when shared) times (1 + markup),
 * rounded half away from zero to the micro-dollar. Exact decimal strings throughout.
 */
import type { MarginReport } from './margins.js';
import { microOf, mulDivRound, usdOf } from './micro-usd.js';

export interface BillLine {
  tenant: string;
  month: string;
  cost_usd: string;
  /** Fraction without trailing zeros (`0.2`); `0` when the plan gave none. */
  markup: string;
  bill_usd: string;
}

const ONE = 1_000_000n;

function plainFraction(markup: string | null): string {
  if (markup === null) return '0';
  return markup.includes('.') ? markup.replace(/0+$/, '').replace(/\.$/, '') : markup;
}

export function passThroughBill(margins: MarginReport): BillLine[] {
  return margins.tenants
    .filter((t) => t.plan === 'pass_through')
    .map((t) => ({
      tenant: t.tenant,
      month: margins.month,
      cost_usd: t.cost_usd,
      markup: plainFraction(t.markup),
      bill_usd: usdOf(mulDivRound(microOf(t.cost_usd), ONE + microOf(t.markup ?? '0'), ONE)),
    }));
}
