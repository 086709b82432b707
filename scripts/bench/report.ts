import type { Sizes } from './context';
import type { LevelResult } from './scenarios/throughput';
import type { StormResult } from './scenarios/storm';
import type { SearchResult } from './scenarios/search';
import type { RealtimeResult } from './scenarios/realtime';
import type { OpenBookingsResult } from './scenarios/open-bookings';
import type { InsightsResult } from './scenarios/insights';
import { textHistogram } from './stats';

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  mode: 'quick' | 'full';
  temporalStore: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; freeMemoryGiB: number; node: string; otherJestRuns: number };
  sizes: Sizes;
  scenarios: {
    ceiling?: LevelResult[];
    holds?: LevelResult[];
    /** The same holds through an api with MAIL_OWN_HOLDS=true: every hold mailed, as before issue 22. */
    holdsMailed?: LevelResult[];
    storm?: StormResult;
    search?: SearchResult;
    realtime?: RealtimeResult;
    open?: OpenBookingsResult;
    insights?: InsightsResult;
  };
  mailsAccepted?: number;
  /** Wall-clock seconds of the stack's start and of each scenario that ran: where a run's time goes. */
  seconds?: Record<string, number>;
  failures?: string[];
}

/** Correctness, never timing: what makes the bench (and its test) fail. */
export function collectFailures(r: BenchResults): string[] {
  const failures: string[] = [];
  const { ceiling, holds, holdsMailed, storm, search, realtime, open, insights } = r.scenarios;
  for (const l of ceiling ?? []) if (l.ops === 0) failures.push(`ceiling c=${l.concurrency}: no call succeeded (${JSON.stringify(l.errors)})`);
  for (const l of [...(holds ?? []), ...(holdsMailed ?? [])]) {
    const fivexx = Object.entries(l.errors).filter(([k]) => k.startsWith('5')).reduce((n, [, v]) => n + v, 0);
    if (fivexx) failures.push(`holds c=${l.concurrency}: ${fivexx} answers 5xx (${JSON.stringify(l.errors)})`);
    if (l.ops === 0) failures.push(`holds c=${l.concurrency}: no hold was created (${JSON.stringify(l.errors)})`);
  }
  if (storm) {
    if (storm.serverErrors) failures.push(`conflict storm: ${storm.serverErrors} answers 5xx other than 503 (${JSON.stringify(storm.statuses)})`);
    if (storm.overlaps) failures.push(`conflict storm: ${storm.overlaps} pairs of overlapping active bookings`);
    if (storm.created !== storm.activeRows) failures.push(`conflict storm: ${storm.created} answered 201 but ${storm.activeRows} active rows`);
  }
  if (search) {
    if (search.serverErrors || search.nonOk) failures.push(`availability search: ${search.nonOk} answers not 200 (${search.serverErrors} 5xx)`);
  }
  if (realtime) {
    if (realtime.missed) failures.push(`realtime: ${realtime.missed} of ${realtime.expectedDeliveries} deliveries missed`);
    if (realtime.duplicated) failures.push(`realtime: ${realtime.duplicated} duplicated deliveries`);
    if (realtime.failedChanges) failures.push(`realtime: ${realtime.failedChanges} booking changes did not answer 201`);
  }
  if (open) {
    const fivexx = Object.entries(open.createFailures).filter(([k]) => k.startsWith('5')).reduce((n, [, v]) => n + v, 0);
    if (fivexx) failures.push(`open bookings: ${fivexx} creates answered 5xx (${JSON.stringify(open.createFailures)})`);
    if (open.released !== open.noShows) failures.push(`open bookings: ${open.released} of ${open.noShows} no-shows heard released`);
    if (open.idle && open.idle.released !== open.idle.noShows) failures.push(`open bookings: ${open.idle.released} of ${open.idle.noShows} no-shows heard released with none open`);
  }
  if (insights) {
    if (insights.serverErrors) failures.push(`insights: ${insights.serverErrors} answers 5xx`);
    for (const wrong of insights.wrongAnswers.slice(0, 5)) failures.push(`insights: ${wrong}`);
  }
  return failures;
}

const fmt = (n: number | null | undefined, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits));

