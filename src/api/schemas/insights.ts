import { z } from '../http/openapi';

export const roomInsightsQuery = z.object({
  from: z.string().openapi({ description: 'Start of the window (ISO 8601); bookings are counted by their start' }),
  to: z.string().openapi({ description: 'End of the window, at most 366 days after from' }),
  building: z.string().min(1).max(200).optional(),
  roomId: z.string().uuid().optional(),
  format: z.enum(['json', 'csv']).optional().openapi({ description: 'csv: one row per room (as Accept: text/csv)' }),
});

const figures = {
  bookings: z.number().int().openapi({ description: 'Bookings that held their room at their start' }),
  bookedHours: z.number(),
  usedHours: z.number().openapi({ description: 'Checked in until check-out or end' }),
  noShows: z.number().int().openapi({ description: 'Released for want of a check-in' }),
  ghostRate: z
    .number()
    .nullable()
    .openapi({ description: 'noShows / bookings that required check-in and passed their deadline (null: none)' }),
  releasedHours: z.number().openapi({ description: 'From each release to the booking’s end' }),
  rebookedHours: z.number().openapi({ description: 'Released time later covered by another booking' }),
  recoveredHours: z.number().openapi({ description: 'Rebooked time that was used' }),
  lateCancellations: z.number().int(),
  utilization: z
    .number()
    .nullable()
    .openapi({ description: 'usedHours / the room’s opening hours in the window (null: never open)' }),
};

export const roomInsightsSchema = z
  .object({
    from: z.string().datetime(),
    to: z.string().datetime(),
    rooms: z.array(z.object({ roomId: z.string().uuid(), name: z.string(), building: z.string(), ...figures })),
    totals: z.object(figures),
    heatmap: z.array(
      z.object({
        weekday: z.number().int().min(1).max(7).openapi({ description: 'ISO weekday in the room’s zone, 1 = Monday' }),
        hour: z.number().int().min(0).max(23),
        bookedHours: z.number(),
        usedHours: z.number(),
      }),
    ),
  })
  .openapi('RoomInsights');
