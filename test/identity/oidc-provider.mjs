// A real OpenID provider for the single sign-on tests: the certified `oidc-provider` package with
// its development login and consent pages, started by a test as a child process (the package is
// ES modules only; jest runs CommonJS). It prints one JSON line {"ready": <issuer>} when listening.
//
// Accounts need no registry: the login name is base64url(JSON) of the account's claims
// ({email, email_verified, name, roombook_role}) and becomes the subject. `tamper: "aud" | "nonce"`
// in those claims makes the token endpoint answer with an ID token for another audience or
// another nonce, signed with the provider's own key: a provider (or a man in the middle holding
// its key) misbehaving in exactly the way the client must notice.
import { exportJWK, generateKeyPair, SignJWT, decodeJwt } from 'jose';
import Provider from 'oidc-provider';

const { PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } = process.env;
const issuer = `http://127.0.0.1:${PORT}`;
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };

const accountClaims = (id) => {
  try {
    return JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
  } catch {
    return {};
  }
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: ['roombook-test-provider-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'roombook_role'] },
  // Claims of the granted scopes in the ID token as well, as most enterprise providers do.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    const claims = accountClaims(id);
    delete claims.tamper;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
});

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || !ctx.body || typeof ctx.body.id_token !== 'string') return;
  const claims = decodeJwt(ctx.body.id_token);
  const { tamper } = accountClaims(String(claims.sub));
  if (tamper === 'aud') claims.aud = 'another-client';
  else if (tamper === 'nonce') claims.nonce = 'not-the-nonce-that-was-sent';
  else return;
  ctx.body = {
    ...ctx.body,
    id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(privateKey),
  };
});

provider.listen(Number(PORT), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: issuer })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
