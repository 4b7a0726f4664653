// Audits a live /graphql endpoint with graphql-http's auditServer and prints
// the results as JSON, one object per audit: {id, name, status, reason}.
// Usage: node audit.mjs http://127.0.0.1:8101/graphql
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
// The server refuses GETs without a header a cross-site page cannot send
// unpreflighted (CSRF prevention, see the README); a real client sends one,
// and so does the audit.
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('GraphQL-Require-Preflight', '1');
  return fetch(input, { ...init, headers });
};
const results = await auditServer({ url, fetchFn });
console.log(JSON.stringify(results.map(({ id, name, status, reason }) => ({ id, name, status, reason })), null, 1));
