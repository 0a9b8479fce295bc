"""The many-machine profile (docker-compose.yml, Dockerfile, deploy/nginx.conf) agrees with the code.

No Docker engine is needed: the files are parsed (PyYAML, a small nginx and Dockerfile reader) and
the code they point at is read with ``ast``, never imported, so a renamed module, a variable
config.py no longer reads or a queue no worker consumes fails here rather than in production.
"""

import ast
import inspect
import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
CONFIG_FILE = ROOT / "config.py"

# What a deployment on real services cannot do without (config.py switches on these).
REAL_SERVICE_VARIABLES = (
    "DATABASE_URL", "REDIS_URL", "S3_BUCKET", "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "SECRET_KEY", "BASE_URL",
)
APP_ROLES = ("web", "worker", "beat", "migrate")


# ---------------------------------------------------------------- reading the files


def _compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _services():
    return _compose()["services"]


_INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def resolve(value):
    """The value Compose (or sh) gives ``value`` when only the required variables are set.

    ``${X:-default}`` gives the default, ``${X:?message}`` a placeholder (set by the operator),
    ``${X}`` and ``$X`` nothing.
    """
    if value is None:
        return ""

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op = match.group("op") or ""
        if op.endswith("-"):
            return match.group("arg")
        if op.endswith("?"):
            return f"<required {name}>"
        return ""

    return _INTERPOLATION.sub(replace, str(value))


def _environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def _split_script(script):
    """Simple commands of a shell script (``a && b; c``), each as a token list."""
    commands, current = [], []
    lexer = shlex.shlex(resolve(script), posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    for token in lexer:
        if token in {"&&", "||", ";", "|", "&"}:
            if current:
                commands.append(current)
            current = []
        else:
            current.append(token)
    if current:
        commands.append(current)
    return [command[1:] if command[:1] == ["exec"] else command for command in commands]


def split_command(command):
    """A Compose ``command`` or Dockerfile CMD as a list of simple commands (token lists)."""
    if command is None:
        return []
    if isinstance(command, str):
        return _split_script(command)
    tokens = [resolve(token) for token in command]
    if len(tokens) >= 3 and Path(tokens[0]).name in {"sh", "bash"} and tokens[1] == "-c":
        return _split_script(tokens[2])
    return [tokens]


def service_commands(service):
    """What a service runs: its own command, or the image's CMD for the app image."""
    if service.get("command") is not None:
        return split_command(service["command"])
    if "build" in service:
        return split_command(dockerfile_cmd())
    return []


def option(tokens, *names):
    """The value of a command-line option (``--name value``, ``--name=value``, ``-n value``)."""
    for index, token in enumerate(tokens):
        for name in names:
            if token == name and index + 1 < len(tokens):
                return tokens[index + 1]
            if name.startswith("--") and token.startswith(name + "="):
                return token.split("=", 1)[1]
    return None


def program(tokens):
    return Path(tokens[0]).name if tokens else ""


def app_services():
    """Services that run the project's image (built from this repository)."""
    return {name: svc for name, svc in _services().items() if "build" in svc}


def services_running(predicate):
    return {
        name: tokens
        for name, svc in app_services().items()
        for tokens in service_commands(svc)
        if predicate(tokens)
    }


def web_services():
    return services_running(lambda t: program(t) == "gunicorn")


def celery_services(subcommand):
    return services_running(lambda t: program(t) == "celery" and subcommand in t)


def role_services(role):
    if role == "web":
        return web_services()
    if role in {"worker", "beat"}:
        return celery_services(role)
    return {role: None} if role in _services() else {}


# Dockerfile


def dockerfile_instructions(path=None):
    """(INSTRUCTION, arguments, stage index) for each instruction, continuations joined."""
    lines = (path or dockerfile_path()).read_text().splitlines()
    instructions, buffer, stage = [], "", -1
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not buffer):
            continue
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        buffer += stripped
        if buffer.strip():
            keyword, _, rest = buffer.strip().partition(" ")
            keyword = keyword.upper()
            if keyword == "FROM":
                stage += 1
            instructions.append((keyword, rest.strip(), stage))
        buffer = ""
    return instructions


