// report through the built CLI, in every format, on a database with hostile tenant and route names;
// the HTML is opened in real headless Chromium (skipped with a message where /usr/bin/chromium is
// missing): no console errors, no network, every chart drawn, names shown as text, nothing wider than
// the screen and no text under 12 px at desktop (1280) and phone (390) widths, screenshots in a temp dir.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { ingestInvoiceFiles } from '../../src/ingest/invoices/index.js';
import { expectGolden } from '../helpers/golden.js';
import { HOSTILE, INVOICE_EXTRA_SPANS, MONTHLY_REVENUE, monthlySpans, octoberInvoices, openReportDb } from './fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const HOSTILE_ROUTE = '<b>x</b>';

let dir: string;
let db: string;
let revenue: string;
let budget: string;

beforeAll(async () => {
  dir = tempDir('costattr-report-cli-');
  db = join(dir, 'report.duckdb');
  revenue = join(dir, 'revenue.csv');
  budget = join(dir, 'budget.json');
  writeFileSync(revenue, ['tenant,month,revenue_usd,plan', ...MONTHLY_REVENUE].join('\n') + '\n');
  writeFileSync(budget, '{"2026-10": 40}');
  const handle = await openReportDb(monthlySpans(), MONTHLY_REVENUE, db);
  handle.close();
});

const runs = new Map<string, CliResult>();

/** The CLI's answer for a report (each distinct command line runs once: spawning the CLI is the slow part). */
async function report(kind: string, ...args: string[]): Promise<CliResult> {
  const key = [kind, ...args].join(' ');
  const cached = runs.get(key);
  if (cached) return cached;
  const extra = kind === 'daily' ? ['--date', '2026-10-02'] : kind === 'weekly' ? ['--week', '2026-W40'] : ['--month', '2026-10', '--budget', budget];
  const result = await runCli(['report', kind, '--db', db, '--revenue', revenue, ...extra, ...args]);
  runs.set(key, result);
  return result;
}

describe('report CLI', () => {
  it.each(['daily', 'weekly', 'monthly'])('%s: md escapes input-derived names and starts with the headline', async (kind) => {
    const r = await report(kind, '--format', 'md');
    // the revenue file given beside the database is loaded (and said so); a window reaching past the data is noted
    expect(r.stderr).toMatch(/^loaded 2 revenue rows of 2 from .*revenue\.csv \(0 skipped\)\n(note: .* reaches past the data \(spans cover 2026-09-30 … 2026-10-10\); totals cover only those days\n)?$/);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('## ')).toBe(true);
    expect(r.stdout.split('\n')[2]?.startsWith('- ')).toBe(true);
    expect(r.stdout).not.toMatch(/(?<!\\)<(img|b)/);
    expect(r.stdout).toContain(kind === 'weekly' ? '\\<b\\>x\\</b\\>' : '\\<img src=x onerror=alert(1)\\>');
  });

  it('daily: the headline names the day, the spend and the biggest mover', async () => {
    const r = await report('daily', '--format', 'md');
    // Oct 2: acme 2 calls × 100k input ($0.60), the hostile tenant 100k input ($0.30); Oct 1 it spent nothing
    expect(r.stdout).toContain('- 2026-10-02: $0.90 spent across 2 tenants and 3 runs');
    expect(r.stdout).toContain('Biggest mover: tenant \\<img src=x onerror=alert(1)\\>, +$0.30 (new) to $0.30.');
  });

  it('daily in Slack mrkdwn: bullets, narrow code-block tables, &, < and > as entities', async () => {
    const r = await report('daily', '--format', 'slack');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('*Daily cost report — 2026-10-02*\n')).toBe(true);
    expect(r.stdout).toContain('• 2026-10-02: $0.90 spent across 2 tenants and 3 runs');
    expect(r.stdout).not.toMatch(/[<>]/); // Slack's control characters, all as entities
    expect(r.stdout).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(r.stdout).not.toMatch(/^\|/m); // no Markdown table
    const blocks = r.stdout.split('```').filter((_, i) => i % 2 === 1);
    expect(blocks.length).toBeGreaterThan(0);
    for (const line of blocks.flatMap((b) => b.split('\n'))) expect([...line.replaceAll(/&(amp|lt|gt);/g, '_')].length).toBeLessThanOrEqual(48);
    expectGolden(join(ROOT, 'test/report/golden/daily.slack'), r.stdout);
  });

  it('json keeps names exact and carries the headline', async () => {
    const r = await report('monthly', '--format', 'json');
    const doc = JSON.parse(r.stdout) as { report: string; tenants: Array<{ tenant: string }>; drivers: Array<{ route: string }>; headline: string[] };
    expect(doc.report).toBe('monthly');
    expect(doc.tenants.map((t) => t.tenant)).toContain(HOSTILE);
    expect(doc.drivers.map((d) => d.route)).toContain(HOSTILE_ROUTE);
    expect(doc.headline[0]).toMatch(/^2026-10: \$18\.36 spent/);
  });

  it('table shows names as plain text', async () => {
    const r = await report('daily', '--format', 'table');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(HOSTILE);
    expect(r.stdout).toContain('Top tenants by spend');
  });

  it('html is one file with the names escaped, written with --out', async () => {
    const out = join(dir, 'monthly.html');
    const r = await report('monthly', '--format', 'html', '--out', out);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/<img|<b>|<script|https?:\/\//);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  it('refuses bad usage with exit 2', async () => {
    expect((await runCli(['report', 'hourly', '--db', db])).code).toBe(2);
    expect((await report('daily', '--format', 'csv')).code).toBe(2);
    expect((await runCli(['report', 'weekly', '--db', db, '--week', '2026-W60'])).code).toBe(2);
  });
});

