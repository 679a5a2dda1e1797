/**
 * OTLP/JSON (ExportTraceServiceRequest) → raw span rows, in the compact columnar form of
 * src/ingest/spans/raw-coded.ts. Pure and synchronous: it runs inside the parse workers. Values stay
 * exactly as emitted (intValue may be a string or a number; only plain unsigned integers travel as
 * BIGINT, anything else as text); the SQL validator judges them, so both the OTLP and the flat path
 * share one set of rules. Events and links are ignored.
 */
import { ATTRIBUTE_TARGETS, NAMESPACE_MARKERS, STANDARD_PREFIXES } from './attributes.js';
import { DICT_COLUMNS, NUMBER_COLUMNS, PROFILE_COLUMNS, RARE_COLUMNS, TEXT_COLUMNS, type CodedRows } from '../../spans/raw-coded.js';
import { RAW_COLUMN_INDEX, RAW_TEXT_COLUMNS } from '../../spans/raw-table.js';
import type { SourceProblem } from '../source.js';

/** One batch of spans in the coded layout, with what the parse found besides them. */
export interface FlatBatch extends CodedRows {
  problems: SourceProblem[];
  /** Spans read plus lines that could not be read as a request (each counts as one record). */
  records: number;
  /** Namespaces carrying a tenant/user/task/route key. */
  candidates: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Extra = Record<string, Record<string, Json>>;

interface Slots {
  values: (string | null)[];
  ranks: number[];
}

const COLUMN_COUNT = RAW_TEXT_COLUMNS.length;
const C = RAW_COLUMN_INDEX;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An OTLP AnyValue as a plain JSON value. */
function anyValue(value: Json | undefined): Json {
  if (!isObject(value)) return null;
  if ('stringValue' in value) return value.stringValue ?? null;
  if ('intValue' in value) {
    const v = value.intValue ?? null;
    if (typeof v === 'string' && /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
    return v;
  }
  if ('doubleValue' in value) return value.doubleValue ?? null;
  if ('boolValue' in value) return value.boolValue ?? null;
  if ('bytesValue' in value) return value.bytesValue ?? null;
  if ('arrayValue' in value) {
    const inner = value.arrayValue;
    const values = isObject(inner) && Array.isArray(inner.values) ? inner.values : [];
    return values.map((v) => anyValue(v));
  }
  if ('kvlistValue' in value) {
    const inner = value.kvlistValue;
    const out: JsonObject = {};
    if (isObject(inner) && Array.isArray(inner.values)) {
      for (const kv of inner.values) if (isObject(kv) && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
    }
    return out;
  }
  return null;
}

/** The text a raw column stores: intValue strings stay as they are, so "12.5" or "abc" reach the validator. */
function rawText(value: Json | undefined): string | null {
  if (!isObject(value)) return null;
  if ('intValue' in value) {
    const v = value.intValue;
    return v === null || v === undefined ? null : String(v);
  }
  const plain = anyValue(value);
  if (plain === null) return null;
  return typeof plain === 'string' ? plain : typeof plain === 'object' ? JSON.stringify(plain) : String(plain);
}

function emptySlots(): Slots {
  return { values: new Array<string | null>(COLUMN_COUNT).fill(null), ranks: new Array<number>(COLUMN_COUNT).fill(Infinity) };
}

/** Fold a list of OTLP attributes into slots (best-ranked spelling wins) and extra (custom namespaces). */
function readAttributes(attributes: Json | undefined, slots: Slots, extra: Extra, rankOffset: number): void {
  if (!Array.isArray(attributes)) return;
  for (const kv of attributes) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    const key = kv.key;
    const target = ATTRIBUTE_TARGETS.get(key);
    if (target) {
      const i = C[target.column];
      const rank = target.rank + rankOffset;
      if (rank < (slots.ranks[i] ?? Infinity)) {
        const text = rawText(kv.value);
        if (text !== null) {
          slots.values[i] = text;
          slots.ranks[i] = rank;
        }
      }
      continue;
    }
    const dot = key.indexOf('.');
    if (dot <= 0) continue;
    const prefix = key.slice(0, dot);
    if (STANDARD_PREFIXES.has(prefix)) continue;
    (extra[prefix] ??= {})[key.slice(dot + 1)] = anyValue(kv.value);
  }
}

function idText(value: Json | undefined): string | null {
  if (typeof value !== 'string' || value === '') return null;
  return value.toLowerCase();
}

function timeText(value: Json | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  return String(value);
}

function mergeExtra(resource: Extra, span: Extra): Extra {
  const out: Extra = { ...resource };
  for (const [ns, values] of Object.entries(span)) out[ns] = { ...(resource[ns] ?? {}), ...values };
  return out;
}

const TEXT_IDX = TEXT_COLUMNS.map((c) => C[c]);
const NUMBER_IDX = NUMBER_COLUMNS.map((c) => C[c]);
const RARE_IDX = RARE_COLUMNS.map((c) => C[c]);
const PROFILE_IDX = PROFILE_COLUMNS.map((c) => C[c]);
const DICT_IDX = DICT_COLUMNS.map((c) => C[c]);
const PLAIN_UNSIGNED = /^\d{1,19}$/;
const INT64_MAX = 9223372036854775807n;

/**
 * The profile tuple as an unambiguous Map key, far cheaper than JSON.stringify: each value as its
 * length, a colon and the text; NULL as a bare `-`.
 */
function profileKey(v: readonly (string | null)[]): string {
  let key = '';
  for (let k = 0; k < PROFILE_IDX.length; k++) {
    const value = v[PROFILE_IDX[k]!] ?? null;
    key += value === null ? '-' : `${value.length}:${value}`;
  }
  return key;
}

/** A BIGINT column written straight into a BigInt64Array (grown by doubling), never a JS array of BigInts. */
class BigIntColumn {
  private values = new BigInt64Array(1024);
  private length = 0;

  push(value: bigint): void {
    if (this.length === this.values.length) {
      const grown = new BigInt64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  /** The values written, in an array of their own (it is transferred to another thread). */
  result(): BigInt64Array {
    return this.values.slice(0, this.length);
  }
}

class BatchBuilder {
  private readonly texts: (string | null)[][] = [...TEXT_COLUMNS, 'rare'].map(() => []);
  private readonly numbers = NUMBER_COLUMNS.map(() => new BigIntColumn());
  private readonly profile: number[] = [];
  private readonly profileCodes = new Map<string, number>();
  private readonly profiles: (string | null)[][] = [];
  /** The code of the last span's profile: consecutive spans mostly share one, and then no key is built. */
  private lastProfile = -1;
  /** One span's slots, reused for every span (see addSpan). */
  private readonly spanSlots = emptySlots();
  private readonly dictCodes: number[][] = DICT_COLUMNS.map(() => []);
  private readonly dictIndex = new Map<string, number>();
  private readonly dict: string[] = [];
  private readonly lines: number[] = [];
  readonly problems: SourceProblem[] = [];
  readonly candidates = new Set<string>();
  records = 0;

  private push(v: (string | null)[], line: number): void {
    const texts = this.texts;
    for (let k = 0; k < TEXT_IDX.length; k++) texts[k]!.push(v[TEXT_IDX[k]!] ?? null);
    let rare: Record<string, string> | null = null;
    for (let k = 0; k < NUMBER_IDX.length; k++) {
      const text = v[NUMBER_IDX[k]!] ?? null;
      let n = -1n;
      if (text !== null && PLAIN_UNSIGNED.test(text)) {
        const b = BigInt(text);
        if (b <= INT64_MAX) n = b;
      }
      this.numbers[k]!.push(n);
      if (n < 0n && text !== null) (rare ??= {})[NUMBER_COLUMNS[k]!] = text;
    }
    for (let k = 0; k < RARE_IDX.length; k++) {
      const text = v[RARE_IDX[k]!] ?? null;
      if (text !== null) (rare ??= {})[RARE_COLUMNS[k]!] = text;
    }
    texts[TEXT_IDX.length]!.push(rare === null ? null : JSON.stringify(rare));
    this.profile.push(this.profileCode(v));
    for (let k = 0; k < DICT_IDX.length; k++) {
      const value = v[DICT_IDX[k]!] ?? null;
      let at = -1;
      if (value !== null) {
        at = this.dictIndex.get(value) ?? -1;
        if (at < 0) {
          at = this.dict.length;
          this.dictIndex.set(value, at);
          this.dict.push(value);
        }
      }
      this.dictCodes[k]!.push(at);
    }
    this.lines.push(line);
  }

  private profileCode(v: readonly (string | null)[]): number {
    const last = this.profiles[this.lastProfile];
    if (last !== undefined) {
      let same = true;
      for (let k = 0; k < PROFILE_IDX.length && same; k++) same = (v[PROFILE_IDX[k]!] ?? null) === last[k];
      if (same) return this.lastProfile;
    }
    const key = profileKey(v);
    let code = this.profileCodes.get(key);
    if (code === undefined) {
      code = this.profiles.length;
      this.profileCodes.set(key, code);
      this.profiles.push(PROFILE_IDX.map((i) => v[i] ?? null));
    }
    this.lastProfile = code;
    return code;
  }

  addRequest(request: Json, line: number): void {
    if (!isObject(request) || !Array.isArray(request.resourceSpans ?? request.resource_spans)) {
      this.problems.push({ line, field: 'resourceSpans', message: 'not an OTLP ExportTraceServiceRequest (no resourceSpans array)' });
      this.records += 1;
      return;
    }
    for (const rs of (request.resourceSpans ?? request.resource_spans) as Json[]) {
      if (!isObject(rs)) continue;
      const resourceSlots = emptySlots();
      const resourceExtra: Extra = {};
      const resource = rs.resource;
      if (isObject(resource)) readAttributes(resource.attributes, resourceSlots, resourceExtra, 100);
      const scopeGroups = rs.scopeSpans ?? rs.scope_spans ?? rs.instrumentationLibrarySpans;
      if (!Array.isArray(scopeGroups)) continue;
      for (const ss of scopeGroups) {
        if (!isObject(ss)) continue;
        const scope = ss.scope ?? ss.instrumentationLibrary;
        const scopeName = isObject(scope) && typeof scope.name === 'string' ? scope.name : null;
        if (!Array.isArray(ss.spans)) continue;
        for (const span of ss.spans) this.addSpan(span, line, scopeName, resourceSlots, resourceExtra);
      }
    }
  }

  private addSpan(span: Json, line: number, scopeName: string | null, resourceSlots: Slots, resourceExtra: Extra): void {
    this.records += 1;
    if (!isObject(span)) {
      this.problems.push({ line, message: 'span is not an object' });
      return;
    }
    const slots = this.spanSlots;
    for (let i = 0; i < COLUMN_COUNT; i++) {
      slots.values[i] = resourceSlots.values[i] ?? null;
      slots.ranks[i] = resourceSlots.ranks[i] ?? Infinity;
    }
    const spanExtra: Extra = {};
    readAttributes(span.attributes, slots, spanExtra, 0);
    const v = slots.values;
    v[C.source] = 'otlp';
    v[C.trace_id] = idText(span.traceId ?? span.trace_id);
    v[C.span_id] = idText(span.spanId ?? span.span_id);
    v[C.parent_span_id] = idText(span.parentSpanId ?? span.parent_span_id);
    v[C.scope_name] = scopeName;
    v[C.name] = typeof span.name === 'string' ? span.name : null;
    v[C.start_time] = timeText(span.startTimeUnixNano ?? span.start_time_unix_nano);
    v[C.end_time] = timeText(span.endTimeUnixNano ?? span.end_time_unix_nano);
    const hasResourceExtra = Object.keys(resourceExtra).length > 0;
    const hasSpanExtra = Object.keys(spanExtra).length > 0;
    if (hasResourceExtra || hasSpanExtra) {
      const extra = hasResourceExtra && hasSpanExtra ? mergeExtra(resourceExtra, spanExtra) : hasSpanExtra ? spanExtra : resourceExtra;
      v[C.extra] = JSON.stringify(extra);
      for (const [ns, values] of Object.entries(extra)) {
        for (const key of Object.keys(values)) {
          if (NAMESPACE_MARKERS.has(key)) {
            this.candidates.add(ns);
            break;
          }
        }
      }
    }
    this.push(v, line);
  }

  addUnreadable(line: number, message: string): void {
    this.records += 1;
    this.problems.push({ line, message });
  }

  result(): FlatBatch {
    return {
      rows: this.lines.length,
      lines: Int32Array.from(this.lines),
      texts: this.texts,
      numbers: this.numbers.map((n) => n.result()),
      profile: Int32Array.from(this.profile),
      profiles: this.profiles,
      profileKeys: [...this.profileCodes.keys()],
      dictCodes: this.dictCodes.map((c) => Int32Array.from(c)),
      dict: this.dict,
      problems: this.problems,
      records: this.records,
      candidates: [...this.candidates],
    };
  }
}

/** The buffers a batch can hand over to another thread without copying. */
export function transferables(batch: FlatBatch): ArrayBuffer[] {
  return [batch.lines, batch.profile, ...batch.numbers, ...batch.dictCodes].map((a) => a.buffer as ArrayBuffer);
}

function parseMessage(err: unknown): string {
  return `not valid JSON: ${err instanceof Error ? err.message : String(err)}`;
}

/** Flatten a batch of whole JSON lines; `firstLine` is the 1-based line number of the first. */
export function flattenOtlpLines(text: string, firstLine: number): FlatBatch {
  const builder = new BatchBuilder();
  let line = firstLine;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.slice(start, end);
    if (raw.trim() !== '') {
      let parsed: Json;
      try {
        parsed = JSON.parse(raw) as Json;
      } catch (err) {
        builder.addUnreadable(line, parseMessage(err));
        start = end + 1;
        line += 1;
        continue;
      }
      builder.addRequest(parsed, line);
    }
    start = end + 1;
    line += 1;
  }
  return builder.result();
}

/** Flatten one whole (possibly pretty-printed) JSON document: a request, or an array of requests. */
export function flattenOtlpDocument(text: string): FlatBatch {
  const builder = new BatchBuilder();
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (err) {
    builder.addUnreadable(1, parseMessage(err));
    return builder.result();
  }
  for (const request of Array.isArray(parsed) ? parsed : [parsed]) builder.addRequest(request, 1);
  return builder.result();
}