def dockerfile_path():
    build = app_build()
    context = ROOT / build.get("context", ".")
    return context / build.get("dockerfile", "Dockerfile")


def app_build():
    builds = [svc["build"] for svc in app_services().values()]
    assert builds, "docker-compose.yml has no service built from this repository"
    build = builds[0]
    return {"context": build} if isinstance(build, str) else build


def final_stage():
    instructions = dockerfile_instructions()
    last = max(stage for _, _, stage in instructions)
    return [(keyword, rest) for keyword, rest, stage in instructions if stage == last]


def _exec_or_shell(rest):
    rest = rest.strip()
    if rest.startswith("["):
        return json.loads(rest)
    return ["/bin/sh", "-c", rest]


def dockerfile_cmd():
    entrypoint, cmd = [], None
    for keyword, rest in final_stage():
        if keyword == "ENTRYPOINT":
            entrypoint = _exec_or_shell(rest)
        elif keyword == "CMD":
            cmd = _exec_or_shell(rest)
    return entrypoint + (cmd or [])


def dockerfile_env():
    env = {}
    for keyword, rest in final_stage():
        if keyword == "ENV":
            for token in shlex.split(rest):
                if "=" in token:
                    name, value = token.split("=", 1)
                    env[name] = value
    return env


def dockerfile_workdir():
    workdir = "/"
    for keyword, rest in final_stage():
        if keyword == "WORKDIR":
            workdir = rest if rest.startswith("/") else f"{workdir.rstrip('/')}/{rest}"
    return workdir


# nginx


