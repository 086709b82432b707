import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parseOpeningHours, type OpeningHours } from '../domain/insights';

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

const port = z.coerce.number().int().min(0).max(65535);
const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:7233');
/** A whole number of seconds, at least 1. */
const seconds = z.coerce.number().int().min(1, 'a whole number of seconds, at least 1');
/** `<requests>/<seconds>`, e.g. `10/900`: at most 10 in each 900-second window. */
const rateLimit = z
  .string()
  .regex(/^[1-9]\d*\/[1-9]\d*$/, 'requests/seconds with both above zero, e.g. 10/900')
  .transform((value): RateLimit => {
    const [limit, windowSeconds] = value.split('/').map(Number);
    return { limit, windowSeconds };
  });

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `example.com,corp.example` (lower-cased): self-registration only from addresses at these domains. */
const domainList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
      .filter(Boolean),
  )
  .refine(
    (domains) => domains.length > 0 && domains.every((d) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)),
    'a comma list of domains, e.g. example.com,corp.example',
  );

/** Seconds to acknowledge and to resolve a ticket, per severity. */
export type TicketSla = Record<'low' | 'normal' | 'blocking', { acknowledgeSeconds: number; resolveSeconds: number }>;

/** `low:<ack>/<resolve>,normal:<ack>/<resolve>,blocking:<ack>/<resolve>` in seconds; every severity named once. */
const ticketSla = z.string().transform((value, ctx): TicketSla => {
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => /^(low|normal|blocking):([1-9]\d*)\/([1-9]\d*)$/.exec(part));
  const sla: Partial<TicketSla> = {};
  for (const match of entries) {
    if (!match || sla[match[1] as keyof TicketSla]) break;
    sla[match[1] as keyof TicketSla] = { acknowledgeSeconds: Number(match[2]), resolveSeconds: Number(match[3]) };
  }
  if (entries.length !== 3 || !sla.low || !sla.normal || !sla.blocking) {
    ctx.addIssue({
      code: 'custom',
      message: 'low:<ack>/<resolve>,normal:<ack>/<resolve>,blocking:<ack>/<resolve> in seconds, each severity once',
    });
    return z.NEVER;
  }
  return sla as TicketSla;
});

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** Words and phrases that send a review to moderation; comma-separated, matched as whole words, case-insensitively. */
const DEFAULT_REVIEW_BANNED_TERMS = 'viagra,casino,crypto giveaway,escort,porn,free money';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: port.default(3000),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/roombook'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('bookings'),
  TEMPORAL_UI_PORT: port.default(8233),
  SMTP_URL: url(['smtp:', 'smtps:']).default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('Roombook <no-reply@roombook.local>'),
  JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  BOOTSTRAP_ADMIN_EMAIL: z.string().email().optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_METRICS_PORT: port.default(9464),
  // The worker's bounds (docs/performance.md, "Open bookings and the worker's memory"). The cache
  // keeps replayed workflows in memory between tasks; past the bound the least recently used is
  // evicted and replayed from its history when its next timer or update comes.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0, 'an integer of at least 0').default(1000),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2, 'an integer of at least 2').default(40),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1, 'an integer of at least 1').default(100),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1, 'an integer of at least 1').default(100),
  DATA_DIR: z.string().min(1).default('.data'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/, 'a size such as 100kb or 1mb')
    .default('100kb'),
  RATE_LIMIT_LOGIN_PER_ACCOUNT: rateLimit.default('10/900'),
  RATE_LIMIT_LOGIN_PER_IP: rateLimit.default('100/900'),
  RATE_LIMIT_REFRESH_PER_IP: rateLimit.default('60/60'),
  RATE_LIMIT_REGISTER_PER_IP: rateLimit.default('20/3600'),
  RATE_LIMIT_BOOKING_CREATE_PER_USER: rateLimit.default('60/3600'),
  TRUST_PROXY: z.enum(['true', 'false'], { message: 'true or false' }).default('false'),
  MAX_ACTIVE_HOLDS_PER_USER: z.coerce.number().int().min(1, 'an integer of at least 1').default(5),
  MAX_FUTURE_BOOKINGS_PER_USER: z.coerce.number().int().min(1, 'an integer of at least 1').default(200),
  MAIL_OWN_HOLDS: z.enum(['true', 'false'], { message: 'true or false' }).default('false'),
  REVIEW_BANNED_TERMS: z.string().default(DEFAULT_REVIEW_BANNED_TERMS),
  REGISTRATION_DOMAINS: domainList.optional(),
  RATE_LIMIT_ACCOUNT_MAIL_PER_ADDRESS: rateLimit.default('5/3600'),
  RATE_LIMIT_ACCOUNT_MAIL_PER_IP: rateLimit.default('30/3600'),
  OIDC_ISSUER: url(['https:', 'http:'])
    .refine((value) => {
      try {
        return new URL(value).protocol === 'https:' || LOOPBACK_HOSTS.has(new URL(value).hostname);
      } catch {
        return true; // the URL check above names the problem
      }
    }, 'an https:// URL (http:// only on 127.0.0.1 or localhost)')
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(255).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(1024).optional(),
  OIDC_ROLE_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_.:/-]{1,100}$/, 'a claim name, e.g. roles or groups')
    .optional(),
  OIDC_REDIRECT_ORIGINS: z
    .string()
    .transform((value, ctx) => {
      const origins: string[] = [];
      for (const item of value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        try {
          const parsed = new URL(item);
          if (parsed.origin === 'null' || parsed.origin !== item.replace(/\/$/, '')) throw new Error('not an origin');
          origins.push(parsed.origin);
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: 'a comma list of origins such as https://app.example.com (scheme, host and port only)',
          });
          return z.NEVER;
        }
      }
      return origins;
    })
    .optional(),
  OPS_SCHEDULES: z.enum(['true', 'false'], { message: 'true or false' }).default('true'),
  RETENTION_INTERVAL_SECONDS: seconds.default(3600),
  RETENTION_REFRESH_TOKEN_SECONDS: seconds.default(7 * 86400),
  RETENTION_IDEMPOTENCY_KEY_SECONDS: seconds.default(2 * 86400),
  RETENTION_NOTIFICATION_SECONDS: seconds.default(30 * 86400),
  RETENTION_MAIL_DELIVERY_SECONDS: seconds.default(90 * 86400),
  RECONCILE_INTERVAL_SECONDS: seconds.default(900),
  RECONCILE_GRACE_SECONDS: seconds.default(60),
  RECONCILE_REPAIR: z.enum(['true', 'false'], { message: 'true or false' }).default('true'),
  LATE_CANCELLATION_SECONDS: seconds.default(86400),
  INSIGHTS_OPENING_HOURS: z
    .string()
    .default('08:00-18:00')
    .refine((v) => typeof parseOpeningHours(v, '1') !== 'string', 'a daily span such as 08:00-18:00'),
  INSIGHTS_OPEN_WEEKDAYS: z
    .string()
    .default('1,2,3,4,5')
    .refine((v) => typeof parseOpeningHours('00:00-24:00', v) !== 'string', 'ISO weekdays 1-7, e.g. 1,2,3,4,5'),
  INSIGHTS_MAIL_CRON: z
    .string()
    .regex(/^\S+( \S+){4}$/, 'a five-field cron expression (UTC), e.g. 0 7 * * 1')
    .default('0 7 * * 1'),
  INSIGHTS_MAIL_WORST_ROOMS: z.coerce.number().int().min(1).max(50).default(5),
  WEBHOOK_RETRY_HOURS: z.coerce
    .number()
    .positive('a number of hours above 0, e.g. 24 or 0.05')
    .max(24 * 30)
    .default(24),
  WEBHOOK_RETRY_INITIAL_SECONDS: seconds.default(5),
  WEBHOOK_RETRY_MAX_INTERVAL_SECONDS: seconds.default(3600),
  WEBHOOK_TIMEOUT_SECONDS: seconds.default(10),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false'], { message: 'true or false' }).optional(),
  WEBHOOK_SECRET_KEY: z.string().min(32, 'at least 32 characters').optional(),
  ROOM_MAIL_DOMAIN: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a domain, e.g. rooms.example.com')
    .transform((d) => d.toLowerCase())
    .default('rooms.roombook.local'),
  MAIL_INBOUND_PORT: port.default(2525),
  MAIL_INBOUND_MAX_BYTES: z.coerce.number().int().min(1024, 'at least 1024 bytes').default(1_048_576),
  TICKET_SLA: ticketSla.default('low:172800/1209600,normal:14400/259200,blocking:900/14400'),
  TICKET_REOPEN_SECONDS: seconds.default(7 * 86400),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  publicUrl: string;
  databaseUrl: string;
  redisUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string; uiPort: number };
  smtpUrl: string;
  mailFrom: string;
  jwtSecret: string;
  bootstrapAdmin?: { email: string; password: string };
  logLevel: Env['LOG_LEVEL'];
  workerMetricsPort: number;
  /** The Temporal worker's bounds: cached workflows and concurrent tasks (src/workers/worker.ts). */
  worker: {
    maxCachedWorkflows: number;
    maxConcurrentWorkflowTaskExecutions: number;
    maxConcurrentActivityTaskExecutions: number;
    maxConcurrentLocalActivityExecutions: number;
  };
  dataDir: string;
  bodyLimit: string;
  /** Whether X-Forwarded-For names the client (only behind a proxy that sets it). */
  trustProxy: boolean;
  /** Requests per window, counted in Redis (src/infra/rate-limit.ts). */
  rateLimits: {
    loginPerAccount: RateLimit;
    loginPerIp: RateLimit;
    refreshPerIp: RateLimit;
    registerPerIp: RateLimit;
    bookingCreatePerUser: RateLimit;
    /** Verification and password-reset messages, per address asked for and per client IP. */
    accountMailPerAddress: RateLimit;
    accountMailPerIp: RateLimit;
  };
  /** Self-registration only from these email domains; undefined means any domain. */
  registrationDomains?: string[];
  /** OpenID Connect single sign-on; undefined when OIDC_ISSUER is not set. */
  oidc?: OidcConfig;
  /** Caps against reserving every free slot (OWASP API6). */
  bookingLimits: { maxActiveHoldsPerUser: number; maxFutureBookingsPerUser: number };
  /** Mail callers the holds they make for themselves too (before issue 22 every hold was mailed); a waitlist offer's hold is mailed either way. */
  mailOwnHolds: boolean;
  /** Review screening (src/reviews/screening.ts). */
  reviews: { bannedTerms: string[] };
  /** Retention and reconciliation, run as Temporal Schedules (src/workers/schedules.ts, docs/operations.md). */
  ops: {
    /** Whether the worker creates or updates the schedules at start. */
    schedules: boolean;
    retention: {
      intervalSeconds: number;
      /** How long after expiry refresh tokens are kept (families go once they have no token left). */
      refreshTokenSeconds: number;
      idempotencyKeySeconds: number;
      /** Notifications of bookings closed at least this long ago. */
      notificationSeconds: number;
      /** Mail delivery records of bookings closed at least this long ago. */
      mailDeliverySeconds: number;
    };
    reconcile: { intervalSeconds: number; graceSeconds: number; repair: boolean };
  };
  /** Insights (src/domain/insights.ts): the notice below which a cancellation is late, and when rooms are open. */
  insights: {
    lateCancellationSeconds: number;
    openingHours: OpeningHours;
    /** The weekly mail to facility managers (a Temporal Schedule the worker creates with the others). */
    mail: { cron: string; worstRooms: number };
  };
  /** Room mailboxes (iMIP): `<slug>@domain`, the inbound SMTP listener's port and message size limit. */
  roomMail: { domain: string; inboundPort: number; maxMessageBytes: number };
  /** Facility tickets: service levels per severity, and how long a resolved ticket may be reopened. */
  tickets: { sla: TicketSla; reopenSeconds: number };
  /** Outgoing webhooks (src/webhooks, docs/webhooks.md). */
  webhooks: WebhookConfig;
}

