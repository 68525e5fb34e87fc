#!/usr/bin/env node
// registry-token-server.js: the token server of distribution's token auth
// (docs/spec/auth/token.md), for the tests: the registry answers 401 with
//   WWW-Authenticate: Bearer realm="<this>/token",service="S",scope="repository:NAME:pull,push"
// and the client asks here: GET /token?service=S&scope=repository:NAME:pull,push[&scope=...]
// with Basic credentials or none (anonymous). The answer is
//   {"token": JWT, "access_token": JWT, "expires_in": N, "issued_at": "..."}
// where JWT is RS256-signed, its header carries the signing certificate as x5c
// (docker/distribution 2.8 verifies that chain against its auth.token.rootcertbundle),
// and its claims hold iss, sub, aud (= service), exp, nbf, iat, jti and access[]:
// the requested actions this user is granted; the rest are dropped silently, as the
// spec says, and the registry then refuses with error="insufficient_scope".
//
// Usage: node registry-token-server.js --config FILE.json
// FILE.json: {"listen": "127.0.0.1:5445", "tls": {"cert": P, "key": P} (optional),
//   "issuer": I, "service": S, "signer": {"cert": P, "key": P}, "ttl": seconds,
//   "users": {"NAME": {"password": P, "grants": [{"repo": "glob", "actions": ["pull","push"]}]}},
//   "anonymous": [{"repo": "glob", "actions": ["pull"]}]}
// A glob's "*" matches any run of characters, "/" included.
// One line per request on stdout (never a password or a token):
//   token user=NAME service=S requested=SCOPE[ SCOPE] granted=SCOPE[ SCOPE]
// Exits when its parent goes away only if started with --exit-with-parent.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const https = require('https');

function die(msg) {
  process.stderr.write(`registry-token-server: ${msg}\n`);
  process.exit(2);
}

function loadConfig(argv) {
  const i = argv.indexOf('--config');
  if (i < 0 || !argv[i + 1]) die('usage: registry-token-server.js --config FILE.json');
  try {
    return JSON.parse(fs.readFileSync(argv[i + 1], 'utf8'));
  } catch (e) {
    die(`${argv[i + 1]}: ${e.message}`);
  }
  return null;
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// The signing certificate, DER in standard base64, as x5c wants it.
function certDerBase64(pem) {
  const body = pem.match(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/);
  if (!body) die('signer certificate: no PEM certificate');
  return body[1].replace(/\s+/g, '');
}

function globMatch(glob, name) {
  const re = '^' + glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$';
  return new RegExp(re).test(name);
}

// "repository:a/b:pull,push" -> {type, name, actions}; the name may hold ':' (a port).
function parseScope(scope) {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return null;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(',').filter((a) => a !== ''),
  };
}

function allowedActions(grants, type, name) {
  const out = new Set();
  if (type !== 'repository') return out;
  for (const g of grants) {
    if (!globMatch(g.repo, name)) continue;
    for (const a of g.actions) out.add(a);
  }
  return out;
}

// Basic credentials: the user's grants, [] for anonymous, null when they are wrong.
function authenticate(cfg, header) {
  if (!header) return { user: '', grants: cfg.anonymous || [] };
  const m = header.match(/^Basic\s+(\S+)$/i);
  if (!m) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  const user = text.slice(0, colon);
  const u = (cfg.users || {})[user];
  if (!u) return null;
  const a = Buffer.from(u.password);
  const b = Buffer.from(text.slice(colon + 1));
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return null;
  return { user, grants: u.grants || [] };
}

function sign(cfg, signer, sub, access) {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5c: [signer.x5c] };
  const claims = {
    iss: cfg.issuer, sub, aud: cfg.service, exp: now + (cfg.ttl || 300), nbf: now - 1, iat: now,
    jti: crypto.randomBytes(16).toString('hex'), access,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = crypto.sign('sha256', Buffer.from(input), signer.key); // RSASSA-PKCS1-v1_5: RS256
  return `${input}.${b64url(sig)}`;
}

function reply(res, status, doc, headers = {}) {
  const body = JSON.stringify(doc);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function handleToken(cfg, signer, req, res, url) {
  const who = authenticate(cfg, req.headers.authorization);
  if (!who) {
    console.log(`token refused: bad credentials`);
    reply(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] },
      { 'WWW-Authenticate': 'Basic realm="cloudctl-test-token"' });
    return;
  }
  const service = url.searchParams.get('service');
  if (service !== cfg.service) {
    reply(res, 400, { errors: [{ code: 'INVALID_REQUEST', message: `unknown service "${service}"` }] });
    return;
  }
  const requested = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter((s) => s !== '');
  const access = [];
  for (const s of requested) {
    const sc = parseScope(s);
    if (!sc) {
      reply(res, 400, { errors: [{ code: 'INVALID_REQUEST', message: `malformed scope "${s}"` }] });
      return;
    }
    const allowed = allowedActions(who.grants, sc.type, sc.name);
    const actions = sc.actions.filter((a) => allowed.has(a) || allowed.has('*'));
    if (actions.length) access.push({ type: sc.type, name: sc.name, actions });
  }
  const granted = access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`);
  console.log(`token user=${who.user || '(anonymous)'} service=${service} requested=${requested.join(' ') || '-'} ` +
    `granted=${granted.join(' ') || '-'}`);
  const token = sign(cfg, signer, who.user, access);
  reply(res, 200, { token, access_token: token, expires_in: cfg.ttl || 300, issued_at: new Date().toISOString() });
}

function main() {
  const cfg = loadConfig(process.argv);
  const signer = {
    key: crypto.createPrivateKey(fs.readFileSync(cfg.signer.key)),
    x5c: certDerBase64(fs.readFileSync(cfg.signer.cert, 'utf8')),
  };
  const handler = (req, res) => {
    const url = new URL(req.url, 'http://token.invalid');
    if (req.method === 'GET' && url.pathname === '/token') handleToken(cfg, signer, req, res, url);
    else reply(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no such endpoint' }] });
  };
  const server = cfg.tls
    ? https.createServer({ cert: fs.readFileSync(cfg.tls.cert), key: fs.readFileSync(cfg.tls.key) }, handler)
    : http.createServer(handler);
  const [host, port] = cfg.listen.split(':');
  server.listen(Number(port), host, () => console.log(`listening on ${cfg.listen}`));
  if (process.argv.includes('--exit-with-parent')) {
    const parent = process.ppid;
    setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 500).unref();
  }
  process.on('SIGTERM', () => process.exit(0));
}

main();
