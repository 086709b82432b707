import { Foundation1700000000000 } from './1700000000000-foundation';
import { CoreSchema1700000100000 } from './1700000100000-core-schema';
import { Identity1700000200000 } from './1700000200000-identity';
import { RoomsCatalog1700000300000 } from './1700000300000-rooms-catalog';
import { BookingLifecycle1700000400000 } from './1700000400000-booking-lifecycle';
import { Realtime1700000600000 } from './1700000600000-realtime';
import { Mail1700000700000 } from './1700000700000-mail';
import { Reviews1700000800000 } from './1700000800000-reviews';
import { Series1700000900000 } from './1700000900000-series';
import { VerifiedIdentity1700001700000 } from './1700001700000-verified-identity';
import { IdempotencyKeys1700001710000 } from './1700001710000-idempotency-keys';
import { SeriesRefusals1700001720000 } from './1700001720000-series-refusals';
import { ReserveBooking1700001730000 } from './1700001730000-reserve-booking';
import { Waitlist1700001810000 } from './1700001810000-waitlist';
import { BookingEvents1700001840000 } from './1700001840000-booking-events';
import { ImipReplies1700001880000 } from './1700001880000-imip-replies';
import { InsightsRollup1700001860000 } from './1700001860000-insights-rollup';
import { Webhooks1700001820000 } from './1700001820000-webhooks';
import { RoomMailboxes1700001830000 } from './1700001830000-room-mailboxes';
import { Tickets1700001800000 } from './1700001800000-tickets';
import { RoomOutages1700001850000 } from './1700001850000-room-outages';
import { InsightsWriteCost1700001890000 } from './1700001890000-insights-write-cost';

/** In order. A new migration is a new file listed here; a landed migration never changes. */
export const migrations = [
  Foundation1700000000000,
  CoreSchema1700000100000,
  Identity1700000200000,
  RoomsCatalog1700000300000,
  BookingLifecycle1700000400000,
  Realtime1700000600000,
  Mail1700000700000,
  Reviews1700000800000,
  Series1700000900000,
  VerifiedIdentity1700001700000,
  IdempotencyKeys1700001710000,
  SeriesRefusals1700001720000,
  ReserveBooking1700001730000,
  Tickets1700001800000,
  Waitlist1700001810000,
  Webhooks1700001820000,
  RoomMailboxes1700001830000,
  BookingEvents1700001840000,
  RoomOutages1700001850000,
  InsightsRollup1700001860000,
  ImipReplies1700001880000,
  InsightsWriteCost1700001890000,
];
