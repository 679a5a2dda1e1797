// A large OTLP/JSON file written fast from a template: `lines` export requests of `perLine` model-call
// spans each, every span with its own trace and a tenant tag. Returns the span count.
import { closeSync, openSync, writeSync } from 'node:fs';

const T0 = 1790812800n * 1_000_000_000n; // 2026-10-01T00:00:00Z

/** Ids start high so they never collide with the small hand-made files the tests also load. */
const ID_BASE = 0xb1600000;

function spanJson(n: number): string {
  const start = T0 + BigInt(n) * 1_000_000_000n;
  const id = (ID_BASE + n).toString(16);
  return `{"traceId":"${id.padStart(32, '0')}","spanId":"${id.padStart(16, '0')}","name":"chat claude-haiku-4-5","kind":3,`
    + `"startTimeUnixNano":"${start}","endTimeUnixNano":"${start + 500_000_000n}","attributes":[`
    + `{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.provider.name","value":{"stringValue":"anthropic"}},`
    + `{"key":"gen_ai.request.model","value":{"stringValue":"claude-haiku-4-5"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"${1000 + (n % 97)}"}},`
    + `{"key":"gen_ai.usage.output_tokens","value":{"intValue":"${100 + (n % 13)}"}},{"key":"acme.tenant_id","value":{"stringValue":"tenant-${n % 40}"}}],"status":{}}`;
}

export function writeBigOtlp(path: string, lines: number, perLine: number): number {
  const fd = openSync(path, 'w');
  let n = 0;
  try {
    for (let l = 0; l < lines; l++) {
      const spans: string[] = [];
      for (let s = 0; s < perLine; s++) spans.push(spanJson(++n));
      writeSync(fd, `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"big"}}]},"scopeSpans":[{"scope":{"name":"harness"},"spans":[${spans.join(',')}]}]}]}\n`);
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

/** Σ input tokens of the first `count` spans, as `writeBigOtlp` made them. */
export function bigOtlpInputTokens(count: number): bigint {
  let sum = 0n;
  for (let n = 1; n <= count; n++) sum += BigInt(1000 + (n % 97));
  return sum;
}
