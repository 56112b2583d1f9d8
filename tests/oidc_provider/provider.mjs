// A real OpenID Connect provider for the tests, in the place of Pro Santé Connect: panva's
// oidc-provider (OpenID Certified), authorization code flow with PKCE required, RS256 ID tokens,
// acr levels, userinfo with PSC's claim names, RP-initiated logout.
//
// What a person would do at the provider (insert the CPS card, type the e-CPS code) is replaced
// by the test's choice of the next sign-in, posted to /test/next before the flow starts:
//   account  the professional who signs in (a key of ACCOUNTS)
//   acr      the authentication level the provider asserts ("eidas1" for a CPS card)
//   skew     seconds added to the provider's clock while it issues tokens (an hour back: the
//            ID token is already expired when it arrives)
//   jwks     "other": /jwks publishes a key that did not sign the tokens
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS and POST_LOGOUT_REDIRECT_URIS
// (comma-separated), ACCOUNTS (JSON: sub → claims).
import { generateKeyPair, exportJWK } from "jose";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.ACCOUNTS || "{}");
const list = (name) => (process.env[name] || "").split(",").filter(Boolean);

async function rsaKey(kid) {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
}
const signing = await rsaKey("signature");
const other = await rsaKey("signature"); // the same kid: only the signature tells them apart
const publicOf = ({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use });

const realNow = Date.now;
const next = { account: Object.keys(accounts)[0], acr: "eidas1", skew: 0, jwks: "own" };

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: list("REDIRECT_URIS"),
    post_logout_redirect_uris: list("POST_LOGOUT_REDIRECT_URIS"),
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  }],
  jwks: { keys: [signing] },
  pkce: { required: () => true },
  acrValues: ["eidas1", "mot-de-passe"],
  scopes: ["openid", "scope_all"],
  claims: {
    openid: ["sub"],
    scope_all: ["SubjectNameID", "SubjectRefPro", "given_name", "family_name", "preferred_username"],
  },
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // The provider's "Do you want to sign out?" page, submitted at once (a person says yes).
      logoutSource: async (ctx, form) => {
        ctx.body = `<!doctype html><html><body>${form}<script>document.forms[0].submit()</script></body></html>`;
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    if (!(sub in accounts)) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
  },
  // First-party: the professional's consent is the act of signing in.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid scope_all");
    await grant.save();
    return grant;
  },
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Session: 3600, Interaction: 600, Grant: 3600 },
  cookies: { keys: ["cle-des-cookies-du-fournisseur-de-test"] },
});

provider.use(async (ctx, nextMiddleware) => {
  if (ctx.path === "/test/next" && ctx.method === "POST") {
    const params = Object.fromEntries(new URLSearchParams(ctx.querystring));
    Object.assign(next, { account: Object.keys(accounts)[0], acr: "eidas1", skew: 0, jwks: "own" }, params);
    ctx.body = JSON.stringify(next);
    return;
  }
  if (ctx.path === "/token" && Number(next.skew)) {
    Date.now = () => realNow() + Number(next.skew) * 1000;
    try {
      await nextMiddleware();
    } finally {
      Date.now = realNow;
    }
    return;
  }
  if (ctx.path === "/jwks" && next.jwks === "other") {
    ctx.type = "application/jwk-set+json";
    ctx.body = JSON.stringify({ keys: [publicOf(other)] });
    return;
  }
  if (ctx.path.startsWith("/interaction/")) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const result = details.prompt.name === "login"
      ? { login: { accountId: next.account, acr: next.acr } }
      : { consent: {} };
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
    return;
  }
  await nextMiddleware();
});

provider.listen(port, "127.0.0.1", () => console.log(`fournisseur OpenID prêt : ${issuer}`));
