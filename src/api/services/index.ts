import { createTokenVerifier } from '../auth/verifier';
import type { TokenVerifier } from '../../domain/principal';
import type { AppDeps } from '../deps';
import { AccountService } from '../../identity/account-service';
import { createModerationAlerts } from '../../reviews/moderation-alerts';
import { ReviewService } from '../../reviews/review-service';
import { readRoomStatus, type VersionedRoomStatus } from '../../realtime/room-status';
import { AuthService } from './auth-service';
import { BookingService } from './booking-service';
import { IdempotencyService } from './idempotency';
import { InsightsService } from './insights-service';
import { MailLinkService } from './mail-links';
import { SeriesService } from './series-service';
import { WaitlistService } from './waitlist-service';
import { WebhookService } from './webhook-service';
import { registerTicketMetrics } from './ticket-metrics';
import { TicketService } from './ticket-service';
import { OutageService } from './outage-service';

/** Every service the entry points call (routes, the socket server, mailed links), built once per process. */
export interface ApiServices {
  verifier: TokenVerifier;
  bookings: BookingService;
  series: SeriesService;
  idempotency: IdempotencyService;
  accounts: AccountService;
  auth: AuthService;
  mailLinks: MailLinkService;
  reviews: ReviewService;
  waitlist: WaitlistService;
  insights: InsightsService;
  webhooks: WebhookService;
  tickets: TicketService;
  outages: OutageService;
  /** A room's live status with its version, for REST and for room:subscribe. */
  roomStatus(roomId: string): Promise<VersionedRoomStatus | undefined>;
}

/**
 * The API's composition root: the one place services are made from the process's dependencies
 * (as the worker's createActivities is for activities). server.ts builds them once and hands the
 * same object to the HTTP app and the socket server.
 */
export function createServices(deps: AppDeps): ApiServices {
  const bookings = new BookingService(deps);
  const accounts = new AccountService(deps);
  const outages = new OutageService(deps);
  registerTicketMetrics(deps.metrics, deps.dataSource);
  return {
    verifier: createTokenVerifier(deps),
    bookings,
    series: new SeriesService(deps, bookings),
    idempotency: new IdempotencyService(deps.dataSource),
    accounts,
    auth: new AuthService(deps, accounts),
    mailLinks: new MailLinkService(deps, bookings),
    reviews: new ReviewService({
      ...deps,
      bannedTerms: deps.config.reviews.bannedTerms,
      alerts: createModerationAlerts(deps),
    }),
    waitlist: new WaitlistService(deps, bookings),
    insights: new InsightsService(deps),
    tickets: new TicketService(deps, outages),
    outages,
    roomStatus: (roomId) => readRoomStatus(deps.dataSource, roomId),
    webhooks: new WebhookService(deps),
  };
}
