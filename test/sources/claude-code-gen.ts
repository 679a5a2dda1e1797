// Seeded generator of Claude Code session logs (projects/<project>/<session>.jsonl plus a sub-agent
// sidechain log), with its own ground truth per (UTC day, model): the tokens under "the record with
// the most tokens wins" and under ccusage v17's "first record wins", and the 1-hour cache writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Prng } from '../../src/demo/prng.js';

export const MODELS = ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805'] as const;

/** USD per token, the list prices both the price book and ccusage's embedded table use. */
export const LIST_PRICES: Record<string, { input: number; output: number; cacheRead: number; cacheWrite5m: number; cacheWrite1h: number }> = {
  'claude-sonnet-4-5-20250929': { input: 3e-6, output: 15e-6, cacheRead: 0.3e-6, cacheWrite5m: 3.75e-6, cacheWrite1h: 6e-6 },
  'claude-haiku-4-5-20251001': { input: 1e-6, output: 5e-6, cacheRead: 0.1e-6, cacheWrite5m: 1.25e-6, cacheWrite1h: 2e-6 },
  'claude-opus-4-1-20250805': { input: 15e-6, output: 75e-6, cacheRead: 1.5e-6, cacheWrite5m: 18.75e-6, cacheWrite1h: 30e-6 },
};

export interface CellTruth {
  input: number;
  output: number;
  outputFirst: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  calls: number;
}

export interface GeneratedLogs {
  root: string;
  /** `${day}|${model}` → truth */
  cells: Map<string, CellTruth>;
  linesWritten: number;
}

export interface GenerateOptions {
  seed: number;
  /** Streaming snapshots grow their output_tokens (true) or repeat the final usage (false). */
  growingOutput: boolean;
  projects?: number;
  sessionsPerProject?: number;
  messagesPerSession?: number;
}

/** The demo's mulberry32 source: the same seed, the same sequence. */
function prng(seed: number): () => number {
  const source = new Prng(seed);
  return () => source.next();
}

interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: string;
}

export function generateClaudeLogs(dir: string, options: GenerateOptions): GeneratedLogs {
  const rand = prng(options.seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('');
  const cells = new Map<string, CellTruth>();
  const root = join(dir, 'projects');
  let linesWritten = 0;
  const cell = (day: string, model: string): CellTruth => {
    const key = `${day}|${model}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { input: 0, output: 0, outputFirst: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, calls: 0 }));
    return c;
  };
  const projects = options.projects ?? 3;
  for (let p = 0; p < projects; p++) {
    const project = `-home-dev-proj-${String.fromCharCode(97 + p)}`;
    for (let s = 0; s < (options.sessionsPerProject ?? 2); s++) {
      const sessionId = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
      const day = 1 + ((p * 2 + s) % 5);
      let clock = Date.UTC(2025, 11, day, 8 + p, int(0, 50), 0);
      const lines: string[] = [];
      const replayable: string[] = [];
      for (let m = 0; m < (options.messagesPerSession ?? 12); m++) {
        const model = MODELS[int(0, MODELS.length - 1)] as string;
        const msgId = `msg_01${hex(22)}`;
        const requestId = `req_011${hex(20)}`;
        const write = int(0, 3) === 0 ? 0 : int(50, 4000);
        const write1h = write > 0 && int(0, 2) === 0 ? int(0, write) : 0;
        const final: Usage = {
          input_tokens: int(1, 400),
          cache_creation_input_tokens: write,
          cache_read_input_tokens: int(0, 3) === 0 ? 0 : int(1000, 60000),
          cache_creation: { ephemeral_5m_input_tokens: write - write1h, ephemeral_1h_input_tokens: write1h },
          output_tokens: int(20, 3000),
          service_tier: 'standard',
        };
        const snapshots = int(1, 3);
        clock += int(5, 90) * 1000;
        lines.push(JSON.stringify({ parentUuid: null, isSidechain: false, type: 'user', sessionId, uuid: hex(32), timestamp: new Date(clock).toISOString(), message: { role: 'user', content: 'next step' } }));
        let firstOutput = final.output_tokens;
        for (let k = 0; k < snapshots; k++) {
          const last = k === snapshots - 1;
          const output = options.growingOutput && !last ? Math.max(1, Math.floor((final.output_tokens * (k + 1)) / (snapshots + 1))) : final.output_tokens;
          if (k === 0) firstOutput = output;
          clock += 400;
          const line = JSON.stringify({
            parentUuid: hex(32),
            isSidechain: false,
            userType: 'external',
            cwd: `/home/dev/proj-${p}`,
            sessionId,
            version: '2.0.14',
            message: { model, id: msgId, type: 'message', role: 'assistant', content: [{ type: 'text', text: `block ${k}` }], stop_reason: last ? 'end_turn' : null, usage: { ...final, output_tokens: output } },
            requestId,
            type: 'assistant',
            uuid: hex(32),
            timestamp: new Date(clock).toISOString(),
          });
          lines.push(line);
          if (last && m % 4 === 1) replayable.push(line);
        }
        const c = cell(`2025-12-${String(day).padStart(2, '0')}`, model);
        c.calls += 1;
        c.input += final.input_tokens;
        c.output += final.output_tokens;
        c.outputFirst += firstOutput;
        c.cacheRead += final.cache_read_input_tokens;
        c.cacheWrite5m += write - write1h;
        c.cacheWrite1h += write1h;
      }
      // Claude Code's own synthetic message: never billed, all-zero usage
      lines.push(JSON.stringify({ isSidechain: false, type: 'assistant', sessionId, uuid: hex(32), timestamp: new Date(clock + 1000).toISOString(), message: { model: '<synthetic>', id: `msg_${hex(24)}`, role: 'assistant', content: [{ type: 'text', text: 'No response requested.' }], usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } }, requestId: `req_${hex(20)}` }));
      mkdirSync(join(root, project), { recursive: true });
      writeFileSync(join(root, project, `${sessionId}.jsonl`), lines.map((l) => `${l}\n`).join(''));
      linesWritten += lines.length;
      if (s === 0 && replayable.length > 0) {
        // a sub-agent log that replays parent messages (isSidechain: true, same ids, later in time)
        const side = replayable.map((l) => {
          const rec = JSON.parse(l) as Record<string, unknown>;
          return JSON.stringify({ ...rec, isSidechain: true, uuid: hex(32), timestamp: new Date(clock + 60_000).toISOString() });
        });
        mkdirSync(join(root, project, sessionId, 'subagents'), { recursive: true });
        writeFileSync(join(root, project, sessionId, 'subagents', `agent-${hex(8)}.jsonl`), side.map((l) => `${l}\n`).join(''));
        linesWritten += side.length;
      }
    }
  }
  return { root, cells, linesWritten };
}