describe('report monthly with the invoice (built CLI)', () => {
  // the same spans without invoice lines (read with --invoice FILE…, and as a month not reconciled; a read
  // never stores what it is given), and with the invoices ingested
  let unbilled: string;
  let billed: string;
  let invoices: string[];
  beforeAll(async () => {
    const here = tempDir('costattr-report-invoice-');
    invoices = octoberInvoices(here);
    unbilled = join(here, 'unbilled.duckdb');
    billed = join(here, 'billed.duckdb');
    (await openReportDb([...monthlySpans(), ...INVOICE_EXTRA_SPANS], [], unbilled)).close();
    const handle = await openReportDb([...monthlySpans(), ...INVOICE_EXTRA_SPANS], [], billed);
    await ingestInvoiceFiles(handle, invoices);
    handle.close();
  });

  it('--invoice FILE… puts the reconciliation in json, md and html; invoices already in --db are used the same way', async () => {
    const given = await runCli(['report', 'monthly', '--db', unbilled, '--month', '2026-10', ...invoices.flatMap((file) => ['--invoice', file]), '--format', 'json', '--quiet']);
    expect(given.stderr).toBe('');
    expect(given.code).toBe(0);
    const fromFiles = JSON.parse(given.stdout) as { reconcile: { status: string; invoice_usd: number; untraced_usd: number; within_tolerance: boolean; providers: Array<{ provider: string }> } };
    // by hand (fixture.ts octoberInvoices): spans $19.057, billed $1.00 − $0.50 + $2.00 more
    expect(fromFiles.reconcile).toMatchObject({ status: 'reconciled', invoice_usd: 21.557, untraced_usd: 2.5, within_tolerance: false });
    expect(fromFiles.reconcile.providers.map((p) => p.provider)).toEqual(['anthropic', 'openai']);
    const stored = await runCli(['report', 'monthly', '--db', billed, '--month', '2026-10', '--format', 'json']);
    expect(stored.code).toBe(0);
    expect((JSON.parse(stored.stdout) as typeof fromFiles).reconcile).toEqual(fromFiles.reconcile);

    const md = await runCli(['report', 'monthly', '--db', billed, '--month', '2026-10', '--format', 'md', '--tolerance', '5%']);
    expect(md.stdout).toContain('- Unexplained invoice variance $0.50 (2.3% of the invoice): within the 5.0% tolerance.');
    expect(md.stdout).toContain('| all providers | $21.56 | $19.06 | $18.76 | $0.30 | $2.50 |');
    const out = join(tempDir(), 'close.html');
    expect((await runCli(['report', 'monthly', '--db', billed, '--month', '2026-10', '--format', 'html', '--out', out])).code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('Invoice reconciliation by provider');
    expect(html).toContain('over the 2.0% tolerance');
  });

  it('without invoice lines the report says the month is not reconciled; --invoice is refused outside monthly', async () => {
    const md = await runCli(['report', 'monthly', '--db', unbilled, '--month', '2026-10', '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('- No invoice lines for 2026-10: spend is priced from the spans and not reconciled (no invoices are loaded');
    const daily = await runCli(['report', 'daily', '--db', unbilled, '--date', '2026-10-02', ...invoices.flatMap((file) => ['--invoice', file])]);
    expect(daily.code).toBe(2);
    expect(daily.stderr).toContain('--invoice: only report monthly');
    expect((await runCli(['report', 'monthly', '--db', unbilled, '--month', '2026-10', '--tolerance', 'lots'])).code).toBe(2);
  });
});

if (!HAS_CHROMIUM) console.warn(`report HTML browser test SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`);

/** In the page (as text: the tests compile without the DOM library): elements reaching past the viewport. */
const OVERFLOWING = `[...document.body.querySelectorAll('*')]
  .map((el) => ({ el, box: el.getBoundingClientRect() }))
  .filter(({ box }) => box.width > 0 && (box.left < -0.5 || box.right > window.innerWidth + 0.5))
  .map(({ el, box }) => '<' + el.tagName.toLowerCase() + ' class="' + (el.getAttribute('class') ?? '') + '"> ' + Math.round(box.left) + '…' + Math.round(box.right))`;

/** In the page: visible text drawn under 12 px (an SVG text's size is scaled by its chart). */
const SMALL_TEXT = `[...document.body.querySelectorAll('*')]
  .filter((el) => el.tagName.toLowerCase() !== 'title' && [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== ''))
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => ({ text: (el.textContent ?? '').trim().slice(0, 30), px: parseFloat(getComputedStyle(el).fontSize) * (el instanceof SVGGraphicsElement ? (el.getScreenCTM()?.a ?? 1) : 1) }))
  .filter(({ px }) => px < 12 - 1e-6)`;

describe('report HTML in headless Chromium', () => {
  const VIEWPORTS = [{ name: 'desktop', width: 1280, height: 900 }, { name: 'phone', width: 390, height: 844 }] as const;

  it.skipIf(!HAS_CHROMIUM)(`draws every chart with no console errors or network, fits desktop and phone widths with text of 12 px or more (skipped without ${CHROMIUM})`, async () => {
    const { chromium } = await import('playwright-core');
    const shots = join(dir, 'screenshots');
    mkdirSync(shots, { recursive: true });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      for (const kind of ['monthly', 'daily', 'weekly']) {
        const file = join(dir, `${kind}.html`);
        expect((await report(kind, '--format', 'html', '--out', file)).code).toBe(0);
        for (const viewport of VIEWPORTS) {
          const where = `${kind} at ${viewport.width}px`;
          const page = await browser.newPage({ viewport: { width: viewport.width, height: viewport.height } });
          const errors: string[] = [];
          const requests: string[] = [];
          let dialogs = 0;
          page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
          page.on('pageerror', (err) => errors.push(err.message));
          page.on('request', (req) => requests.push(req.url()));
          page.on('dialog', (dialog) => { dialogs++; void dialog.dismiss(); });
          await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
          const charts = kind === 'monthly'
            ? ['chart-spend-trend', 'chart-top-tenants', 'chart-model-mix', 'chart-margin-segments']
            : ['chart-spend-trend', 'chart-top-tenants', 'chart-model-mix'];
          for (const id of charts) {
            const box = await page.locator(`svg#${id}`).boundingBox();
            expect(box?.width ?? 0, `${where} ${id}`).toBeGreaterThan(200);
            expect(await page.locator(`svg#${id} :is(polyline, rect)`).count(), `${where} ${id} has marks`).toBeGreaterThan(0);
          }
          // nothing sticks out of the screen, and the page does not scroll sideways
          const wide = await page.evaluate<string[]>(OVERFLOWING);
          expect(wide, where).toEqual([]);
          expect(await page.evaluate<number>('document.documentElement.scrollWidth'), where).toBeLessThanOrEqual(viewport.width);
          // every visible text at 12 px or more as drawn: SVG text scales with its chart
          const small = await page.evaluate<Array<{ text: string; px: number }>>(SMALL_TEXT);
          expect(small, where).toEqual([]);
          expect(await page.locator('img, b, script').evaluateAll((els) => els.map((e) => e.outerHTML))).toEqual([]);
          expect(await page.locator('body').innerText()).toContain(HOSTILE);
          expect(errors).toEqual([]);
          expect(dialogs).toBe(0);
          expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
          await page.screenshot({ path: join(shots, `report-${kind}-${viewport.name}.png`), fullPage: true });
          await page.close();
        }
      }
    } finally {
      await browser.close();
    }
  });
});