function cpuLine(cpu: Record<string, number>): string {
  return Object.entries(cpu).filter(([, v]) => v >= 5).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}%`).join(', ');
}

interface Row { scenario: string; measure: string; value: string; target: string }

function rows(r: BenchResults): Row[] {
  const out: Row[] = [];
  const { ceiling, holds, holdsMailed, storm, search, realtime, open, insights } = r.scenarios;
  for (const l of ceiling ?? []) {
    out.push({ scenario: `1 ceiling c=${l.concurrency}`, measure: 'ops/s · p50/p95/p99 ms', value: `${fmt(l.perSecond)} · ${fmt(l.latency.p50)}/${fmt(l.latency.p95)}/${fmt(l.latency.p99)}`, target: '' });
  }
  const holdRows = [...(holdsMailed ?? []).map((l) => ({ l, name: '2 holds mailed (before)' })), ...(holds ?? []).map((l) => ({ l, name: '2 API holds' }))];
  for (const { l, name } of holdRows) {
    const ref = ceiling?.find((c) => c.concurrency === l.concurrency);
    const ratio = ref ? l.perSecond / ref.perSecond : NaN;
    out.push({
      scenario: `${name} c=${l.concurrency}`,
      measure: 'ops/s · p50/p95/p99 ms · vs ceiling',
      value: `${fmt(l.perSecond)} · ${fmt(l.latency.p50)}/${fmt(l.latency.p95)}/${fmt(l.latency.p99)} · ${fmt(ratio * 100, 0)}%`,
      target: Number.isNaN(ratio) ? '≥70%' : ratio >= 0.7 ? '≥70% ✓' : '≥70% ✗',
    });
  }
  if (storm) {
    out.push({ scenario: '3 conflict storm', measure: 'settle s · 201/409/other · overlaps · 5xx (503)', value: `${fmt(storm.settleSeconds, 2)} · ${storm.created}/${storm.conflicts}/${storm.other} · ${storm.overlaps} · ${storm.serverErrors} (${storm.unavailable ?? 0})`, target: storm.overlaps || storm.serverErrors ? '0 overlaps, 0 5xx but 503 ✗' : '0 overlaps, 0 5xx but 503 ✓' });
  }
  if (search) {
    out.push({ scenario: '4 search API', measure: 'p50/p99 ms', value: `${fmt(search.api.p50, 2)}/${fmt(search.api.p99, 2)}`, target: search.api.p99 < 20 ? 'p99 <20 ✓' : 'p99 <20 ✗' });
    out.push({ scenario: '4 search raw SQL', measure: 'p50/p99 ms · API/SQL at p50, p99', value: `${fmt(search.sql.p50, 2)}/${fmt(search.sql.p99, 2)} · ${fmt(search.ratioP50, 2)}×, ${fmt(search.ratioP99, 2)}×`, target: search.ratioP99 <= 2 ? '≤2× ✓' : '≤2× ✗' });
  }
  if (realtime) {
    out.push({ scenario: '5 realtime', measure: 'all subscribers p50/p99 ms · missed · dup', value: `${fmt(realtime.allSubscribers.p50)}/${fmt(realtime.allSubscribers.p99)} · ${realtime.missed} · ${realtime.duplicated}`, target: realtime.allSubscribers.p99 < 50 && !realtime.missed && !realtime.duplicated ? 'p99 <50, 0 lost ✓' : 'p99 <50, 0 lost ✗' });
    if (realtime.fromRequest) {
      out.push({ scenario: '5 realtime', measure: 'from the request p50/p99 ms · before the 2xx', value: `${fmt(realtime.fromRequest.p50)}/${fmt(realtime.fromRequest.p99)} · ${realtime.beforeAnswer} of ${realtime.perDelivery.count}`, target: '' });
    }
  }
  if (open) {
    out.push({ scenario: '6 open bookings', measure: 'create s (/s) · RSS MiB worker/temporal', value: `${open.openBookings} in ${fmt(open.createSeconds)} (${fmt(open.createPerSecond)}) · ${open.rss.worker}/${open.rss.temporal ?? '–'}`, target: '' });
    const peak = (key: 'workerRss' | 'temporalRss') => Math.max(...open.memory.map((p) => p[key] ?? 0));
    if (open.memory.length) out.push({ scenario: '6 open bookings', measure: 'peak RSS MiB worker/temporal while creating', value: `${peak('workerRss')}/${peak('temporalRss') || '–'}`, target: '' });
    if (open.search) out.push({ scenario: '6 search, all open', measure: 'p50/p99 ms', value: `${fmt(open.search.p50, 0)}/${fmt(open.search.p99, 0)}`, target: '' });
    if (open.idle) out.push({ scenario: '6 no-show release, none open', measure: 'late p50/p99 ms (heard) · workflow p99', value: `${fmt(open.idle.lateness.p50, 0)}/${fmt(open.idle.lateness.p99, 0)} · ${fmt(open.idle.workflowLateness.p99, 0)}`, target: '' });
    for (const [name, run] of [['none open', open.idle], ['all open', open]] as const) {
      const p = run?.phases;
      if (p) out.push({ scenario: `6 release phases, ${name}`, measure: 'p99 ms timer fired · queued · task (sticky/normal)', value: `${fmt(p.fired.p99, 0)} · ${fmt(p.queued.p99, 0)} · ${fmt(p.task.p99, 0)} (${p.sticky}/${p.normal})`, target: '' });
    }
    out.push({ scenario: '6 no-show release', measure: 'late p50/p99 ms (heard) · workflow p99', value: `${fmt(open.lateness.p50, 0)}/${fmt(open.lateness.p99, 0)} · ${fmt(open.workflowLateness.p99, 0)}`, target: open.lateness.p99 < 1000 ? 'p99 <1000 ✓' : 'p99 <1000 ✗' });
  }
  for (const s of insights?.shapes ?? []) {
    out.push({ scenario: `8 insights ${s.shape}`, measure: `p50/p95/p99 ms (${s.requests})`, value: `${fmt(s.latency.p50)}/${fmt(s.latency.p95)}/${fmt(s.latency.p99)}`, target: s.latency.p95 < 200 ? 'p95 <200 ✓' : 'p95 <200 ✗' });
  }
  return out;
}

export function renderTable(r: BenchResults): string {
  const all = rows(r);
  const widths = (['scenario', 'measure', 'value', 'target'] as const).map((k) => Math.max(k.length, ...all.map((row) => row[k].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(['scenario', 'measure', 'value', 'target']), widths.map((w) => '-'.repeat(w)).join('  '), ...all.map((row) => line([row.scenario, row.measure, row.value, row.target]))].join('\n');
}

export function renderMarkdown(r: BenchResults, svgName: string): string {
  const md: string[] = [];
  md.push(`# Roombook benchmark, ${r.mode} run of ${r.startedAt}`, '');
  md.push(`Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; Temporal store: ${r.temporalStore}; other jest runs at start: ${r.machine.otherJestRuns}.`, '');
  md.push('| scenario | measure | value | target |', '|---|---|---|---|');
  for (const row of rows(r)) md.push(`| ${row.scenario} | ${row.measure} | ${row.value} | ${row.target} |`);
  md.push('', r.failures?.length ? `**Correctness failures:**\n${r.failures.map((f) => `- ${f}`).join('\n')}` : 'Correctness: no 5xx, no overlapping active bookings, no missed or duplicated realtime event.', '');
  md.push('## CPU while each scenario ran (% of one core; 200% = both cores)', '');
  const { ceiling, holds, holdsMailed, storm, search, realtime, open, insights } = r.scenarios;
  for (const l of ceiling ?? []) md.push(`- ceiling c=${l.concurrency}: ${cpuLine(l.cpu)}`);
  for (const l of holdsMailed ?? []) md.push(`- holds mailed (before) c=${l.concurrency}: ${cpuLine(l.cpu)}`);
  for (const l of holds ?? []) md.push(`- holds c=${l.concurrency}: ${cpuLine(l.cpu)}`);
  if (storm) md.push(`- conflict storm: ${cpuLine(storm.cpu)}`);
  if (search) md.push(`- search: ${cpuLine(search.cpu)}`);
  if (realtime) md.push(`- realtime: ${cpuLine(realtime.cpu)}`);
  if (open) md.push(`- creating open bookings: ${cpuLine(open.cpuCreate)}`, `- no-show releases: ${cpuLine(open.cpuRelease)}`);
  if (insights) md.push(`- insights: ${cpuLine(insights.cpu)} (load average ${insights.loadAverage.before[0].toFixed(1)} before, ${insights.loadAverage.after[0].toFixed(1)} after)`);
  md.push('', '## Latency distributions', '', `![latency distributions](${svgName})`, '');
  const hist = (title: string, samples: number[]) => md.push(`### ${title}`, '', '```', textHistogram(samples), '```', '');
  const topHolds = holds?.[holds.length - 1];
  const topCeiling = ceiling?.[ceiling.length - 1];
  if (topCeiling) hist(`Ceiling, concurrency ${topCeiling.concurrency}`, topCeiling.samples);
  if (topHolds) hist(`API holds, concurrency ${topHolds.concurrency}`, topHolds.samples);
  if (search) { hist('Availability search through the API', search.apiSamples); hist('Availability search as raw SQL', search.sqlSamples); }
  if (realtime) hist('Realtime: 2xx to the last subscriber', realtime.allSamples);
  if (realtime?.fromRequestSamples) hist('Realtime: request sent to the last subscriber', realtime.fromRequestSamples);
  if (open) hist('No-show release lateness (deadline to heard)', open.latenessSamples);
  if (insights) for (const s of insights.shapes) hist(`Insights: ${s.shape}`, s.samples);
  if (search) md.push('## Search plan (one sample window)', '', '```', search.plan, '```', '');
  if (insights) md.push(`Insights data set: ${insights.rooms} rooms, ${insights.days} days, ${insights.bookings} bookings, ${insights.events} events in database ${insights.database}${insights.loadSeconds ? ` (made in ${insights.loadSeconds} s)` : ' (reused)'}.`, '');
  if (open) md.push(`Open bookings: ${open.running ?? '?'} booking workflows running after the creates; RSS MiB before ${JSON.stringify(open.rssBefore)}, after ${JSON.stringify(open.rss)}.`, '');
  if (open?.memory.length) {
    md.push('## Memory while the open bookings were created', '', '| open | s | /s | worker RSS MiB | heap used · total MiB | external MiB | cached workflows | Temporal RSS MiB |', '|---|---|---|---|---|---|---|---|');
    for (const p of open.memory) md.push(`| ${p.open} | ${fmt(p.seconds, 0)} | ${fmt(p.rate)} | ${p.workerRss} | ${fmt(p.heapUsed, 0)} · ${fmt(p.heapTotal, 0)} | ${fmt(p.external, 0)} | ${p.cachedWorkflows ?? '–'} | ${p.temporalRss ?? '–'} |`);
    md.push('');
  }
  return md.join('\n');
}
