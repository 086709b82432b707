import type { Client } from '@temporalio/client';
import type { MetricMeter } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Transporter } from 'nodemailer';
import type { BookingEvent } from '../shared/booking-messages';
import type { Config } from '../config';
import type { Logger } from '../infra/logger';
import type { Redis } from '../infra/redis';

/** Built by the worker and injected into every activity factory. */
export interface ActivityDeps {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  redis: Redis;
  /** For activities that start workflows (a rescheduled booking's new slot). */
  temporal: Client;
  /** The worker runtime's meter: custom metrics go out on the worker's Prometheus endpoint. */
  meter: MetricMeter;
  /** Outgoing mail (SMTP_URL). */
  mailer: Transporter;
  /** Relays a booking event to Socket.IO clients and room displays (through Redis). */
  publishBookingEvent?: (event: BookingEvent) => Promise<void>;
}
