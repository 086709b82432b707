// `npm run seed`: demo buildings, rooms (varied amenities, equipment and policies) and users.
// Idempotent: what exists is left as it is, so it can run any number of times.
// `--if-empty` seeds only a database without rooms (what `npm start` uses).
import { loadConfig } from '../src/config';
import { createDataSource, ensureDatabase, migrate } from '../src/db/data-source';
import { mergePolicy } from '../src/domain/room-policy';
import { hashPassword } from '../src/identity/passwords';
import type { RoomPolicy } from '../src/shared/booking';

const log = (msg: string) => console.log(`[seed] ${msg}`);

interface SeedRoom {
  name: string;
  floor: string;
  capacity: number;
  amenities: string[];
  equipment?: { name: string; status: 'ok' | 'degraded' | 'broken' }[];
  policy?: Partial<RoomPolicy>;
  status?: 'active' | 'out_of_service';
}

/** A seeded room: the catalog fields every room has, then what sets it apart (equipment, policy, status). */
const room = (
  name: string,
  floor: string,
  capacity: number,
  amenities: string[],
  extra: Pick<SeedRoom, 'equipment' | 'policy' | 'status'> = {},
): SeedRoom => ({ name, floor, capacity, amenities, ...extra });

const screen = { name: 'Display 65"', status: 'ok' as const };
const camera = { name: 'Conference camera', status: 'ok' as const };

const BUILDINGS: { building: string; timezone: string; rooms: SeedRoom[] }[] = [
  {
    building: 'Berlin HQ',
    timezone: 'Europe/Berlin',
    rooms: [
      room('Spree', '1', 4, ['screen', 'whiteboard', 'hdmi'], { equipment: [screen] }),
      room('Havel', '1', 8, ['screen', 'video_conferencing', 'speakerphone'], { equipment: [screen, camera] }),
      room('Tiergarten', '2', 14, ['projector', 'whiteboard', 'video_conferencing', 'wheelchair_access'], {
        equipment: [{ name: 'Projector', status: 'degraded' }, camera],
        policy: { bufferSeconds: 900, slotGranularitySeconds: 1800 },
      }),
      room(
        'Boardroom',
        '5',
        20,
        ['screen', 'video_conferencing', 'natural_light', 'coffee_machine', 'wheelchair_access'],
        {
          equipment: [screen, camera],
          policy: {
            requiresApproval: true,
            approvalTimeoutSeconds: 172800,
            bufferSeconds: 1800,
            slotGranularitySeconds: 1800,
          },
        },
      ),
      room('Phone Booth 1', '2', 1, ['speakerphone'], {
        policy: { requiresCheckIn: false, maxDurationSeconds: 3600, slotGranularitySeconds: 300 },
      }),
      room('Phone Booth 2', '3', 1, ['speakerphone'], {
        policy: { requiresCheckIn: false, maxDurationSeconds: 3600, slotGranularitySeconds: 300 },
      }),
      room('Workshop', '3', 30, ['projector', 'whiteboard', 'standing_desk', 'natural_light'], {
        equipment: [{ name: 'Projector', status: 'broken' }],
        status: 'out_of_service',
      }),
    ],
  },
  {
    building: 'New York Harbour',
    timezone: 'America/New_York',
    rooms: [
      room('Hudson', '12', 6, ['screen', 'whiteboard', 'video_conferencing'], { equipment: [screen, camera] }),
      room('Liberty', '12', 10, ['screen', 'video_conferencing', 'natural_light'], {
        equipment: [screen, camera],
        policy: { bufferSeconds: 600 },
      }),
      room('Brooklyn', '14', 3, ['screen', 'hdmi'], { equipment: [{ name: 'Display 43"', status: 'degraded' }] }),
      room(
        'Empire',
        '20',
        24,
        ['projector', 'video_conferencing', 'speakerphone', 'coffee_machine', 'wheelchair_access'],
        {
          equipment: [{ name: 'Projector', status: 'ok' }, camera],
          policy: { requiresApproval: true, minNoticeSeconds: 86400, horizonDays: 365 },
        },
      ),
    ],
  },
  {
    building: 'Tokyo Tower',
    timezone: 'Asia/Tokyo',
    rooms: [
      room('Sakura', '7', 5, ['screen', 'whiteboard'], { equipment: [screen] }),
      room('Fuji', '8', 12, ['screen', 'video_conferencing', 'natural_light'], {
        equipment: [screen, camera],
        policy: { checkInGraceSeconds: 300 },
      }),
      room('Zen', '9', 2, ['natural_light'], { policy: { requiresCheckIn: false, slotGranularitySeconds: 1800 } }),
    ],
  },
];

const USERS = [
  { email: 'admin@roombook.local', displayName: 'Ada Admin', role: 'admin', timezone: 'Europe/Berlin' },
  {
    email: 'facilities@roombook.local',
    displayName: 'Frank Facilities',
    role: 'facility_manager',
    timezone: 'Europe/Berlin',
  },
  { email: 'alice@roombook.local', displayName: 'Alice Member', role: 'member', timezone: 'Europe/Berlin' },
  { email: 'bob@roombook.local', displayName: 'Bob Member', role: 'member', timezone: 'America/New_York' },
  { email: 'kenji@roombook.local', displayName: 'Kenji Member', role: 'member', timezone: 'Asia/Tokyo' },
] as const;

async function main(): Promise<void> {
  const onlyIfEmpty = process.argv.includes('--if-empty');
  const config = loadConfig();
  const password = process.env.SEED_PASSWORD ?? 'roombook-demo-password';
  await ensureDatabase(config.databaseUrl);
  const db = await createDataSource(config.databaseUrl, { poolSize: 2, applicationName: 'roombook-seed' }).initialize();
  try {
    await migrate(db);
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM rooms');
    if (onlyIfEmpty && n > 0) {
      log(`the database already has ${n} rooms: not seeding.`);
      return;
    }

    log('users...');
    const passwordHash = await hashPassword(password);
    for (const u of USERS) {
      const rows = await db.query(
        `INSERT INTO users (email, display_name, timezone, role, password_hash, email_verified)
         VALUES ($1, $2, $3, $4, $5, true) ON CONFLICT (email) DO NOTHING RETURNING id`,
        [u.email, u.displayName, u.timezone, u.role, passwordHash],
      );
      log(`  ${u.email.padEnd(28)} ${u.role.padEnd(17)} ${rows.length ? 'created' : 'exists'}`);
    }

    let created = 0;
    let total = 0;
    for (const { building, timezone, rooms } of BUILDINGS) {
      log(`${building} (${timezone})...`);
      for (const room of rooms) {
        total += 1;
        const rows = await db.query(
          `INSERT INTO rooms (name, building, floor, capacity, amenities, equipment, timezone, policy, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (building, lower(name)) WHERE deleted_at IS NULL DO NOTHING RETURNING id`,
          [
            room.name,
            building,
            room.floor,
            room.capacity,
            room.amenities,
            JSON.stringify(room.equipment ?? []),
            timezone,
            JSON.stringify(mergePolicy(room.policy)),
            room.status ?? 'active',
          ],
        );
        if (rows.length) created += 1;
        log(
          `  [${total}] ${room.name.padEnd(14)} capacity ${String(room.capacity).padStart(2)}  ${rows.length ? 'created' : 'exists'}`,
        );
      }
    }
    log(
      `done: ${created} of ${total} rooms created, ${USERS.length} demo users (password "${password}" for new accounts; SEED_PASSWORD changes it).`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`[seed] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
