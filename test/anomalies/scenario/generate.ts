/**
 * A labelled, seeded anomaly scenario (separate from `costattr demo`): four weeks of multi-tenant
 * agent traffic as canonical `spans` rows, with anomalies injected at known tenants/routes/windows
 * (the ground truth) and clean look-alikes that must stay quiet (the controls).
 *
 * Traffic has a weekly season (weekends at half volume). Injected: a tool loop (one tenant, 18 days),
 * a tool loop inside tenant-less traffic (3 days), prompt growth on a route, a memory runaway, a
 * cache-miss storm on a route with a healthy ~80% hit rate and one on a route whose normal is only
 * 40–60%, a step escalation on a busy tenant, a quiet escalation of a two-runs-a-day tenant to a
 * model 22–40× pricier for the last week, a gradual escalation (a model's share ramping over 8 days),
 * and a one-day spend spike. Controls: a long session with bounded memory, a planned cheap model change
 * on a low-volume route, a weekend dip in volume, batch lookups of one tool with different arguments,
 * a route whose 40–60% hit rate drifts day to day and dips at weekends, a route whose 8–16% normal
 * dips to 1–4% (under half, but not 20 points), tenants with a run or two a day, and a low-volume
 * tenant that alternates between a cheap and a costly model at random.
 */
import type { AnomalyKind } from '../../../src/analysis/anomalies/index.js';
import { UNATTRIBUTED } from '../../../src/db/schema.js';
import { batchLookupTrace, Builder, cleanTrace, conversation, dayString, isWeekend, loopTrace, MODELS, type Route, type TrafficDay } from './builder.js';

export { dayString, MODELS, START_DAY, type SpanRow } from './builder.js';
import type { SpanRow } from './builder.js';

export const DAYS = 28;

/** What was injected, where: the ground truth findings are checked against. */
export interface Injection {
  kind: AnomalyKind;
  tenant: string | null;
  route: string | null;
  /** First affected day, `YYYY-MM-DD`; the finding's window must start here… */
  startDay: string;
  /** …or up to this many days later (a gradual change has no single first day). */
  startSlackDays: number;
  /** Day after the last affected day. */
  endDay: string;
  /** The injected traces, when the injection is made of whole traces. */
  traceIds: string[];
}

/** A clean look-alike: no finding may name its tenant/route in its window. */
export interface Control {
  name: string;
  tenant: string | null;
  route: string | null;
  startDay: string;
  endDay: string;
}

export interface Scenario {
  spans: SpanRow[];
  injections: Injection[];
  controls: Control[];
}

const ROUTES: readonly Route[] = [
  { route: '/triage', weight: 0.35, prompt: 6000, model: MODELS.sonnet },
  { route: '/summary', weight: 0.25, prompt: 5000, model: MODELS.sonnet },
  { route: '/report', weight: 0.2, prompt: 8000, model: MODELS.sonnet },
  { route: '/search', weight: 0.2, prompt: 4000, model: MODELS.haiku },
];

/** Routes of the chat product, whose prompts cache poorly: hit rates of 40–60%, or 8–16%. */
const CHAT_ROUTES: readonly Route[] = [
  { route: '/chat', weight: 0.4, prompt: 4000, model: MODELS.sonnet },
  { route: '/faq', weight: 0.3, prompt: 3000, model: MODELS.haiku },
  { route: '/lookup', weight: 0.3, prompt: 3000, model: MODELS.haiku },
];

export const INJECTED = {
  loopTenant: 'loopco',
  loopFromDay: 10,
  escalationTenant: 'pricier',
  escalationFromDay: 15,
  spikeTenant: 'spiky',
  spikeDay: 17,
  runawayTenant: 't04',
  runawayRoute: '/summary',
  runawayDay: 12,
  stormRoute: '/search',
  stormDay: 22,
  bloatRoute: '/report',
  bloatFromDay: 14,
  chatStormRoute: '/chat',
  chatStormDay: 24,
  quietTenant: 'tinyco',
  quietRoute: '/extract',
  quietFromDay: 21,
  rampTenant: 'rampco',
  rampRoute: '/summary',
  rampFromDay: 16,
  rampDays: 8,
  webhookRoute: '/webhook',
  webhookLoopFromDay: 22,
  webhookLoopDays: 3,
  longSessionTenant: 'longtalk',
  lowVolumeRoute: '/legal',
  lowVolumeTenant: 't05',
  plannedChangeDay: 10,
  weekendTenant: 'weekendco',
  noisyCacheRoute: '/faq',
  lowCacheRoute: '/lookup',
  lowCacheDipDay: 20,
  smallTenants: ['small1', 'small2'],
  mixedTenant: 'mixco',
} as const;

