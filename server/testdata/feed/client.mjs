// Follows the change feed with a client others wrote, for server/feed_test.go:
//
//   node client.mjs ws|sse URL COUNT [AFTER] [AUTHORIZATION]
//
// subscribes to changes (after AFTER when given), prints one JSON line per
// event ({"seq", "cursor", "id", "ms"}: ms is when it arrived, Unix time) and
// exits after COUNT events, disconnecting. It prints {"subscribed": true}
// once the server has acknowledged the connection, and {"error": ...} and
// exits 1 on any error. With FEED_PINGS=1 it also prints {"ping": true,
// "ms"} for each graphql-transport-ws ping the server sends; with
// FEED_NO_PONG=1 it does not answer them (graphql-ws's disablePong).
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';

const [kind, url, countArg, after, authorization] = process.argv.slice(2);
const count = Number(countArg);
const query = `subscription($after: String) { changes(after: $after) { id cursor seq at actor { id name role } items { op kind target } } }`;
const print = (v) => process.stdout.write(JSON.stringify(v) + '\n');
const fail = (err) => {
  print({ error: err instanceof Error ? err.message : (err?.reason ?? err?.message ?? JSON.stringify(err)), code: err?.code });
  process.exit(1);
};

let client;
if (kind === 'ws') {
  client = createWsClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: authorization ? { Authorization: authorization } : undefined,
    disablePong: process.env.FEED_NO_PONG === '1',
    on: {
      connected: () => print({ subscribed: true }),
      ping: (received) => { if (received && process.env.FEED_PINGS === '1') print({ ping: true, ms: Date.now() }); },
      closed: (e) => { if (seen < count) fail(e); },
    },
  });
} else {
  client = createSseClient({
    url,
    retryAttempts: 0,
    headers: authorization ? { Authorization: authorization } : undefined,
    on: { connected: () => print({ subscribed: true }) },
  });
}

let seen = 0;
const dispose = client.subscribe(
  { query, variables: after ? { after } : {} },
  {
    next: (r) => {
      if (r.errors) fail(r.errors[0]);
      const c = r.data.changes;
      print({ seq: c.seq, cursor: c.cursor, id: c.id, ms: Date.now() });
      if (++seen === count) {
        dispose();
        client.dispose();
        process.exit(0);
      }
    },
    error: fail,
    complete: () => { if (seen < count) fail(new Error(`completed after ${seen} of ${count} events`)); },
  },
);