def parse_nginx(text):
    """A list of (name, args, children or None) for an nginx configuration."""
    text = re.sub(r"(?m)(^|\s)#[^\n]*", r"\1", text)
    tokens = re.findall(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[{};]|[^\s{};]+', text)
    position = 0

    def block():
        nonlocal position
        items, words = [], []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                items.append((words[0], words[1:], None))
                words = []
            elif token == "{":
                children = block()
                items.append((words[0], words[1:], children))
                words = []
            elif token == "}":
                return items
            else:
                words.append(token[1:-1] if token[:1] in "\"'" and len(token) > 1 else token)
        return items

    return block()


def directives(items, name):
    return [item for item in items if item[0] == name]


def nginx_size(value):
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", value)
    assert match, f"unreadable nginx size {value!r}"
    number, unit = int(match.group(1)), match.group(2).lower()
    if number == 0:
        return float("inf")
    return number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


def nginx_seconds(value):
    total = 0.0
    for number, unit in re.findall(r"(\d+)(ms|s|m|h|d|w|M|y)?", value):
        total += int(number) * {
            "ms": 0.001, "": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800,
            "M": 2592000, "y": 31536000,
        }[unit]
    return total


def proxy_service():
    proxies = {
        name: svc for name, svc in _services().items()
        if str(svc.get("image", "")).split(":")[0].split("/")[-1] == "nginx"
    }
    assert len(proxies) == 1, f"expected one nginx proxy service, found {sorted(proxies)}"
    return next(iter(proxies.items()))


def proxy_config_path():
    _, proxy = proxy_service()
    for volume in proxy.get("volumes", []):
        source, _, rest = str(volume).partition(":")
        target = rest.split(":")[0]
        if target.startswith("/etc/nginx/") and source.startswith("."):
            return ROOT / source, target
    raise AssertionError("the proxy mounts no nginx configuration from this repository")


def nginx_config():
    path, _ = proxy_config_path()
    return parse_nginx(path.read_text())


def nginx_http_and_servers():
    """(http-level directives, [server blocks]) whether the file is a whole nginx.conf or a conf.d file."""
    config = nginx_config()
    http = directives(config, "http")
    http_items = http[0][2] if http else config
    return http_items, [children for _, _, children in directives(http_items, "server")]


def nginx_locations():
    """(path, own directives, server directives, http directives) for each location."""
    http_items, servers = nginx_http_and_servers()
    return [
        (" ".join(args), children, server, http_items)
        for server in servers
        for _, args, children in directives(server, "location")
    ]


# The code, read with ast


def module_file(module):
    base = ROOT / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def top_level_assignments(path):
    """{name: value node or definition} for a module's top-level names."""
    names = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = node.value
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
            names[node.target.id] = node.value
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names[(alias.asname or alias.name).split(".")[0]] = node
    return names


def _is_environ_get(func):
    return (
        isinstance(func, ast.Attribute) and func.attr == "get"
        and isinstance(func.value, ast.Attribute) and func.value.attr == "environ"
    )


def config_reads():
    """{variable: empty-safe?} for every environment variable config.py reads.

    Empty-safe: an empty value means "unset" (``_env``/``_bool``/``_int``, ``os.environ.get(X) or …``,
    no default), so a Compose pass-through like ``${SMTP_HOST:-}`` keeps the code's default.
    """
    tree = ast.parse(CONFIG_FILE.read_text())
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    reads = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        helper = isinstance(node.func, ast.Name) and node.func.id in {"_env", "_bool", "_int"}
        if not (helper or _is_environ_get(node.func)):
            continue
        safe = True
        if not helper and len(node.args) > 1:
            default = node.args[1]
            parent = parents.get(node)
            left_of_or = (
                isinstance(parent, ast.BoolOp) and isinstance(parent.op, ast.Or) and parent.values[0] is node
            )
            safe = (isinstance(default, ast.Constant) and default.value == "") or left_of_or
        reads[first.value] = reads.get(first.value, True) and safe
    return reads


def _constant_number(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp):
        left, right = _constant_number(node.left), _constant_number(node.right)
        operations = {ast.Mult: lambda a, b: a * b, ast.Add: lambda a, b: a + b, ast.Pow: lambda a, b: a**b}
        return operations[type(node.op)](left, right)
    raise AssertionError(f"not a constant number: {ast.unparse(node)}")


def config_default(name):
    """The literal default config.py gives a variable (``os.environ.get(NAME, d)``, ``_int(NAME, d)``)."""
    for node in ast.walk(ast.parse(CONFIG_FILE.read_text())):
        if (
            isinstance(node, ast.Call) and len(node.args) > 1
            and isinstance(node.args[0], ast.Constant) and node.args[0].value == name
        ):
            default = node.args[1]
            if isinstance(default, ast.Constant):
                return default.value
            return _constant_number(default)
    raise AssertionError(f"config.py reads no {name} with a default")


def routed_queues():
    """Every queue the code sends tasks to: the default queue, task_routes and queue= arguments."""
    queues = set()
    files = [CONFIG_FILE, *sorted((ROOT / "residency").rglob("*.py")), *sorted((ROOT / "workers").rglob("*.py"))]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values):
                    if (
                        isinstance(key, ast.Constant) and key.value in {"queue", "task_default_queue"}
                        and isinstance(value, ast.Constant) and isinstance(value.value, str)
                    ):
                        queues.add(value.value)
            elif isinstance(node, ast.keyword) and node.arg == "queue":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    queues.add(node.value.value)
    return queues


def gunicorn_commands():
    """(where, tokens) of every gunicorn command: Compose services and the image's CMD."""
    found = [(f"docker-compose.yml:{name}", tokens) for name, tokens in web_services().items()]
    found += [("Dockerfile CMD", tokens) for tokens in split_command(dockerfile_cmd()) if program(tokens) == "gunicorn"]
    return found