export interface WebhookConfig {
  /** How long a delivery is retried before it is given up (and its endpoint disabled). */
  retrySeconds: number;
  /** The first retry's delay; each next one doubles, up to maxIntervalSeconds. */
  initialIntervalSeconds: number;
  maxIntervalSeconds: number;
  /** One attempt's deadline (connect, send, answer). */
  timeoutSeconds: number;
  /** Whether targets on loopback, link-local or private addresses are allowed (development and tests). */
  allowPrivateTargets: boolean;
  /** Encrypts the endpoints' signing secrets at rest (AES-256-GCM); derived from JWT_SECRET when unset. */
  secretKey: string;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** A claim (string or list) whose values name Roombook roles; undefined: roles are managed in Roombook. */
  roleClaim?: string;
  /** Where a finished sign-in may hand its tokens: PUBLIC_URL's origin and these. */
  redirectOrigins: string[];
}

/** Raised at start for bad configuration; the message names each variable and what it expects. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the environment. In development the JWT secret is generated once and kept
 * in DATA_DIR so tokens survive restarts; production must set JWT_SECRET.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        return `${name}=${JSON.stringify(source[name])} is invalid: expected ${issue.message}`;
      }),
    );
  }
  const env = parsed.data;
  const problems: string[] = [];
  if (env.NODE_ENV === 'production' && !env.JWT_SECRET)
    problems.push('JWT_SECRET is required when NODE_ENV=production (at least 32 random characters)');
  if (Boolean(env.BOOTSTRAP_ADMIN_EMAIL) !== Boolean(env.BOOTSTRAP_ADMIN_PASSWORD)) {
    problems.push('BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together');
  }
  const oidcParts = {
    OIDC_ISSUER: env.OIDC_ISSUER,
    OIDC_CLIENT_ID: env.OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET: env.OIDC_CLIENT_SECRET,
  };
  if (Object.values(oidcParts).some(Boolean) && !Object.values(oidcParts).every(Boolean)) {
    problems.push(
      `OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together (missing: ${Object.entries(oidcParts)
        .filter(([, v]) => !v)
        .map(([k]) => k)
        .join(', ')})`,
    );
  }
  // The SDK runs a workflow task only for a workflow it can cache.
  if (env.WORKER_MAX_CACHED_WORKFLOWS > 0 && env.WORKER_MAX_CACHED_WORKFLOWS < env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS)
    problems.push(
      `WORKER_MAX_CACHED_WORKFLOWS: at least WORKER_MAX_CONCURRENT_WORKFLOW_TASKS (${env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS}), or 0 for no cache`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  const publicUrl = env.PUBLIC_URL ?? `http://127.0.0.1:${env.PORT}`;
  const jwtSecret = env.JWT_SECRET ?? developmentJwtSecret(env.DATA_DIR);

  return {
    env: env.NODE_ENV,
    port: env.PORT,
    publicUrl,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    temporal: {
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      uiPort: env.TEMPORAL_UI_PORT,
    },
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    jwtSecret,
    bootstrapAdmin:
      env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD
        ? { email: env.BOOTSTRAP_ADMIN_EMAIL, password: env.BOOTSTRAP_ADMIN_PASSWORD }
        : undefined,
    logLevel: env.LOG_LEVEL,
    workerMetricsPort: env.WORKER_METRICS_PORT,
    worker: {
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentLocalActivityExecutions: env.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    },
    dataDir: env.DATA_DIR,
    bodyLimit: env.BODY_LIMIT,
    trustProxy: env.TRUST_PROXY === 'true',
    rateLimits: {
      loginPerAccount: env.RATE_LIMIT_LOGIN_PER_ACCOUNT,
      loginPerIp: env.RATE_LIMIT_LOGIN_PER_IP,
      refreshPerIp: env.RATE_LIMIT_REFRESH_PER_IP,
      registerPerIp: env.RATE_LIMIT_REGISTER_PER_IP,
      bookingCreatePerUser: env.RATE_LIMIT_BOOKING_CREATE_PER_USER,
      accountMailPerAddress: env.RATE_LIMIT_ACCOUNT_MAIL_PER_ADDRESS,
      accountMailPerIp: env.RATE_LIMIT_ACCOUNT_MAIL_PER_IP,
    },
    registrationDomains: env.REGISTRATION_DOMAINS,
    oidc:
      env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET
        ? {
            issuer: env.OIDC_ISSUER,
            clientId: env.OIDC_CLIENT_ID,
            clientSecret: env.OIDC_CLIENT_SECRET,
            roleClaim: env.OIDC_ROLE_CLAIM,
            redirectOrigins: [...new Set([new URL(publicUrl).origin, ...(env.OIDC_REDIRECT_ORIGINS ?? [])])],
          }
        : undefined,
    bookingLimits: {
      maxActiveHoldsPerUser: env.MAX_ACTIVE_HOLDS_PER_USER,
      maxFutureBookingsPerUser: env.MAX_FUTURE_BOOKINGS_PER_USER,
    },
    mailOwnHolds: env.MAIL_OWN_HOLDS === 'true',
    reviews: {
      bannedTerms: env.REVIEW_BANNED_TERMS.split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    },
    ops: {
      schedules: env.OPS_SCHEDULES === 'true',
      retention: {
        intervalSeconds: env.RETENTION_INTERVAL_SECONDS,
        refreshTokenSeconds: env.RETENTION_REFRESH_TOKEN_SECONDS,
        idempotencyKeySeconds: env.RETENTION_IDEMPOTENCY_KEY_SECONDS,
        notificationSeconds: env.RETENTION_NOTIFICATION_SECONDS,
        mailDeliverySeconds: env.RETENTION_MAIL_DELIVERY_SECONDS,
      },
      reconcile: {
        intervalSeconds: env.RECONCILE_INTERVAL_SECONDS,
        graceSeconds: env.RECONCILE_GRACE_SECONDS,
        repair: env.RECONCILE_REPAIR === 'true',
      },
    },
    insights: {
      lateCancellationSeconds: env.LATE_CANCELLATION_SECONDS,
      openingHours: parseOpeningHours(env.INSIGHTS_OPENING_HOURS, env.INSIGHTS_OPEN_WEEKDAYS) as OpeningHours,
      mail: { cron: env.INSIGHTS_MAIL_CRON, worstRooms: env.INSIGHTS_MAIL_WORST_ROOMS },
    },
    webhooks: {
      retrySeconds: Math.round(env.WEBHOOK_RETRY_HOURS * 3600),
      initialIntervalSeconds: env.WEBHOOK_RETRY_INITIAL_SECONDS,
      maxIntervalSeconds: env.WEBHOOK_RETRY_MAX_INTERVAL_SECONDS,
      timeoutSeconds: env.WEBHOOK_TIMEOUT_SECONDS,
      allowPrivateTargets: (env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? String(env.NODE_ENV !== 'production')) === 'true',
      secretKey: env.WEBHOOK_SECRET_KEY ?? `webhook-secrets:${jwtSecret}`,
    },
    roomMail: {
      domain: env.ROOM_MAIL_DOMAIN,
      inboundPort: env.MAIL_INBOUND_PORT,
      maxMessageBytes: env.MAIL_INBOUND_MAX_BYTES,
    },
    tickets: { sla: env.TICKET_SLA, reopenSeconds: env.TICKET_REOPEN_SECONDS },
  };
}

function developmentJwtSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  // wx: when two processes start together, the second reads the first one's secret.
  try {
    writeFileSync(file, secret, { flag: 'wx', mode: 0o600 });
    return secret;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}

/** Entry points call this: a bad configuration ends the process with the message, not a stack. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
}
