"""Follows the change feed with the Python gql client's WebSocket transport
(graphql-transport-ws), for server/feed_test.go:

    python follow.py URL COUNT [AFTER]

prints {"subscribed": true} once connected, then one JSON line per change
({"seq", "cursor", "id", "ms"}: ms is when it arrived, Unix time), and exits
after COUNT changes; {"error": ...} and exit 1 on any error."""

import asyncio
import json
import sys
import time

from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

QUERY = gql(
    "subscription($after: String) { changes(after: $after) { id cursor seq at actor { id name role } items { op kind target } } }"
)


def emit(v):
    print(json.dumps(v), flush=True)


async def main(url, count, after):
    transport = WebsocketsTransport(url=url.replace("http", "ws", 1), subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])
    async with Client(transport=transport) as session:
        emit({"subscribed": True})
        seen = 0
        async for result in session.subscribe(QUERY, variable_values={"after": after} if after else {}):
            c = result["changes"]
            emit({"seq": c["seq"], "cursor": c["cursor"], "id": c["id"], "ms": int(time.time() * 1000)})
            seen += 1
            if seen == count:
                return


if __name__ == "__main__":
    url, count = sys.argv[1], int(sys.argv[2])
    after = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
    try:
        asyncio.run(main(url, count, after))
    except Exception as e:  # the test reads the message
        emit({"error": f"{type(e).__name__}: {e}"})
        sys.exit(1)
