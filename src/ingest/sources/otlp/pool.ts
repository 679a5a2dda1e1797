/**
 * A small pool of parse workers (worker.ts). The caller bounds how many
 * batches are in flight; the pool hands each batch to an idle worker, starting one (up to its size)
 * only when every started worker is busy: a worker costs ~150 ms of CPU to boot, which a file of one
 * batch would otherwise pay for every worker. Else the least busy worker takes the batch.
 * A worker that fails or stops before the pool is closed fails every batch still pending and every
 * later one: never a batch silently lost.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FlatBatch } from './flatten.js';

export interface ParseRequest {
  id: number;
  kind: 'lines' | 'document';
  firstLine: number;
  bytes: Uint8Array;
}

export interface ParseResponse {
  id: number;
  batch: FlatBatch;
}

interface Pending {
  resolve: (batch: FlatBatch) => void;
  reject: (err: Error) => void;
  worker: Worker;
}

/** The compiled worker: beside this module when built, or under dist/ when running from sources (tests). */
function workerUrl(): URL {
  const sibling = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL(sibling.href.replace('/src/ingest/sources/otlp/', '/dist/ingest/sources/otlp/'));
}

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

export class OtlpParsePool {
  private readonly workers: Worker[] = [];
  private readonly size: number;
  private readonly busy = new Map<Worker, number>();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private closing = false;

  constructor(size: number) {
    this.size = Math.max(1, size);
  }

  private start(): Worker {
    const worker = new Worker(workerUrl());
    this.workers.push(worker);
    this.busy.set(worker, 0);
    worker.on('message', (response: ParseResponse) => this.settle(response));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`an OTLP parse worker stopped (exit code ${code})`));
    });
    return worker;
  }

  /** An idle worker, else a new one while the pool has room, else the least busy. */
  private pick(): Worker {
    const idle = this.workers.find((w) => this.busy.get(w) === 0);
    if (idle) return idle;
    if (this.workers.length < this.size) return this.start();
    return this.workers.reduce((best, w) => ((this.busy.get(w) ?? 0) < (this.busy.get(best) ?? 0) ? w : best));
  }

  parse(kind: ParseRequest['kind'], bytes: Uint8Array, firstLine: number): Promise<FlatBatch> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.pick();
    const id = this.nextId++;
    this.busy.set(worker, (this.busy.get(worker) ?? 0) + 1);
    return new Promise<FlatBatch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      const request: ParseRequest = { id, kind, firstLine, bytes };
      worker.postMessage(request, [bytes.buffer as ArrayBuffer]);
    });
  }

  private settle(response: ParseResponse): void {
    const entry = this.pending.get(response.id);
    if (!entry) return;
    this.pending.delete(response.id);
    this.busy.set(entry.worker, (this.busy.get(entry.worker) ?? 1) - 1);
    entry.resolve(response.batch);
  }

  private fail(err: Error): void {
    const failure = (this.failure ??= err);
    for (const entry of this.pending.values()) entry.reject(failure);
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