def gunicorn_target(tokens):
    targets = [token for token in tokens[1:] if re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*", token)]
    assert len(targets) == 1, f"cannot find the MODULE:ATTR target in {' '.join(tokens)}"
    return targets[0]


def bind_port(tokens):
    bind = option(tokens, "--bind", "-b") or "127.0.0.1:8000"
    return int(bind.rsplit(":", 1)[1])


# ---------------------------------------------------------------- environment


def test_compose_sets_only_variables_config_reads():
    """Every variable the deployment sets for the app is one config.py reads (no silently ignored setting)."""
    reads = config_reads()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= set(reads), "config.py reader found nothing"
    for name, svc in app_services().items():
        ignored = sorted(set(_environment(svc)) - set(reads))
        assert not ignored, f"{name} sets {ignored}, which config.py never reads"
    ignored = sorted(set(dockerfile_env()) - set(reads) - {
        "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK",
    })
    assert not ignored, f"the Dockerfile sets {ignored}, which config.py never reads"


@pytest.mark.parametrize("role", APP_ROLES)
def test_every_role_has_the_real_services(role):
    """Web, worker, beat and migrations all run on PostgreSQL, Redis, S3 with one SECRET_KEY and BASE_URL."""
    services = role_services(role)
    assert services, f"no {role} service in docker-compose.yml"
    for name in services:
        env = _environment(_services()[name])
        missing = [var for var in REAL_SERVICE_VARIABLES if not resolve(env.get(var))]
        assert not missing, f"{name} leaves {missing} unset: it would fall back to the embedded default"


def test_empty_pass_throughs_keep_the_code_defaults():
    """An optional setting left unset by the operator keeps config.py's default instead of becoming empty."""
    reads = config_reads()
    for name, svc in app_services().items():
        for var, value in _environment(svc).items():
            if resolve(value) == "":
                assert reads.get(var), (
                    f"{name}: {var}={value!r} can be empty, and config.py uses an empty {var} as given "
                    "(os.environ.get with a default): give it a non-empty default"
                )


def test_service_urls_point_at_defined_services():
    """The database, broker and object-store addresses name services the deployment runs."""
    services = _services()
    for name, svc in app_services().items():
        env = _environment(svc)
        for var, schemes in (
            ("DATABASE_URL", {"postgres", "postgresql"}),
            ("REDIS_URL", {"redis", "rediss"}),
            ("S3_ENDPOINT_URL", {"http", "https"}),
        ):
            url = urlsplit(resolve(env.get(var)))
            assert url.scheme in schemes, f"{name}: {var} scheme {url.scheme!r} is not one of {sorted(schemes)}"
            assert url.hostname in services, f"{name}: {var} points at {url.hostname!r}, not a service"


def test_base_url_is_the_address_the_proxy_publishes():
    """Links in e-mails and the Socket.IO allowed origin use the port users actually reach."""
    proxy_name, proxy = proxy_service()
    published = {str(port).rsplit(":", 2)[-2] if str(port).count(":") else str(port) for port in proxy.get("ports", [])}
    for name, svc in app_services().items():
        base = urlsplit(resolve(_environment(svc).get("BASE_URL")))
        port = str(base.port or {"http": 80, "https": 443}[base.scheme])
        assert port in published, f"{name}: BASE_URL port {port} is not published by {proxy_name} ({published})"


# ---------------------------------------------------------------- entry points


def test_gunicorn_targets_exist():
    """Every web process serves the WSGI application the code defines (wsgi:app)."""
    commands = gunicorn_commands()
    assert any(where == "Dockerfile CMD" for where, _ in commands), "the image's CMD does not run gunicorn"
    for where, tokens in commands:
        module, attr = gunicorn_target(tokens).split(":")
        path = module_file(module)
        assert path is not None, f"{where}: module {module} does not exist"
        assert attr in top_level_assignments(path), f"{where}: {path.name} defines no {attr}"


def test_gunicorn_runs_one_worker_per_process_in_the_socketio_mode():
    """Live rooms work behind gunicorn: one worker per process, of the class the Socket.IO async mode needs."""
    mode_default = config_default("SOCKETIO_ASYNC_MODE")
    worker_class_for = {"threading": "gthread", "gevent": "gevent", "eventlet": "eventlet"}
    for where, tokens in gunicorn_commands():
        assert option(tokens, "--workers", "-w") == "1", f"{where}: Flask-SocketIO needs exactly one worker"
        mode = mode_default
        if where.startswith("docker-compose.yml:"):
            service = _services()[where.split(":", 1)[1]]
            mode = resolve(_environment(service).get("SOCKETIO_ASYNC_MODE")) or mode_default
        expected = worker_class_for[mode]
        assert option(tokens, "--worker-class", "-k") == expected, f"{where}: async mode {mode} needs -k {expected}"
        if expected == "gthread":
            assert int(option(tokens, "--threads") or 1) > 1, f"{where}: each open WebSocket holds a thread"


def procfile_commands():
    """{process type: tokens} of the Procfile (the embedded default, `make run`)."""
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if ":" in line and not line.lstrip().startswith("#"):
            kind, _, command = line.partition(":")
            commands[kind.strip()] = _split_script(command)[0]
    return commands


def test_web_processes_run_like_the_procfile():
    """The containers serve the way `make run` does (same gunicorn options, only the bind address differs)."""
    reference = procfile_commands()["web"]
    assert program(reference) == "gunicorn"

    def options(tokens):
        target, found, index = gunicorn_target(tokens), {}, 1
        while index < len(tokens):
            token = tokens[index]
            if token.startswith("-") and token != "-":
                name, value = token, None
                if "=" in token:
                    name, value = token.split("=", 1)
                elif index + 1 < len(tokens):
                    following = tokens[index + 1]
                    if following != target and (following == "-" or not following.startswith("-")):
                        value = following
                        index += 1
                found[name] = value
            index += 1
        found.pop("--bind", None)
        found.pop("-b", None)
        return found

    expected = options(reference)
    for where, tokens in gunicorn_commands():
        assert options(tokens) == expected, f"{where} differs from the Procfile's web line"
        assert gunicorn_target(tokens) == gunicorn_target(reference), where


def test_celery_targets_name_the_celery_object():
    """Workers and beat start on the project's Celery application, not on something Celery guesses."""
    targets = celery_services("worker") | celery_services("beat")
    assert targets, "no celery service"
    for name, tokens in targets.items():
        target = option(tokens, "-A", "--app")
        assert target, f"{name}: celery without -A"
        module, _, attr = target.partition(":")
        path = module_file(module)
        assert path is not None, f"{name}: module {module} does not exist"
        names = top_level_assignments(path)
        # As celery.app.utils.find_app: MODULE:ATTR, else the module's `app`, else its `celery`.
        chosen = attr or ("app" if "app" in names else "celery")
        assert chosen in names, f"{name}: {path.name} defines no {chosen}"
        value = names[chosen]
        source = ast.unparse(value) if isinstance(value, ast.expr) else ""
        assert "create_app(" not in source, f"{name}: -A {target} resolves to {chosen} = {source}, the Flask app"
        assert "celery" in source.lower(), f"{name}: -A {target} resolves to {chosen} = {source!r}, not Celery"


def test_migrate_runs_commands_that_exist(app):
    """The one-shot migration applies the schema and loads the cities with commands the code provides."""
    commands = service_commands(_services()["migrate"])
    flask_commands = [tokens for tokens in commands if program(tokens) == "flask"]
    assert flask_commands, "migrate runs no flask command"
    residency_commands = app.extensions["residency.cli"].commands
    subcommands = set()
    for tokens in flask_commands:
        target = option(tokens, "--app", "-A")
        path = module_file(target.split(":")[0])
        assert path is not None and (target.split(":") + ["app"])[1] in top_level_assignments(path), (
            f"flask --app {target} names no application"
        )
        rest = tokens[tokens.index(target) + 1:]
        subcommands.add(tuple(rest[:2]))
    assert ("db", "upgrade") in subcommands, "migrate does not run `db upgrade`"
    for group, command in subcommands - {("db", "upgrade")}:
        assert group == "residency" and command in residency_commands, (
            f"`flask {group} {command}` is not a command of the application"
        )


# ---------------------------------------------------------------- services and ordering


def test_depends_on_names_defined_services_with_usable_conditions():
    """Start-up order only waits on services that exist and can report the state waited for."""
    services = _services()
    for name, svc in services.items():
        depends = svc.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {target: {"condition": "service_started"} for target in depends}
        for target, spec in depends.items():
            assert target in services, f"{name} depends on undefined service {target}"
            condition = (spec or {}).get("condition", "service_started")
            if condition == "service_healthy":
                assert services[target].get("healthcheck"), f"{name} waits for {target} healthy; it has no healthcheck"
            if condition == "service_completed_successfully":
                assert str(services[target].get("restart", "no")) in {"no", "on-failure"}, (
                    f"{name} waits for {target} to complete, but {target} restarts forever"
                )


@pytest.mark.parametrize("role", ("web", "worker", "beat"))
def test_long_running_roles_wait_for_migrations_and_services(role):
    """No web process or worker serves before the schema exists and PostgreSQL and Redis answer."""
    for name in role_services(role):
        depends = _services()[name].get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        assert (depends.get("migrate") or {}).get("condition") == "service_completed_successfully", name
        for backing in ("postgres", "redis"):
            assert (depends.get(backing) or {}).get("condition") == "service_healthy", f"{name} / {backing}"


def test_build_context_has_a_dockerfile():
    """The app image can be built from the repository."""
    assert dockerfile_path().is_file(), f"no {dockerfile_path()}"


def test_at_least_two_web_processes():
    """The many-machine profile really runs several web processes."""
    assert len(web_services()) >= 2, f"web services: {sorted(web_services())}"


def test_workers_consume_every_routed_queue():
    """Every task the code queues is picked up by some worker (io and cpu)."""
    routed = routed_queues()
    assert {"io", "cpu"} <= routed, f"queue reader found only {routed}"
    consumed = set()
    for tokens in celery_services("worker").values():
        queues = option(tokens, "--queues", "-Q")
        assert queues, f"a worker without --queues consumes only Celery's default queue: {tokens}"
        consumed |= set(queues.split(","))
    assert routed <= consumed, f"queues nobody consumes: {sorted(routed - consumed)}"


def test_exactly_one_beat_with_a_kept_schedule():
    """Scheduled jobs run once, and beat remembers their last run across restarts."""
    beats = celery_services("beat")
    assert len(beats) == 1, f"beat services: {sorted(beats)} (two beats send every job twice)"
    (name, tokens), = beats.items()
    replicas = ((_services()[name].get("deploy") or {}).get("replicas")) or 1
    assert replicas == 1, f"{name} has {replicas} replicas"
    schedule = option(tokens, "--schedule", "-s")
    assert schedule, f"{name}: no --schedule, the file would land in the read-only /app"
    named_volumes = set(_compose().get("volumes") or {})
    mounts = [str(volume).split(":") for volume in _services()[name].get("volumes", [])]
    assert any(source in named_volumes and schedule.startswith(target.rstrip("/") + "/") for source, target, *_ in mounts), (
        f"{name}: {schedule} is not on a named volume"
    )


def test_app_data_dir_is_a_volume():
    """Files the app keeps in its data folder (outbox, beat schedule) survive a container's replacement."""
    data_dir = dockerfile_env().get("RESIDENCY_DATA_DIR")
    assert data_dir, "the image does not set RESIDENCY_DATA_DIR (it would write inside /app)"
    named_volumes = set(_compose().get("volumes") or {})
    for name, svc in app_services().items():
        data_dir_here = resolve(_environment(svc).get("RESIDENCY_DATA_DIR")) or data_dir
        mounts = [str(volume).split(":") for volume in svc.get("volumes", [])]
        assert any(source in named_volumes and target == data_dir_here for source, target, *_ in mounts), (
            f"{name}: no named volume on {data_dir_here}"
        )


# ---------------------------------------------------------------- the proxy


def test_proxy_balances_exactly_the_web_services_with_sticky_sessions():
    """Every web process gets traffic, and a Socket.IO client stays on the process that knows its session."""
    path, target = proxy_config_path()
    assert path.is_file(), f"{path} is mounted but does not exist"
    http_items, servers = nginx_http_and_servers()
    upstreams = {args[0]: children for _, args, children in directives(http_items, "upstream")}
    assert len(upstreams) == 1, f"expected one upstream, found {sorted(upstreams)}"
    (upstream_name, upstream), = upstreams.items()
    assert directives(upstream, "ip_hash") or directives(upstream, "hash") or directives(upstream, "sticky"), (
        "the upstream has no sticky balancing (ip_hash)"
    )
    members = {}
    for _, args, _ in directives(upstream, "server"):
        host, _, port = args[0].partition(":")
        members[host] = int(port or 80)
    web = web_services()
    assert set(members) == set(web), f"upstream {sorted(members)} != web services {sorted(web)}"
    for host, port in members.items():
        assert port == bind_port(web[host]), f"upstream {host}:{port} but gunicorn binds {bind_port(web[host])}"
    for location, own, _, _ in nginx_locations():
        for _, args, _ in directives(own, "proxy_pass"):
            assert urlsplit(args[0]).hostname == upstream_name, f"location {location} bypasses {upstream_name}"
    assert servers and all(directives(server, "location") for server in servers)


def test_proxy_carries_websockets_to_socketio():
    """Live rooms connect over WebSocket through the proxy and an idle room is not cut."""
    socket_locations = [(own, server) for path, own, server, _ in nginx_locations() if path.rstrip("/").endswith("/socket.io")]
    assert socket_locations, "no location for /socket.io/"
    own, server = socket_locations[0]
    headers = {args[0].lower(): args[1] for _, args, _ in directives(own, "proxy_set_header")}
    assert headers.get("upgrade") == "$http_upgrade", "Upgrade header not forwarded"
    assert "connection" in headers and headers["connection"] in {"upgrade", "$connection_upgrade"}, headers
    version = directives(own, "proxy_http_version") or directives(server, "proxy_http_version")
    assert version and version[-1][1][0] == "1.1", "WebSocket upgrade needs proxy_http_version 1.1"
    timeout = directives(own, "proxy_read_timeout") or directives(server, "proxy_read_timeout")
    seconds = nginx_seconds(timeout[-1][1][0]) if timeout else 60
    import engineio  # a dependency, not the app: its ping defaults decide when a quiet socket is dead

    parameters = inspect.signature(engineio.Server.__init__).parameters
    ping = parameters["ping_interval"].default + parameters["ping_timeout"].default
    assert seconds > ping, f"proxy_read_timeout {seconds}s <= Engine.IO ping interval + timeout ({ping}s)"


def test_proxy_forwards_client_address_scheme_and_host():
    """Rate limits see the client's address and redirects keep the published host and port."""
    trusted = {resolve(_environment(svc).get("TRUST_PROXY")) for svc in app_services().values()}
    assert trusted == {"1"}, f"one proxy hop (nginx) but TRUST_PROXY is {trusted}"
    for path, own, server, http_items in nginx_locations():
        if not directives(own, "proxy_pass"):
            continue
        # nginx inherits proxy_set_header only into a block that sets none of its own.
        inherited = next(
            (level for level in (own, server, http_items) if directives(level, "proxy_set_header")), []
        )
        headers = {args[0].lower(): args[1] for _, args, _ in directives(inherited, "proxy_set_header")}
        assert headers.get("x-forwarded-for") == "$proxy_add_x_forwarded_for", f"{path}: X-Forwarded-For"
        assert headers.get("x-forwarded-proto") == "$scheme", f"{path}: X-Forwarded-Proto"
        assert headers.get("x-forwarded-host") == "$http_host", f"{path}: X-Forwarded-Host must keep the port"


def test_proxy_accepts_every_body_the_app_accepts():
    """A form or upload piece the app allows is not refused by the proxy with 413."""
    limits = set()
    for svc in app_services().values():
        value = resolve(_environment(svc).get("MAX_CONTENT_LENGTH"))
        limits.add(int(value) if value else config_default("MAX_CONTENT_LENGTH"))
    http_items, servers = nginx_http_and_servers()
    for path, own, server, _ in nginx_locations():
        setting = (
            directives(own, "client_max_body_size") or directives(server, "client_max_body_size")
            or directives(http_items, "client_max_body_size")
        )
        allowed = nginx_size(setting[-1][1][0]) if setting else 1024**2
        assert allowed >= max(limits), f"location {path}: client_max_body_size {allowed} < app limit {max(limits)}"


# ---------------------------------------------------------------- the image


def test_image_does_not_run_as_root():
    """A compromised process in the image is not root."""
    users = [rest for keyword, rest in final_stage() if keyword == "USER"]
    assert users, "the final stage never switches USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, f"final USER is {users[-1]}"


def test_image_exposes_the_port_the_web_binds():
    """The port the image declares is the one gunicorn and the proxy use."""
    exposed = {int(port.split("/")[0]) for keyword, rest in final_stage() if keyword == "EXPOSE" for port in rest.split()}
    for where, tokens in gunicorn_commands():
        assert bind_port(tokens) in exposed, f"{where} binds {bind_port(tokens)}, image exposes {exposed}"


def test_image_contains_what_the_app_reads_at_run_time():
    """Pages, assets, translations, migrations and settings are all in the image, from the imported tree."""
    stage = final_stage()
    workdir = dockerfile_workdir()
    copied = set()
    for keyword, rest in stage:
        if keyword in {"COPY", "ADD"}:
            parts = [part for part in shlex.split(rest) if not part.startswith("--")]
            from_stage = "--from=" in rest
            for source in parts[:-1]:
                copied.add(("stage:" if from_stage else "") + source.rstrip("/").removeprefix("./"))
    runs = " ".join(rest for keyword, rest in stage if keyword == "RUN")
    needed = {"config.py", "wsgi.py", "babel.cfg", "templates", "static", "migrations", "residency", "workers"}
    assert needed <= copied, f"not copied into the image: {sorted(needed - copied)}"
    assert any(source.startswith("stage:") and source.endswith("static/vendor") for source in copied), (
        "static/vendor (npm run build) is not copied from the assets stage"
    )
    assert "pybabel compile" in runs, "translations are not compiled (no .mo files, French pages in English)"
    assert re.search(r"pip install\s+(?!-e)\.", runs), "the project is not pip-installed"
    all_runs = " ".join(rest for keyword, rest, _ in dockerfile_instructions() if keyword == "RUN")
    assert "npm ci" in all_runs and "npm run" in all_runs and "build" in all_runs, "assets are not built"
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and not line.startswith("#")]
    for path in needed:
        assert path not in ignored, f".dockerignore drops {path}"
    # residency/__init__.py finds templates/static/migrations beside the imported package, and
    # the wheel holds only .py files: the image must import the copied tree in WORKDIR.
    init_source = (ROOT / "residency" / "__init__.py").read_text()
    if "__file__" in init_source:
        pythonpath = dockerfile_env().get("PYTHONPATH", "").split(":")
        assert workdir in pythonpath, f"PYTHONPATH {pythonpath} does not put {workdir} before site-packages"
