#!/usr/bin/env bash
# The multi-process deployment on loopback (docs/operations.md, "Multi-process deployment"):
#   deploy/stack.sh start   # (make stack) fresh database, S3 endpoint, gunicorn, workers, nginx
#   deploy/stack.sh stop    # (make stack-stop) stops every process it started, by pid file
#   deploy/stack.sh status
# Production settings (LEXCASE_DEBUG off) from a stack-only env file, var/stack/stack.env,
# generated once with fresh keys. Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STACK=$ROOT/var/stack
RUN=$STACK/run
LOGS=$STACK/logs
ENV_FILE=$STACK/stack.env
PY=$ROOT/.venv/bin/python
BIN=$ROOT/.venv/bin
PG_SERVER=${STACK_PG_SERVER:-postgres://postgres@127.0.0.1:5432}
DB_NAME=lexcase_stack
NGINX_PORT=8480   # deploy/nginx.conf listens here
APP_PORT=8481     # and proxies to gunicorn here
S3_PORT=8482      # moto in server mode (the S3 endpoint)
GUNICORN_WORKERS=${STACK_GUNICORN_WORKERS:-4}
GUNICORN_THREADS=${STACK_GUNICORN_THREADS:-4}
DB_WORKERS=${STACK_DB_WORKERS:-2}
DEMO_MATTERS=${STACK_DEMO_MATTERS:-300}

log() { echo "stack: $*"; }

write_env() {
	[ -f "$ENV_FILE" ] && return
	mkdir -p "$STACK"
	# Only the env file is private: nginx (user nobody) must read under var/stack/nginx.
	local old_umask
	old_umask=$(umask)
	umask 077
	"$PY" - "$ENV_FILE" "$PG_SERVER/$DB_NAME" "$S3_PORT" "$STACK/data" <<'EOF'
import secrets, sys
from cryptography.fernet import Fernet
path, db, s3_port, var = sys.argv[1:]
lines = {
    "LEXCASE_DEBUG": "0",
    "LEXCASE_SECRET_KEY": secrets.token_urlsafe(50),
    "LEXCASE_AUDIT_KEY": secrets.token_urlsafe(48),
    "LEXCASE_FIELD_KEYS": Fernet.generate_key().decode(),
    "LEXCASE_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LEXCASE_VAR_DIR": var,
    "DATABASE_URL": db,
    "LEXCASE_S3_BUCKET": "lexcase-stack",
    "LEXCASE_S3_ENDPOINT_URL": f"http://127.0.0.1:{s3_port}",
    "LEXCASE_S3_REGION": "us-east-1",
    "LEXCASE_S3_ACCESS_KEY_ID": "stack-" + secrets.token_hex(8),
    "LEXCASE_S3_SECRET_ACCESS_KEY": secrets.token_urlsafe(30),
    "LEXCASE_S3_ADDRESSING_STYLE": "path",
    "LEXCASE_LOG_LEVEL": "WARNING",
}
with open(path, "w") as f:
    f.write("# The stack's production settings (deploy/stack.sh); keys generated once, keep private.\n")
    f.writelines(f"{k}={v}\n" for k, v in lines.items())
EOF
	umask "$old_umask"
	log "wrote $ENV_FILE (0600, fresh secret, audit and field keys)"
}

load_env() {
	set -a
	# shellcheck disable=SC1090
	. "$ENV_FILE"
	set +a
	export DJANGO_SETTINGS_MODULE=lexcase.settings
}

# pid file helpers: a pid counts only while its command line is still the one we started.
alive() { # name pattern
	local f=$RUN/$1.pid
	[ -f "$f" ] || return 1
	local pid
	pid=$(cat "$f")
	[ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2"
}

spawn() { # name pattern command...
	local name=$1 pattern=$2
	shift 2
	setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
	echo $! >"$RUN/$name.pid"
	sleep 0.2
	alive "$name" "$pattern" || { log "$name did not start, see $LOGS/$name.log"; tail -20 "$LOGS/$name.log"; exit 1; }
}

wait_http() { # url what seconds
	local i
	for ((i = 0; i < $3 * 2; i++)); do
		if curl -s -o /dev/null -m 2 "$1"; then return 0; fi
		sleep 0.5
	done
	log "$2 did not answer at $1"
	exit 1
}

start() {
	if alive gunicorn gunicorn || alive nginx nginx || alive moto moto_server; then
		log "already running (make stack-stop first)"
		status
		exit 1
	fi
	command -v nginx >/dev/null || { log "nginx is not installed (make stack installs it)"; exit 1; }
	write_env
	load_env
	mkdir -p "$RUN" "$LOGS" "$STACK/nginx" "$STACK/data"
	# psql/createdb need the server part only; the database is made afresh each start: the
	# local S3 endpoint (moto) keeps objects in memory, so old rows would name lost files.
	"$PY" -c "import psycopg; psycopg.connect('$PG_SERVER/postgres', connect_timeout=3).close()" \
		|| { log "no PostgreSQL at $PG_SERVER"; exit 1; }
	psql -q "$PG_SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)"
	psql -q "$PG_SERVER/postgres" -c "CREATE DATABASE $DB_NAME"
	log "database $DB_NAME created"

	spawn moto moto_server "$BIN/moto_server" -H 127.0.0.1 -p "$S3_PORT"
	wait_http "http://127.0.0.1:$S3_PORT/" "moto (S3)" 30
	"$PY" - <<'EOF'
import os, boto3
s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["LEXCASE_S3_ENDPOINT_URL"],
    region_name=os.environ["LEXCASE_S3_REGION"],
    aws_access_key_id=os.environ["LEXCASE_S3_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["LEXCASE_S3_SECRET_ACCESS_KEY"],
)
s3.create_bucket(Bucket=os.environ["LEXCASE_S3_BUCKET"])
s3.put_public_access_block(
    Bucket=os.environ["LEXCASE_S3_BUCKET"],
    PublicAccessBlockConfiguration={k: True for k in (
        "BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")},
)
EOF
	log "S3 endpoint on 127.0.0.1:$S3_PORT, bucket $LEXCASE_S3_BUCKET (private)"

	"$PY" -m lexcase migrate --noinput >"$LOGS/migrate.log"
	"$PY" -m lexcase collectstatic --noinput >"$LOGS/collectstatic.log"
	"$PY" -m lexcase check --deploy --fail-level ERROR >"$LOGS/check.log" 2>&1 \
		|| { cat "$LOGS/check.log"; exit 1; }
	"$PY" -m lexcase demo --matters "$DEMO_MATTERS" --if-empty >"$LOGS/demo.log"
	log "migrated, static files collected, demo firm loaded ($DEMO_MATTERS matters)"

	spawn gunicorn gunicorn "$BIN/gunicorn" lexcase.wsgi -c gunicorn.conf.py -k gthread \
		-w "$GUNICORN_WORKERS" --threads "$GUNICORN_THREADS" -b "127.0.0.1:$APP_PORT" \
		--access-logfile "$LOGS/gunicorn-access.log" --graceful-timeout 20 \
		--keep-alive 75
	local i
	for ((i = 1; i <= DB_WORKERS; i++)); do
		spawn "db_worker-$i" db_worker "$PY" -m lexcase db_worker
	done
	wait_http "http://127.0.0.1:$APP_PORT/accounts/login/" gunicorn 60
	spawn nginx nginx nginx -p "$STACK/nginx/" -c "$ROOT/deploy/nginx.conf" \
		-e "$LOGS/nginx-error.log" -g "daemon off;"
	wait_http "http://127.0.0.1:$NGINX_PORT/accounts/login/" nginx 20
	log "up: http://127.0.0.1:$NGINX_PORT/ (nginx) -> gunicorn ${GUNICORN_WORKERS}x${GUNICORN_THREADS} on :$APP_PORT, $DB_WORKERS db_workers, S3 on :$S3_PORT"
	log "demo logins in README.md; stop with: make stack-stop"
}

stop() {
	local name pid any=0
	for f in "$RUN"/*.pid; do
		[ -f "$f" ] || continue
		name=$(basename "$f" .pid)
		pid=$(cat "$f")
		local pattern=$name
		case $name in db_worker-*) pattern=db_worker ;; moto) pattern=moto_server ;; esac
		if alive "$name" "$pattern"; then
			kill -TERM "$pid" && any=1
			log "stopping $name (pid $pid)"
		fi
	done
	local i
	for ((i = 0; i < 60; i++)); do
		local left=0
		for f in "$RUN"/*.pid; do
			[ -f "$f" ] || continue
			pid=$(cat "$f")
			[ -d "/proc/$pid" ] && left=1
		done
		[ $left = 0 ] && break
		sleep 0.5
	done
	for f in "$RUN"/*.pid; do
		[ -f "$f" ] || continue
		name=$(basename "$f" .pid)
		pid=$(cat "$f")
		local pattern=$name
		case $name in db_worker-*) pattern=db_worker ;; moto) pattern=moto_server ;; esac
		if alive "$name" "$pattern"; then
			log "$name (pid $pid) still running after 30 s: KILL"
			kill -KILL "$pid" || true
		fi
		rm -f "$f"
	done
	[ $any = 1 ] && log "stopped" || log "nothing was running"
}

status() {
	for f in "$RUN"/*.pid; do
		[ -f "$f" ] || continue
		echo "$(basename "$f" .pid): pid $(cat "$f") $([ -d /proc/$(cat "$f") ] && echo running || echo gone)"
	done
}

case ${1:-} in
start) start ;;
stop) stop ;;
status) status ;;
*)
	echo "usage: $0 start|stop|status" >&2
	exit 2
	;;
esac
