import { Gauge, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { countTickets } from '../../db/repositories/tickets';
import { TICKET_SEVERITIES, TICKET_STATUSES } from '../../shared/ticket-lifecycle';

/**
 * Ticket gauges on the api's /metrics, read from the tickets table at each scrape: the table is the
 * whole truth (every worker writes it), so any api process reports the same numbers.
 */
export function registerTicketMetrics(registry: Registry, db: DataSource): void {
  new Gauge({
    name: 'roombook_tickets',
    help: 'Tickets by severity and status',
    labelNames: ['severity', 'status'] as const,
    registers: [registry],
    async collect() {
      const rows = await countTickets(db);
      for (const severity of TICKET_SEVERITIES)
        for (const status of TICKET_STATUSES)
          this.set({ severity, status }, rows.find((r) => r.severity === severity && r.status === status)?.total ?? 0);
    },
  });
  new Gauge({
    name: 'roombook_tickets_sla_breached',
    help: 'Tickets that missed a service level (acknowledge or resolve), by severity',
    labelNames: ['severity'] as const,
    registers: [registry],
    async collect() {
      const rows = await countTickets(db);
      for (const severity of TICKET_SEVERITIES)
        this.set(
          { severity },
          rows.filter((r) => r.severity === severity).reduce((sum, r) => sum + r.breached, 0),
        );
    },
  });
}
