// Package api is alpage's public HTTP API (API.md, SPEC API-1…API-6), built
// with Huma on net/http and mounted by the app at /api/.
//
// The platform, in the order a request meets it:
//
//   - routes.go: every operation is declared once in a route table with its
//     version; it is served at /api/{version}/{path} and, for the newest
//     version, at /api/{path} too (API-2), under distinct operation IDs.
//   - auth.go: Authorization: Bearer <token> → the token's user; missing,
//     bad, expired or revoked → 401 not_authorized with WWW-Authenticate.
//     Scopes are checked here and only here.
//   - middleware.go: 60 requests per rolling minute per token, counted in the
//     database (internal/ratelimit), RateLimit-* headers on every
//     authenticated response, 429 with Retry-After beyond (API-3).
//     Bodies over 1 MiB → 413 request_too_large.
//   - idempotent.go: Idempotency-Key on POST (internal/idempotency).
//   - problem.go: every error, ours or Huma's, leaves as the error envelope
//     {"result":"error","error":{"code","description","context"}}; anything
//     that is not an *apperr.Error is a 500 unexpected_error quoting the
//     request id, logged with its cause.
//   - envelope.go: {"result":"success","data":…} and paginated lists.
//   - openapi.go, docs.go: the OpenAPI 3.1 document at /api/openapi.json,
//     with every route and every error code (API-5), rendered at /api/docs
//     by the embedded swagger-ui.
//
// The resources (API-6: everything the console can do), one file each, all
// calling the same domain functions as the console, which decide rights
// through internal/authz:
//
//   - profile.go, profile_account.go, tokens.go: the caller's account, its
//     login e-mail, password and closing (ACC-5), and API tokens.
//   - security.go, sessions.go: two-step sign-in (SEC-1, SEC-2, SEC-5: link
//     an authenticator app, confirm it, backup codes, switch off), the
//     console sessions and the recent activity (SEC-7), through
//     internal/security.
//   - organizations.go (ACC-4, ORG-2), members.go (ORG-1..8),
//     invitations.go (ORG-3), teams.go (TEAM-1..3), products.go (ORG-8).
//
// Path parameters are named after the object: {org}, {user}, {team},
// {product}, {invitation}, {token}, {session}. An object of an organization
// the caller is not in, or another person's token or session, is 404
// object_not_found (ORG-9); isolation_test.go walks every route of the table
// to prove it. Creating answers 201, DELETE and actions without a result
// (leave, remove, decline, password, close, switching codes off) 204.
//
// The test-mode routes under /api/1/_dev/ exist only when Deps.DevClock is
// set (serve --dev, loopback only) and need no token.
package api