const NORMAL_TENANTS = ['t01', 't02', 't03', 't04', 't05', 't06', INJECTED.loopTenant, INJECTED.spikeTenant, INJECTED.weekendTenant, INJECTED.longSessionTenant];
const CHAT_TENANTS = ['c01', 'c02', 'c03', 'c04', 'c05', 'c06'];
const TRACES_PER_DAY = 16;
const CHAT_TRACES_PER_DAY = 24;
/** Weekend traffic as a share of a weekday's. */
const WEEKEND = 0.5;

function pickRoute(b: Builder, routes: readonly Route[]): Route {
  let r = b.rand();
  for (const route of routes) {
    if (r < route.weight) return route;
    r -= route.weight;
  }
  return routes[routes.length - 1] as Route;
}

interface Truth {
  loopTraces: string[];
  runawayTraces: string[];
  webhookLoopTraces: string[];
  /** The quiet tenant's first day with a run on the pricier model (a Poisson day may have none). */
  quietFirstDay: number;
}

/** The original month: four routes, ten tenants, the step escalation, loop, spike, storm, bloat, runaway. */
function coreTraffic(b: Builder, truth: Truth): void {
  const healthy = () => b.between(0.75, 0.88);
  const storm = () => b.between(0.05, 0.2);
  for (let day = 0; day < DAYS; day++) {
    for (const tenant of [...NORMAL_TENANTS, INJECTED.escalationTenant]) {
      let count = TRACES_PER_DAY * b.between(0.96, 1.04) * (isWeekend(day) ? WEEKEND : 1);
      if (tenant === INJECTED.escalationTenant) count = 40;
      if (tenant === INJECTED.weekendTenant && isWeekend(day)) count *= 0.5;
      if (tenant === INJECTED.spikeTenant && day === INJECTED.spikeDay) count *= 5;
      for (let i = 0; i < Math.round(count); i++) {
        const route: Route = tenant === INJECTED.escalationTenant ? (ROUTES[0] as Route) : pickRoute(b, ROUTES);
        const escalated = tenant === INJECTED.escalationTenant && day >= INJECTED.escalationFromDay;
        const traffic: TrafficDay = {
          day, tenant, route,
          model: escalated ? MODELS.opus : route.model,
          promptScale: route.route === INJECTED.bloatRoute && day >= INJECTED.bloatFromDay ? 1.35 : 1,
          hitRate: route.route === INJECTED.stormRoute && day === INJECTED.stormDay ? storm : healthy,
        };
        const at = b.between(8 * 3600, 20 * 3600);
        if (tenant === INJECTED.loopTenant && day >= INJECTED.loopFromDay && route.route === '/triage' && b.rand() < 0.8) truth.loopTraces.push(loopTrace(b, traffic, at));
        else if (b.rand() < 0.05) batchLookupTrace(b, traffic, at);
        else cleanTrace(b, traffic, at);
      }
    }
    // a low-volume route with a planned, cheap model change (sonnet → opus 4.5), two runs a day
    const legal: Route = { route: INJECTED.lowVolumeRoute, weight: 0, prompt: 7000, model: MODELS.sonnet };
    for (let i = 0; i < 2; i++) {
      cleanTrace(b, { day, tenant: INJECTED.lowVolumeTenant, route: legal, model: day >= INJECTED.plannedChangeDay ? MODELS.opus : MODELS.sonnet, promptScale: 1, hitRate: healthy }, b.between(9 * 3600, 17 * 3600));
    }
  }
  const summary = ROUTES[1] as Route;
  // legitimately long sessions, one a day: 40 turns, memory summarised every 5 turns (bounded)
  for (let day = 0; day < DAYS; day++) {
    conversation(b, { day, tenant: INJECTED.longSessionTenant, route: summary, model: summary.model, promptScale: 1, hitRate: healthy }, 9 * 3600, 40, (turn) => 1100 + 350 * (turn % 5));
  }
  // memory runaway: three sessions whose history is never trimmed
  for (let s = 0; s < 3; s++) {
    truth.runawayTraces.push(...conversation(b, { day: INJECTED.runawayDay, tenant: INJECTED.runawayTenant, route: summary, model: summary.model, promptScale: 1, hitRate: healthy }, (10 + s * 2) * 3600, 25, (turn) => 1000 + 1500 * turn));
  }
}

