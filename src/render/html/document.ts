/**
 * One self-contained HTML page for a report: inline CSS, charts as inline SVG, tables from the same
 * table models as the terminal and Markdown formats. No script, no external resource (a strict
 * Content-Security-Policy says so to the browser too). Every text passes through escapeHtml.
 * Readable on a phone: no text under 12 px, and on narrow screens each table row becomes a card of
 * "header: value" lines (data-label), so nothing is wider than the screen.
 */
import { displayCell, isNumeric, type TableModel } from '../model.js';
import { renderChart, type Chart } from './charts.js';
import { escapeHtml } from './escape.js';

export interface Figure {
  label: string;
  value: string;
  /** A second line under the value (e.g. the change). */
  detail?: string;
  tone?: 'good' | 'bad' | 'neutral';
}

export interface HtmlReport {
  title: string;
  subtitle: string;
  headline: string[];
  figures: Figure[];
  charts: Chart[];
  tables: TableModel[];
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f1f5f9;color:#0f172a;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 20px 48px}
header h1{margin:0;font-size:24px}
header p{margin:4px 0 0;color:#64748b}
.headline{background:#fff;border-left:4px solid #2563eb;border-radius:8px;padding:12px 18px;margin:18px 0;box-shadow:0 1px 2px #0f172a14}
.headline li{margin:4px 0}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:18px 0}
.figure{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0f172a14}
.figure .label{color:#64748b;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.figure .value{font-size:22px;font-weight:600;margin-top:2px}
.figure .detail{font-size:12px;color:#64748b}
.figure.good .detail{color:#059669}.figure.bad .detail{color:#dc2626}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(440px,100%),1fr));gap:16px}
section.card{background:#fff;border-radius:8px;padding:14px 18px;margin:16px 0;box-shadow:0 1px 2px #0f172a14;overflow-x:auto}
.charts section.card{margin:0}
h2{font-size:16px;margin:0 0 10px}
svg.chart{width:100%;height:auto;display:block}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:6px 10px;border-bottom:1px solid #e2e8f0;text-align:left;white-space:nowrap}
td.text{white-space:normal;overflow-wrap:break-word}
th{font-size:12px;color:#64748b;font-weight:600;background:#f8fafc}
th.num,td.num{text-align:right}
tr:hover td{background:#f8fafc}
.notes{color:#92400e;font-size:13px;margin:8px 0 0;padding-left:18px}
footer{color:#64748b;font-size:12px;margin-top:28px}
@media (max-width:600px){
main{padding:16px 12px 32px}
section.card{padding:12px;overflow-x:visible}
.headline{padding:10px 12px 10px 28px}
.figures{grid-template-columns:repeat(2,minmax(0,1fr))}
table,tbody,tr,td{display:block;width:100%}
thead{display:none}
tr{padding:6px 0;border-bottom:1px solid #e2e8f0}
td,td.text{display:flex;justify-content:space-between;gap:12px;padding:2px 0;border:0;white-space:normal;text-align:right;overflow-wrap:anywhere}
td::before{content:attr(data-label);color:#64748b;font-size:12px;text-align:left;flex:none;max-width:45%}
}
`;

function tableHtml(model: TableModel): string {
  const head = model.columns.map((c) => `<th class="${isNumeric(c.kind) ? 'num' : 'text'}">${escapeHtml(c.header)}</th>`).join('');
  const body = model.rows.map((row) => `<tr>${model.columns.map((c) => `<td class="${isNumeric(c.kind) ? 'num' : 'text'}" data-label="${escapeHtml(c.header)}">${escapeHtml(displayCell(row[c.key] ?? null, c.kind))}</td>`).join('')}</tr>`).join('\n');
  const notes = model.notes.length > 0 ? `<ul class="notes">${model.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  return `<section class="card">${model.title ? `<h2>${escapeHtml(model.title)}</h2>` : ''}<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${notes}</section>`;
}

function figureHtml(figure: Figure): string {
  const detail = figure.detail ? `<div class="detail">${escapeHtml(figure.detail)}</div>` : '';
  return `<div class="figure ${figure.tone ?? 'neutral'}"><div class="label">${escapeHtml(figure.label)}</div><div class="value">${escapeHtml(figure.value)}</div>${detail}</div>`;
}

export function renderHtmlReport(report: HtmlReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(report.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header><h1>${escapeHtml(report.title)}</h1><p>${escapeHtml(report.subtitle)}</p></header>
<ul class="headline">${report.headline.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>
<div class="figures">${report.figures.map(figureHtml).join('')}</div>
<div class="charts">
${report.charts.map((chart) => `<section class="card"><h2>${escapeHtml(chart.title)}</h2>${renderChart(chart)}</section>`).join('\n')}
</div>
${report.tables.map(tableHtml).join('\n')}
<footer>Generated by costattr. Money in USD at list prices from the price book; shares and rates as percentages.</footer>
</main>
</body>
</html>
`;
}
