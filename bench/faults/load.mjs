// Concurrent API clients against one loopback portal for a fixed time; prints what they got.
//   node load.mjs --url http://127.0.0.1:6130 --token ops_… --clients 50 --seconds 60 [--mix api|read] [--json FILE]
// Each client loops: pick an endpoint of the mix, send, record status and latency, repeat (no think
// time: each client keeps one request in flight, as a script or a dashboard refreshing would).
// "5xx other than 503+Retry-After" is the number the targets are about (bench/RESULTS.md).
import { writeFileSync } from 'node:fs';

const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : fallback; };
const base = arg('url', 'http://127.0.0.1:5080');
const token = arg('token');
const clients = Number(arg('clients', '50'));
const seconds = Number(arg('seconds', '60'));
const mix = arg('mix', 'api');
const jsonOut = arg('json');
if (!/^http:\/\/(127\.|localhost|\[::1\])/.test(base)) throw new Error('loopback targets only');
if (!token) throw new Error('--token is required');

const day = new Date().toISOString().slice(0, 10);
const endpoints = {
  // What people and scripts call during an incident: log search (the p95 target), statistics, lists.
  api: [
    ['logs', 5, () => `/api/logs?q=${encodeURIComponent(['status:5xx', 'path:/api/*', 'method:POST', ''][Math.floor(Math.random() * 4)])}&limit=100`],
    ['logs/stats', 1, () => `/api/logs/stats?by=${['status', 'path', 'host', 'minute'][Math.floor(Math.random() * 4)]}`],
    ['tickets', 2, () => '/api/tickets'],
    ['deploys', 1, () => '/api/deploys'],
    ['incidents', 1, () => '/api/incidents'],
    ['me', 1, () => '/api/me'],
  ],
  read: [['logs', 1, () => `/api/logs?limit=100&from=${day}T00:00:00Z`]],
}[mix];
const weighted = endpoints.flatMap(e => Array(e[1]).fill(e));

const results = new Map(); // endpoint -> { latencies: [], statuses: Map }
const record = (name, status, ms, retryAfter) => {
  let r = results.get(name);
  if (!r) results.set(name, r = { latencies: [], statuses: new Map(), noRetryAfter503: 0 });
  r.latencies.push(ms);
  r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1);
  if (status === 503 && !retryAfter) r.noRetryAfter503++;
};

const deadline = Date.now() + seconds * 1000;
async function client() {
  while (Date.now() < deadline) {
    const [name, , path] = weighted[Math.floor(Math.random() * weighted.length)];
    const started = performance.now();
    let status = 0, retryAfter = null;
    try {
      const r = await fetch(`${base}${path()}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60000) });
      status = r.status;
      retryAfter = r.headers.get('retry-after');
      await r.arrayBuffer();
    } catch {
      status = -1; // connection refused / reset / client timeout
    }
    record(name, status, performance.now() - started, retryAfter);
    if (status === 503 || status === 429) {
      // A polite client honours Retry-After (capped, so the run still measures).
      await new Promise(r => setTimeout(r, Math.min(Number(retryAfter ?? 1), 2) * 1000));
    }
  }
}

const q = (xs, p) => { if (!xs.length) return 0; const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };
const started = Date.now();
await Promise.all(Array.from({ length: clients }, client));
const elapsed = (Date.now() - started) / 1000;

let total = 0, bad5xx = 0, ok503 = 0, errors = 0, tooMany = 0;
const lines = [];
const summary = { url: base, clients, seconds: elapsed, mix, endpoints: {} };
for (const [name, r] of [...results].sort()) {
  const n = r.latencies.length;
  total += n;
  const by = Object.fromEntries([...r.statuses].sort((a, b) => a[0] - b[0]));
  for (const [s, c] of r.statuses) {
    if (s === 503) { ok503 += c - r.noRetryAfter503; bad5xx += r.noRetryAfter503; }
    else if (s >= 500) bad5xx += c;
    else if (s === 429) tooMany += c;
    else if (s < 0) errors += c;
  }
  const stats = { n, p50: q(r.latencies, 0.5), p95: q(r.latencies, 0.95), p99: q(r.latencies, 0.99), statuses: by };
  summary.endpoints[name] = stats;
  lines.push(`  ${name.padEnd(11)} n=${String(n).padStart(6)}  p50 ${stats.p50.toFixed(0).padStart(5)} ms  p95 ${stats.p95.toFixed(0).padStart(5)} ms  p99 ${stats.p99.toFixed(0).padStart(5)} ms  ${JSON.stringify(by)}`);
}
Object.assign(summary, { total, rps: total / elapsed, bad5xx, ok503, tooMany, errors });
console.log(`${clients} clients for ${elapsed.toFixed(0)} s against ${base}: ${total} requests (${(total / elapsed).toFixed(0)}/s)`);
console.log(lines.join('\n'));
console.log(`  5xx other than 503+Retry-After: ${bad5xx}; 503 with Retry-After: ${ok503}; 429: ${tooMany}; connection errors: ${errors}`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(summary, null, 2));