/** The chat product: routes at 40–60% (`/chat`, `/faq`) and 8–16% (`/lookup`) hit rates. */
function chatTraffic(b: Builder): void {
  for (let day = 0; day < DAYS; day++) {
    const faqDrift = b.between(-0.06, 0.06);
    const hitRate: Record<string, () => number> = {
      '/chat': day === INJECTED.chatStormDay ? () => b.between(0.02, 0.08) : () => b.between(0.4, 0.6),
      '/faq': isWeekend(day) ? () => b.between(0.28, 0.38) : () => b.between(0.42, 0.58) + faqDrift,
      '/lookup': day === INJECTED.lowCacheDipDay ? () => b.between(0.01, 0.04) : () => b.between(0.08, 0.16),
    };
    for (const tenant of CHAT_TENANTS) {
      const count = Math.round(CHAT_TRACES_PER_DAY * b.between(0.9, 1.1) * (isWeekend(day) ? 0.6 : 1));
      for (let i = 0; i < count; i++) {
        const route = pickRoute(b, CHAT_ROUTES);
        cleanTrace(b, { day, tenant, route, model: route.model, promptScale: 1, hitRate: hitRate[route.route] ?? (() => 0.5) }, b.between(7 * 3600, 22 * 3600));
      }
    }
  }
}

/** Low-volume tenants: the quiet escalation, the gradual one, small clean tenants, a random model mix. */
function lowVolumeTraffic(b: Builder, truth: Truth): void {
  const healthy = () => b.between(0.6, 0.75);
  const extract: Route = { route: INJECTED.quietRoute, weight: 0, prompt: 20000, model: MODELS.mini };
  const summary = ROUTES[1] as Route;
  const mixed: Route = { route: '/research', weight: 0, prompt: 30000, model: MODELS.mini };
  for (let day = 0; day < DAYS; day++) {
    // two runs a day (Poisson) of a cheap model, then 22–40× pricier for the last week
    for (let i = b.poisson(2); i > 0; i--) {
      const model = day >= INJECTED.quietFromDay ? MODELS.flagship : MODELS.mini;
      if (model === MODELS.flagship) truth.quietFirstDay = Math.min(truth.quietFirstDay, day);
      cleanTrace(b, { day, tenant: INJECTED.quietTenant, route: extract, model, promptScale: 1, hitRate: healthy }, b.between(9 * 3600, 18 * 3600));
    }
    // a model's share ramping up over rampDays: exactly round(share × runs) runs on it each day
    const runs = Math.round(14 * (isWeekend(day) ? WEEKEND : 1));
    const share = day < INJECTED.rampFromDay ? 0 : Math.min(1, (day - INJECTED.rampFromDay + 1) / INJECTED.rampDays);
    const moved = Math.round(share * runs);
    for (let i = 0; i < runs; i++) {
      cleanTrace(b, { day, tenant: INJECTED.rampTenant, route: summary, model: i < moved ? MODELS.opusOld : MODELS.sonnet, promptScale: 1, hitRate: healthy }, b.between(8 * 3600, 20 * 3600));
    }
    for (const tenant of INJECTED.smallTenants) {
      for (let i = b.poisson(1.5); i > 0; i--) {
        const route = pickRoute(b, ROUTES);
        cleanTrace(b, { day, tenant, route, model: route.model, promptScale: 1, hitRate: healthy }, b.between(8 * 3600, 20 * 3600));
      }
    }
    // costly runs, cheap or flagship model at random: chance, not a change
    for (let i = b.poisson(2); i > 0; i--) {
      cleanTrace(b, { day, tenant: INJECTED.mixedTenant, route: mixed, model: b.rand() < 0.5 ? MODELS.flagship : MODELS.mini, promptScale: 1, hitRate: healthy }, b.between(8 * 3600, 20 * 3600));
    }
  }
}

