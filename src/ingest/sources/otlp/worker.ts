/**
 * Worker thread entry: receives raw bytes of whole OTLP/JSON lines (or one whole document),
 * parses and flattens them, and posts the columnar batch back (its typed arrays moved, not copied). No DuckDB here.
 */
import { parentPort } from 'node:worker_threads';
import { parseWorkerKillPoint } from '../../../db/kill-point.js';
import { flattenOtlpDocument, flattenOtlpLines, transferables } from './flatten.js';
import type { ParseRequest, ParseResponse } from './pool.js';

const decoder = new TextDecoder('utf-8');

parentPort?.on('message', (request: ParseRequest) => {
  parseWorkerKillPoint(request.firstLine);
  const text = decoder.decode(request.bytes);
  const batch = request.kind === 'document' ? flattenOtlpDocument(text) : flattenOtlpLines(text, request.firstLine);
  const response: ParseResponse = { id: request.id, batch };
  parentPort?.postMessage(response, transferables(batch));
});
