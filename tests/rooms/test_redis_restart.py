"""A Redis restart between two web processes loses no message: what was stored while the queue
was down reaches the other process's clients once its subscription is back (``live.resync``,
then the clients' replay), and nothing is applied twice. A private Redis server on a free port
(never the shared one), started again empty, as after a crash without persistence."""

import subprocess
import time

import pytest
import redis

from tests import services
from tests.live.stack import Stack
from tests.rooms.live import RoomClient, log_in, seed, wait_for


class PrivateRedis:
    def __init__(self, workdir):
        self.port = services.free_port()
        self.workdir = workdir
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = services.require_binary("redis-server")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        wait_for(lambda: _pings(client), timeout=20, message="private redis-server")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def _pings(client):
    try:
        return client.ping()
    except redis.RedisError:
        return False


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_messages_stored_while_redis_was_down_reach_the_other_process(tmp_path, private_redis):
    database = services.create_postgres_database("residency_rooms_redis")
    env = {"DATABASE_URL": database, "REDIS_URL": private_redis.url, "RATELIMIT_LOGIN": "1000 per minute"}
    stack = Stack(tmp_path / "data", env=env, webs=2, worker=False)
    try:
        stack.start()
        cohort = seed(stack, ("ana", "bruno"))
        room = cohort["room"]
        ana = RoomClient(log_in(stack.urls[0], cohort["users"]["ana"]["email"]), stack.urls[0], room).connect()
        bruno = RoomClient(log_in(stack.urls[1], cohort["users"]["bruno"]["email"]), stack.urls[1], room).connect()
        ana.send("before", "before")
        wait_for(lambda: "before" in bruno.texts(), message="live before the restart")

        private_redis.stop()
        for n in range(5):
            ana.send(f"during {n}", f"during-{n}")   # stored in PostgreSQL; the queue is down
        time.sleep(0.5)
        private_redis.start()                        # back, empty

        wait_for(lambda: all(f"during {n}" in bruno.texts() for n in range(5)), timeout=90,
                 message="messages stored during the outage reach web2's client")
        ana.send("after", "after")
        wait_for(lambda: "after" in bruno.texts(), timeout=30, message="live again after the restart")
        seqs = [seq for seq, kind, _ in bruno.applied if kind == "message"]
        assert seqs == sorted(set(seqs)) and seqs[-7:] == list(range(seqs[-7], seqs[-7] + 7))
        assert bruno.texts()[-7:] == ["before"] + [f"during {n}" for n in range(5)] + ["after"]
        ana.close()
        bruno.close()
    finally:
        stack.stop()
        services.drop_postgres_database(database)