/** Tenant-less webhook traffic, looping for a few days. */
function webhookTraffic(b: Builder, truth: Truth): void {
  const route: Route = { route: INJECTED.webhookRoute, weight: 0, prompt: 3000, model: MODELS.haiku };
  const healthy = () => b.between(0.7, 0.85);
  for (let day = 0; day < DAYS; day++) {
    const looping = day >= INJECTED.webhookLoopFromDay && day < INJECTED.webhookLoopFromDay + INJECTED.webhookLoopDays;
    const count = Math.round(10 * b.between(0.9, 1.1) * (isWeekend(day) ? WEEKEND : 1));
    for (let i = 0; i < count; i++) {
      const traffic: TrafficDay = { day, tenant: null, route, model: route.model, promptScale: 1, hitRate: healthy };
      const at = b.between(6 * 3600, 23 * 3600);
      if (looping && b.rand() < 0.6) truth.webhookLoopTraces.push(loopTrace(b, traffic, at, 'fetch_order'));
      else cleanTrace(b, traffic, at);
    }
  }
}

export function generateScenario(seed = 42): Scenario {
  const b = new Builder(seed);
  const truth: Truth = { loopTraces: [], runawayTraces: [], webhookLoopTraces: [], quietFirstDay: DAYS };
  coreTraffic(b, truth);
  chatTraffic(b);
  lowVolumeTraffic(b, truth);
  webhookTraffic(b, truth);
  return { spans: b.spans, injections: injections(truth), controls: controls() };
}

function injection(kind: AnomalyKind, tenant: string | null, route: string | null, from: number, to: number, traceIds: string[] = [], startSlackDays = 0): Injection {
  return { kind, tenant, route, startDay: dayString(from), startSlackDays, endDay: dayString(to), traceIds };
}

function injections(truth: Truth): Injection[] {
  const I = INJECTED;
  return [
    injection('tool_loop', I.loopTenant, '/triage', I.loopFromDay, DAYS, truth.loopTraces),
    injection('tool_loop', UNATTRIBUTED, I.webhookRoute, I.webhookLoopFromDay, I.webhookLoopFromDay + I.webhookLoopDays, truth.webhookLoopTraces),
    injection('prompt_bloat', null, I.bloatRoute, I.bloatFromDay, DAYS),
    injection('memory_runaway', I.runawayTenant, I.runawayRoute, I.runawayDay, I.runawayDay + 1, truth.runawayTraces),
    injection('cache_miss_storm', null, I.stormRoute, I.stormDay, I.stormDay + 1),
    injection('cache_miss_storm', null, I.chatStormRoute, I.chatStormDay, I.chatStormDay + 1),
    injection('model_escalation', I.escalationTenant, '/triage', I.escalationFromDay, DAYS),
    injection('model_escalation', I.quietTenant, I.quietRoute, truth.quietFirstDay, DAYS),
    // the share crosses any sensible minimum shift within the first days of the ramp
    injection('model_escalation', I.rampTenant, I.rampRoute, I.rampFromDay, DAYS, [], 2),
    injection('spend_spike', I.spikeTenant, null, I.spikeDay, I.spikeDay + 1),
  ];
}

function controls(): Control[] {
  const I = INJECTED;
  const start = dayString(0);
  const end = dayString(DAYS);
  return [
    { name: 'long session with bounded memory', tenant: I.longSessionTenant, route: null, startDay: start, endDay: end },
    { name: 'planned cheap model change on a low-volume route', tenant: null, route: I.lowVolumeRoute, startDay: start, endDay: end },
    { name: 'weekend dip in volume', tenant: I.weekendTenant, route: null, startDay: start, endDay: end },
    { name: '40–60% hit rate drifting day to day and dipping at weekends', tenant: null, route: I.noisyCacheRoute, startDay: start, endDay: end },
    { name: '8–16% hit rate dipping under half (not 20 points)', tenant: null, route: I.lowCacheRoute, startDay: start, endDay: end },
    ...I.smallTenants.map((tenant) => ({ name: `low-volume tenant ${tenant}`, tenant, route: null, startDay: start, endDay: end })),
    { name: 'low-volume tenant on a random cheap/costly model mix', tenant: I.mixedTenant, route: null, startDay: start, endDay: end },
  ];
}
