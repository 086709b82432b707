import type { EntitySchema } from 'typeorm';
import { BookingEventSchema, InsightsMailDeliverySchema } from './booking-event';
import {
  InsightsBuildingDayHourSchema,
  InsightsCancellationSchema,
  InsightsRoomDayHourSchema,
  InsightsRoomDaySchema,
  InsightsRoomMonthSchema,
} from './insights-rollup';
import { BookingIdempotencyKeySchema, BookingNotificationSchema, BookingSchema } from './booking';
import { CalendarFeedSchema } from './calendar-feed';
import { DisplayTokenSchema } from './display-token';
import { IdempotencyKeySchema } from './idempotency-key';
import { ImipReplySchema } from './imip-reply';
import { MailDeliverySchema, MailOptOutSchema } from './mail';
import { OutageRelocationSchema, RoomOutageSchema } from './outage';
import { ReviewSchema, ReviewVoteSchema } from './review';
import { AmenitySchema, RoomSchema, RoomStatusVersionSchema } from './room';
import { BookingSeriesSchema, SeriesOccurrenceSchema } from './series';
import { RefreshTokenFamilySchema, RefreshTokenSchema } from './session';
import { TicketCommentSchema, TicketMailDeliverySchema, TicketSchema } from './ticket';
import { UserIdentitySchema, UserSchema } from './user';
import { WaitlistEntrySchema } from './waitlist';
import { WebhookDeliverySchema, WebhookEndpointSchema } from './webhook';

export * from './booking';
export * from './booking-event';
export * from './calendar-feed';
export * from './display-token';
export * from './idempotency-key';
export * from './imip-reply';
export * from './mail';
export * from './outage';
export * from './review';
export * from './room';
export * from './series';
export * from './session';
export * from './ticket';
export * from './user';
export * from './waitlist';
export * from './webhook';

/**
 * Every entity schema, one per table the migrations create. Migrations stay the only schema
 * writer (synchronize is off); test/db/entities.test.ts proves these match the migrated schema.
 */
export const entities: EntitySchema[] = [
  UserSchema,
  UserIdentitySchema,
  RefreshTokenFamilySchema,
  RefreshTokenSchema,
  DisplayTokenSchema,
  RoomSchema,
  AmenitySchema,
  RoomStatusVersionSchema,
  CalendarFeedSchema,
  BookingSchema,
  BookingNotificationSchema,
  BookingIdempotencyKeySchema,
  BookingSeriesSchema,
  SeriesOccurrenceSchema,
  MailDeliverySchema,
  MailOptOutSchema,
  ReviewSchema,
  ReviewVoteSchema,
  IdempotencyKeySchema,
  WaitlistEntrySchema,
  BookingEventSchema,
  InsightsMailDeliverySchema,
  ImipReplySchema,
  InsightsRoomDaySchema,
  InsightsRoomMonthSchema,
  InsightsCancellationSchema,
  InsightsRoomDayHourSchema,
  InsightsBuildingDayHourSchema,
  WebhookEndpointSchema,
  WebhookDeliverySchema,
  TicketSchema,
  TicketCommentSchema,
  TicketMailDeliverySchema,
  RoomOutageSchema,
  OutageRelocationSchema,
] as EntitySchema[];
