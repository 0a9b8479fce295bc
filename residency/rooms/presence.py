"""Who is in a room now, across every web process: kept in Redis with expiry (in this process's
memory on the embedded default, which runs a single web process).

For each room, ``rooms:here:<room>`` is a sorted set of user ids scored by the time their
presence expires, and ``rooms:here:<room>:<user>`` the same for that user's sockets (a user may
be connected from several tabs and processes). Each web process refreshes the entries of its own
sockets every third of ``ROOMS_PRESENCE_SECONDS``; a process that dies stops refreshing, and its
sockets' presence expires on its own. A Redis restart loses the sets: the next refresh writes
them again.
"""

import threading
import time

import redis
from flask import current_app

_KEY = "residency.rooms.presence"


def _room_key(room_id):
    return f"rooms:here:{room_id}"


def _user_key(room_id, user_id):
    return f"rooms:here:{room_id}:{user_id}"


class RedisPresence:
    def __init__(self, url, ttl):
        self.redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.ttl = ttl

    def enter(self, room_id, user_id, sid):
        """Mark the socket present; True when the user was not present before."""
        now = time.time()
        expires = now + self.ttl
        room_key, user_key = _room_key(room_id), _user_key(room_id, user_id)
        pipe = self.redis.pipeline()
        pipe.zscore(room_key, user_id)
        pipe.zadd(user_key, {sid: expires})
        pipe.expire(user_key, self.ttl)
        pipe.zadd(room_key, {user_id: expires})
        pipe.expire(room_key, self.ttl)
        before = pipe.execute()[0]
        return before is None or before <= now

    def leave(self, room_id, user_id, sid):
        """Forget the socket; True when the user has no other socket left in the room."""
        now = time.time()
        room_key, user_key = _room_key(room_id), _user_key(room_id, user_id)
        pipe = self.redis.pipeline()
        pipe.zrem(user_key, sid)
        pipe.zremrangebyscore(user_key, "-inf", now)
        pipe.zcard(user_key)
        remaining = pipe.execute()[2]
        if remaining:
            return False
        self.redis.zrem(room_key, user_id)
        return True

    def refresh(self, entries):
        """Extend the presence of ``(room_id, user_id, sid)`` entries (this process's sockets)."""
        if not entries:
            return
        expires = time.time() + self.ttl
        pipe = self.redis.pipeline(transaction=False)
        for room_id, user_id, sid in entries:
            pipe.zadd(_user_key(room_id, user_id), {sid: expires})
            pipe.expire(_user_key(room_id, user_id), self.ttl)
            pipe.zadd(_room_key(room_id), {user_id: expires})
            pipe.expire(_room_key(room_id), self.ttl)
        pipe.execute()

    def here(self, room_id):
        """The ids of the users present in the room."""
        return {int(member) for member in self.redis.zrangebyscore(_room_key(room_id), time.time(), "+inf")}


class MemoryPresence:
    """The same, in this process (the embedded default's single web process)."""

    def __init__(self, ttl):
        self.ttl = ttl
        self.sockets = {}  # (room, user) -> {sid: expires}
        self.lock = threading.Lock()

    def _alive(self, room_id, user_id, now):
        sockets = self.sockets.get((room_id, user_id), {})
        return {sid: t for sid, t in sockets.items() if t > now}

    def enter(self, room_id, user_id, sid):
        now = time.time()
        with self.lock:
            alive = self._alive(room_id, user_id, now)
            alive[sid] = now + self.ttl
            self.sockets[(room_id, user_id)] = alive
            return len(alive) == 1

    def leave(self, room_id, user_id, sid):
        with self.lock:
            alive = self._alive(room_id, user_id, time.time())
            alive.pop(sid, None)
            self.sockets[(room_id, user_id)] = alive
            return not alive

    def refresh(self, entries):
        expires = time.time() + self.ttl
        with self.lock:
            for room_id, user_id, sid in entries:
                self.sockets.setdefault((room_id, user_id), {})[sid] = expires

    def here(self, room_id):
        now = time.time()
        with self.lock:
            return {user for (room, user), sockets in self.sockets.items()
                    if room == room_id and any(t > now for t in sockets.values())}


def store(app=None):
    """This application's presence store (Redis when ``REDIS_URL`` is set)."""
    app = app or current_app._get_current_object()
    found = app.extensions.get(_KEY)
    if found is None:
        ttl = app.config["ROOMS_PRESENCE_SECONDS"]
        url = app.config.get("REDIS_URL")
        found = app.extensions[_KEY] = RedisPresence(url, ttl) if url else MemoryPresence(ttl)
    return found
