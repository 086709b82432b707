import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JWT_AUDIENCE, signAccessToken } from '../../src/api/auth/jwt';
import { JWT_ISSUER } from '../../src/identity/jwt-keys';
import { call } from '../support/auth';
import { createUser } from '../support/fixtures';
import { apiForSuite, type TestStack } from '../support/stack';

let stack: TestStack;
apiForSuite((started) => (stack = started));

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access token verification', () => {
  let userId: string;
  let secret: string;
  const sign = (payload: object, options: jwt.SignOptions, key = secret) =>
    jwt.sign(payload, key, {
      algorithm: 'HS256',
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      subject: userId,
      expiresIn: 600,
      ...options,
    });

  beforeAll(async () => {
    userId = (await createUser(stack)).id;
    secret = stack.config.jwtSecret;
  });

  test('when a valid token is sent, then /users/me answers 200 (the baseline the other cases depart from)', async () => {
    const res = await call(stack, 'GET', '/users/me', {
      token: signAccessToken(secret, { id: userId, role: 'member' }),
    });
    expect(res.status).toBe(200);
  });

  test('when no token is sent, then it is 401', async () => {
    const res = await call(stack, 'GET', '/users/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  const cases: [string, () => string][] = [
    [
      'its payload is tampered with (member → admin, signature kept)',
      () => {
        const [header, , signature] = signAccessToken(secret, { id: userId, role: 'member' }).split('.');
        const payload = {
          ...(jwt.decode(signAccessToken(secret, { id: userId, role: 'member' })) as object),
          role: 'admin',
        };
        return `${header}.${b64(payload)}.${signature}`;
      },
    ],
    [
      'it is unsigned (alg: none)',
      () => {
        const now = Math.floor(Date.now() / 1000);
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: userId, role: 'admin', iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: now, exp: now + 600 })}.`;
      },
    ],
    ['it is signed with another key', () => sign({ role: 'member' }, {}, randomBytes(48).toString('base64url'))],
    ['it is signed with another algorithm (HS512, right key)', () => sign({ role: 'member' }, { algorithm: 'HS512' })],
    ['its audience is another service', () => sign({ role: 'member' }, { audience: 'some-other-api' })],
    ['its issuer is someone else', () => sign({ role: 'member' }, { issuer: 'evil' })],
    ['it has expired', () => signAccessToken(secret, { id: userId, role: 'member' }, -60)],
    ['it claims the display role', () => sign({ role: 'display' }, {})],
    ['it is not a JWT at all', () => 'not.a.token'],
  ];

  test.each(cases)('when a token is sent and %s, then it is 401', async (_name, make) => {
    const res = await call(stack, 'GET', '/users/me', { token: make() });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  test('when an access token is issued, then it carries the pinned algorithm, issuer, audience, subject, role and a 15-minute expiry', () => {
    const token = signAccessToken(secret, { id: userId, role: 'facility_manager' });
    const decoded = jwt.decode(token, { complete: true })!;
    const payload = decoded.payload as jwt.JwtPayload;
    expect(decoded.header.alg).toBe('HS256');
    expect(payload).toMatchObject({ iss: JWT_ISSUER, aud: JWT_AUDIENCE, sub: userId, role: 'facility_manager' });
    expect(payload.exp! - payload.iat!).toBe(15 * 60);
  });
});
