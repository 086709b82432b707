import type { ZodRawShape } from 'zod';
import { canonicalTimeZone } from '../../domain/time-zones';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../identity/passwords';
import { z } from '../http/openapi';

/**
 * An object that names every field it does not accept (role, emailVerified, a typo) as its own
 * error, instead of silently dropping it (mass assignment) or one anonymous "unrecognized keys".
 */
export function closedObject<S extends ZodRawShape>(shape: S) {
  return z
    .object(shape)
    .passthrough()
    .superRefine((value, ctx) => {
      for (const key of Object.keys(value)) {
        if (!(key in shape))
          ctx.addIssue({ code: 'custom', path: [key], message: 'is not a field that can be set here' });
      }
    })
    .transform((value) => value as z.infer<z.ZodObject<S>>)
    .openapi({ additionalProperties: false });
}

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'at most 254 characters')
  .email('an email address')
  .transform((email) => email.toLowerCase())
  .openapi({ example: 'ada@example.com' });

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`)
  .openapi({ example: 'correct horse battery staple' });

export const timeZoneSchema = z
  .string()
  .max(64)
  .transform((tz, ctx) => {
    const canonical = canonicalTimeZone(tz);
    if (!canonical) {
      ctx.addIssue({ code: 'custom', message: 'an IANA time zone, e.g. Europe/Berlin' });
      return z.NEVER;
    }
    return canonical;
  })
  .openapi({ type: 'string', example: 'Europe/Berlin' });

export const displayNameSchema = z.string().trim().min(1, 'at least 1 character').max(100, 'at most 100 characters');

export const USER_ROLES = ['admin', 'facility_manager', 'member'] as const;

const notificationPrefsShape = {
  bookingUpdates: z.boolean().optional(),
  reminders: z.boolean().optional(),
  reviewPrompts: z.boolean().optional(),
};

export const notificationPrefsSchema = z
  .object({ bookingUpdates: z.boolean(), reminders: z.boolean(), reviewPrompts: z.boolean() })
  .openapi('NotificationPrefs');

export const userSchema = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    displayName: z.string(),
    timezone: z.string(),
    role: z.enum(['admin', 'facility_manager', 'member', 'display']),
    emailVerified: z.boolean(),
    notificationPrefs: notificationPrefsSchema,
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi('User');

export const registerBody = closedObject({
  email: emailSchema,
  password: passwordSchema,
  displayName: displayNameSchema,
  timezone: timeZoneSchema.optional(),
}).openapi('RegisterRequest');

export const loginBody = closedObject({
  email: emailSchema,
  // Not the registration rules: a wrong-length password is just a wrong password (same answer).
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`),
}).openapi('LoginRequest');

export const refreshBody = closedObject({ refreshToken: z.string().min(1).max(200) }).openapi('RefreshRequest');

export const sessionSchema = z
  .object({
    user: userSchema,
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires' }),
  })
  .openapi('Session');

export const profilePatchBody = closedObject({
  displayName: displayNameSchema.optional(),
  timezone: timeZoneSchema.optional(),
  notificationPrefs: closedObject(notificationPrefsShape).optional(),
}).openapi('ProfileUpdate');

export const userListQuery = z.object({
  search: z.string().trim().max(100).optional(),
  role: z.enum(['admin', 'facility_manager', 'member', 'display']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

export const userPageSchema = z
  .object({ items: z.array(userSchema), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() })
  .openapi('UserPage');

export const roleChangeBody = closedObject({ role: z.enum(USER_ROLES) }).openapi('RoleChange');

export const idParams = z.object({ id: z.string().uuid('a UUID') });

export const displayTokenBody = closedObject({
  name: z.string().trim().min(1, 'at least 1 character').max(100, 'at most 100 characters'),
}).openapi('DisplayTokenRequest');

export const displayTokenSchema = z
  .object({
    id: z.string().uuid(),
    roomId: z.string().uuid(),
    name: z.string(),
    createdBy: z.string().uuid().nullable(),
    createdAt: z.string().datetime(),
  })
  .openapi('DisplayToken');

export const createdDisplayTokenSchema = displayTokenSchema
  .extend({ token: z.string().openapi({ description: 'Shown once; only its hash is kept' }) })
  .openapi('CreatedDisplayToken');

const linkToken = z.string().min(1).max(2000).openapi({ description: 'The signed token from the link in the message' });

export const verifyEmailBody = closedObject({ token: linkToken }).openapi('VerifyEmailRequest');

export const forgotPasswordBody = closedObject({ email: emailSchema }).openapi('ForgotPasswordRequest');

export const resetPasswordBody = closedObject({ token: linkToken, newPassword: passwordSchema }).openapi(
  'ResetPasswordRequest',
);

export const changePasswordBody = closedObject({
  // Not the registration rules: a wrong-length current password is just a wrong password.
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`),
  newPassword: passwordSchema,
}).openapi('ChangePasswordRequest');

export const changeEmailBody = closedObject({
  email: emailSchema,
  currentPassword: z.string().min(1).max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`),
}).openapi('ChangeEmailRequest');

export const userEnvelopeSchema = z.object({ user: userSchema }).openapi('UserEnvelope');

export const acceptedSchema = z
  .object({ status: z.literal('accepted'), message: z.string() })
  .openapi('Accepted', { description: 'The request was taken; what follows arrives by mail' });

export const tokenQuery = z.object({ token: linkToken });
