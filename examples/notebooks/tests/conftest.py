"""The export reader tests run against a live, seeded server: CYBERKG_URL
(scripts/with-server sets it; make python-test starts one)."""
import os

import pytest
import requests


@pytest.fixture(scope="session")
def base_url():
    url = os.environ.get("CYBERKG_URL")
    if not url:
        pytest.fail("CYBERKG_URL is not set: run `make python-test`, which starts a seeded server")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def graph(base_url):
    """The lossless JSON export: what every other export is compared with."""
    r = requests.get(f"{base_url}/export/graph.json", timeout=60)
    r.raise_for_status()
    doc = r.json()
    assert doc["format"] == "cyberkg-graph" and doc["version"] == 2
    return doc


@pytest.fixture(scope="session")
def gql(base_url):
    def run(query, **variables):
        r = requests.post(f"{base_url}/graphql", json={"query": query, "variables": variables}, timeout=60)
        r.raise_for_status()
        body = r.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]
    return run
