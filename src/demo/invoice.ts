/**
 * The provider side of the demo month: usage per day × model × token class as the providers bill
 * it, i.e. the traced calls plus ~1.5% traffic that never produced spans (a batch job without
 * instrumentation). Written in the providers' own export formats (reference/invoice-formats.md):
 * the Anthropic Console cost CSV and usage CSV (2026 headers), and the OpenAI dashboard cost CSV.
 */
import { writeFileAtomic } from '../app/atomic-file.js';
import { join } from 'node:path';
import type { Prng } from './prng.js';
import { classCostFemto, DEMO_MODELS, DEMO_TOKEN_CLASSES, femtoToUsd, type DemoModel } from './prices.js';
import type { ChatCall } from './trace-builder.js';

type DemoTokenClass = (typeof DEMO_TOKEN_CLASSES)[number];

export interface InvoiceLine {
  day: string;
  model: DemoModel;
  tokenClass: DemoTokenClass;
  tracedTokens: number;
  invoiceTokens: number;
  costFemto: bigint;
}

export const INVOICE_FILES = {
  anthropicCost: 'claude_api_cost_2026_10.csv',
  anthropicUsage: 'claude_api_tokens_2026_10.csv',
  openaiCost: 'openai_cost_2026-10-01_2026-11-01.csv',
} as const;

/** Sum traced calls per day × model × class, then add seeded untraced traffic (0.5–2.5% per day and model). */
export function invoiceLines(calls: Iterable<ChatCall>, rng: Prng): InvoiceLine[] {
  const traced = new Map<string, number>();
  for (const call of calls) {
    for (const tokenClass of DEMO_TOKEN_CLASSES) {
      const key = `${call.day}|${call.model}|${tokenClass}`;
      traced.set(key, (traced.get(key) ?? 0) + call.tokens[tokenClass]);
    }
  }
  const untracedShare = new Map<string, number>();
  return [...traced.keys()].sort().flatMap((key) => {
    const [day = '', model = '', tokenClass = ''] = key.split('|') as [string, DemoModel, DemoTokenClass];
    const tracedTokens = traced.get(key) ?? 0;
    if (tracedTokens === 0) return [];
    const dayModel = `${day}|${model}`;
    const share = untracedShare.get(dayModel) ?? rng.between(0.005, 0.025);
    untracedShare.set(dayModel, share);
    const invoiceTokens = tracedTokens + Math.round(tracedTokens * share);
    const line: InvoiceLine = {
      day,
      model: model as DemoModel,
      tokenClass: tokenClass as DemoTokenClass,
      tracedTokens,
      invoiceTokens,
      costFemto: classCostFemto(model as DemoModel, tokenClass as DemoTokenClass, invoiceTokens),
    };
    return [line];
  });
}

const ANTHROPIC_TOKEN_TYPE: Readonly<Record<DemoTokenClass, string>> = {
  input: 'input_no_cache',
  cache_read: 'input_cache_read',
  cache_write_5m: 'input_cache_write_5m',
  output: 'output',
};

const OPENAI_LINE_ITEM: Readonly<Record<DemoTokenClass, string>> = {
  input: 'input',
  cache_read: 'cached input',
  cache_write_5m: 'cache write',
  output: 'output',
};

function csv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

function anthropicCostCsv(lines: readonly InvoiceLine[]): string {
  const header = ['usage_date_utc', 'model', 'workspace', 'api_key', 'usage_type', 'context_window', 'token_type', 'cost_usd', 'list_price_usd', 'cost_type', 'inference_geo', 'speed'];
  return csv(header, lines.map((l) => {
    const usd = femtoToUsd(l.costFemto);
    return [l.day, DEMO_MODELS[l.model].invoiceName, 'Default', 'inbox-agent-prod', 'message', '≤ 200k', ANTHROPIC_TOKEN_TYPE[l.tokenClass], usd, usd, 'token', 'global', ''];
  }));
}

function anthropicUsageCsv(lines: readonly InvoiceLine[]): string {
  const header = ['usage_date_utc', 'model_version', 'api_key', 'workspace', 'usage_type', 'context_window', 'usage_input_tokens_no_cache', 'usage_input_tokens_cache_write_5m', 'usage_input_tokens_cache_write_1h', 'usage_input_tokens_cache_read', 'usage_output_tokens', 'web_search_count', 'inference_geo', 'speed'];
  const byDayModel = new Map<string, Record<DemoTokenClass, number>>();
  for (const l of lines) {
    const key = `${l.day}|${l.model}`;
    const row = byDayModel.get(key) ?? { input: 0, cache_read: 0, cache_write_5m: 0, output: 0 };
    row[l.tokenClass] += l.invoiceTokens;
    byDayModel.set(key, row);
  }
  return csv(header, [...byDayModel.entries()].map(([key, t]) => {
    const [day = '', model = ''] = key.split('|');
    return [day, DEMO_MODELS[model as DemoModel].responseModel, 'inbox-agent-prod', 'Default', 'standard', '≤ 200k', t.input, t.cache_write_5m, 0, t.cache_read, t.output, 0, 'global', ''];
  }));
}

function openaiCostCsv(lines: readonly InvoiceLine[]): string {
  const header = ['start_time', 'end_time', 'start_time_iso', 'end_time_iso', 'amount_value', 'amount_currency', 'quantity', 'quantity_unit', 'line_item', 'user_id', 'api_key_id', 'project_id', 'organization_id', 'project_name', 'organization_name', 'user_email', 'api_source'];
  return csv(header, lines.map((l) => {
    const start = Date.parse(`${l.day}T00:00:00Z`) / 1000;
    const end = start + 86_400;
    const iso = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', '+00:00');
    return [start, end, iso(start), iso(end), femtoToUsd(l.costFemto), 'usd', l.invoiceTokens, 'tokens', `"${DEMO_MODELS[l.model].responseModel}, ${OPENAI_LINE_ITEM[l.tokenClass]}"`, '', 'key_inbox_agent', 'proj_inbox_agent', 'org_acme', 'inbox-agent', 'Acme Inc', '', 'api'];
  }));
}

/** Write the three provider exports into `dir`; returns their paths. */
export function writeInvoices(dir: string, lines: readonly InvoiceLine[]): string[] {
  const anthropic = lines.filter((l) => DEMO_MODELS[l.model].provider === 'anthropic');
  const openai = lines.filter((l) => DEMO_MODELS[l.model].provider === 'openai');
  const files: [string, string][] = [
    [INVOICE_FILES.anthropicCost, anthropicCostCsv(anthropic)],
    [INVOICE_FILES.anthropicUsage, anthropicUsageCsv(anthropic)],
    [INVOICE_FILES.openaiCost, openaiCostCsv(openai)],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileAtomic(path, text);
    return path;
  });
}
