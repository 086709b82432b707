import type { InsightsReport, RoomInsights } from '../domain/insights';

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const percent = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)} %`);
const hours = (v: number) => `${v.toFixed(1)} h`;

/** The rooms with the worst ghost rates (no-shows first among equals), only those with a rate. */
export function worstGhostRooms(report: InsightsReport, count: number): RoomInsights[] {
  return report.rooms
    .filter((r) => r.ghostRate !== null && r.noShows > 0)
    .sort((a, b) => (b.ghostRate ?? 0) - (a.ghostRate ?? 0) || b.noShows - a.noShows || a.name.localeCompare(b.name))
    .slice(0, count);
}

/**
 * The weekly insights mail: headline figures and the worst ghost rates, the same content in plain
 * text and HTML. It carries no link: the page (/insights) asks for a sign-in, and a mailed link
 * that acts would have to be signed and single-use.
 */
export function renderWeeklyInsights(report: InsightsReport, worstRooms: number): RenderedDigest {
  const t = report.totals;
  const week = `${report.from.slice(0, 10)} to ${report.to.slice(0, 10)}`;
  const facts: [string, string][] = [
    ['Bookings', String(t.bookings)],
    ['Booked hours', hours(t.bookedHours)],
    ['Used hours', hours(t.usedHours)],
    ['Utilization', percent(t.utilization)],
    ['No-shows', String(t.noShows)],
    ['Ghost rate', percent(t.ghostRate)],
    ['Released hours', hours(t.releasedHours)],
    ['Rebooked hours', hours(t.rebookedHours)],
    ['Recovered hours', hours(t.recoveredHours)],
    ['Late cancellations', String(t.lateCancellations)],
  ];
  const worst = worstGhostRooms(report, worstRooms).map((r): [string, string] => [
    `${r.building} · ${r.name}`,
    `${percent(r.ghostRate)} (${r.noShows} no-shows of ${r.bookings})`,
  ]);
  const subject = `Room insights, week ${week}: ghost rate ${percent(t.ghostRate)}, utilization ${percent(t.utilization)}`;
  const line = ([label, value]: [string, string]) => `${label}: ${value}`;
  const text = [
    `How the rooms were used from ${week} (UTC).`,
    '',
    ...facts.map(line),
    '',
    worst.length > 0 ? 'Worst ghost rates:' : 'No no-shows this week.',
    ...worst.map(line),
    '',
    'The charts are on the insights page (/insights) of Roombook.',
  ].join('\n');
  const rows = (pairs: [string, string][]) =>
    pairs.map(([l, v]) => `<tr><th align="left">${escapeHtml(l)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const html = `<p>How the rooms were used from ${escapeHtml(week)} (UTC).</p><table>${rows(facts)}</table>${
    worst.length > 0 ? `<h3>Worst ghost rates</h3><table>${rows(worst)}</table>` : '<p>No no-shows this week.</p>'
  }<p>The charts are on the insights page (/insights) of Roombook.</p>`;
  return { subject, text, html };
}
