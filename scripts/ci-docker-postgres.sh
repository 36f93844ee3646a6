#!/bin/sh
# ci-docker-postgres.sh: a Docker engine of our own that needs no image registry, plus a
# local PostgreSQL 15 image (local/postgres:15, built from Debian packages) for the
# container provider and its tests. Adapted from shared/research/docker.md section 4.
#
# Debian 12, run as root, apt reaching a Debian mirror; no systemd needed.
#   sh scripts/ci-docker-postgres.sh          starts dockerd (own socket, data root and pid file
#                                             under $DMR_DOCKER_DIR), loads or builds the image,
#                                             writes $DMR_DOCKER_DIR/env.sh (and appends to
#                                             $GITHUB_ENV when set)
#   . "$DMR_DOCKER_DIR/env.sh"                DOCKER_HOST, TESTCONTAINERS_*, DMR_TEST_POSTGRES_IMAGE
#   sh scripts/ci-docker-postgres.sh stop     removes leftover test containers, stops that dockerd
#   sh scripts/ci-docker-postgres.sh env      prints the path of env.sh
#
# Settings (environment):
#   DMR_DOCKER_DIR    runtime dir: socket, data root, logs, env.sh (default ${TMPDIR:-/tmp}/dmr-docker)
#   DMR_DOCKER_CACHE  image cache dir, outside the repository; keep it in the CI cache to skip
#                     the ~2 min build (default ${XDG_CACHE_HOME:-$HOME/.cache}/django-migration-review/docker)
#   DMR_TEST_POSTGRES_IMAGE  image name (default local/postgres:15)
#   DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR  where debootstrap and apt in the chroot download from
#
# It never touches /var/run/docker.sock, the host firewall (--iptables=false) or a system
# dockerd. What stays after `stop`: the apt packages, the docker0 link, $DMR_DOCKER_DIR and
# the image cache.
set -eu
DIR=${DMR_DOCKER_DIR:-${TMPDIR:-/tmp}/dmr-docker}
CACHE_DIR=${DMR_DOCKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/django-migration-review/docker}
IMAGE=${DMR_TEST_POSTGRES_IMAGE:-local/postgres:15}
# Bump the suffix when the recipe below changes, so that old caches are not loaded.
CACHE=$CACHE_DIR/postgres15-debian-v1.tar.zst
SOCK=$DIR/docker.sock
log() { echo "[ci-docker-postgres] $*" >&2; }
die() { log "error: $*"; exit 1; }
docker_ok() { DOCKER_HOST=unix://$SOCK docker version >/dev/null 2>&1; }

dockerd_pid() {
  [ -s "$DIR/dockerd.pid" ] || return 1
  pid=$(cat "$DIR/dockerd.pid")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

stop_engine() {
  if pid=$(dockerd_pid); then
    if docker_ok; then
      ids=$(DOCKER_HOST=unix://$SOCK docker ps -aq --filter label=org.testcontainers=true)
      if [ -n "$ids" ]; then
        log "removing leftover test containers"
        # shellcheck disable=SC2086
        DOCKER_HOST=unix://$SOCK docker rm -f $ids >/dev/null || :
      fi
    fi
    log "stopping dockerd ($pid)"
    kill "$pid" 2>/dev/null || :
    i=0
    while kill -0 "$pid" 2>/dev/null; do
      i=$((i + 1))
      [ $i -gt 60 ] && { log "dockerd did not exit in 30 s; sending SIGKILL"; kill -9 "$pid" 2>/dev/null || :; break; }
      sleep 0.5
    done
  else
    log "no dockerd of ours is running (pid file $DIR/dockerd.pid)"
  fi
  rm -f "$DIR/dockerd.pid"
}

case "${1:-start}" in
  start) ;;
  stop) stop_engine; exit 0 ;;
  env) echo "$DIR/env.sh"; exit 0 ;;
  *) die "usage: sh $0 [start|stop|env]" ;;
esac

mkdir -p "$DIR" "$CACHE_DIR"
# One setup at a time (two test jobs on one machine must not build the image twice).
exec 9>"$DIR/setup.lock"
flock 9

if ! docker_ok; then
  [ "$(id -u)" = 0 ] || die "starting dockerd and installing packages needs root (run with sudo)"

  # 1. Packages: Debian's docker.io (dockerd, containerd, runc), debootstrap and zstd.
  need=""
  for p in docker.io debootstrap zstd; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || need="$need $p"
  done
  if [ -n "$need" ]; then
    log "apt-get install$need"
    # Keep apt from starting a system docker/containerd service (that one would own
    # /var/run/docker.sock and the host firewall); only when no policy is in place.
    guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
      guard=1
    fi
    rc=0
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need; } >&2 || rc=$?
    [ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d
    [ $rc = 0 ] || die "apt-get install$need failed"
  fi

  # 2. dockerd in the background with its own socket, data root and pid file.
  #    --iptables=false: no host firewall/NAT changes; published ports still work through
  #    docker-proxy on the default bridge (docker0). overlay2 cannot sit on overlayfs: vfs there.
  if pid=$(dockerd_pid); then
    log "dockerd ($pid) is running but does not answer; stopping it first"
    stop_engine
  fi
  driver=overlay2
  [ "$(stat -f -c %T "$DIR" 2>/dev/null)" = overlayfs ] && driver=vfs
  log "starting dockerd (storage driver $driver, socket $SOCK)"
  rm -f "$SOCK"
  # setsid: the engine outlives this script and the shell that ran it
  setsid nohup dockerd --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/dockerd.pid" \
    -H "unix://$SOCK" --storage-driver=$driver --iptables=false \
    >"$DIR/dockerd.log" 2>&1 </dev/null 9>&- &
  i=0
  until docker_ok; do
    i=$((i + 1))
    if [ $i -gt 120 ]; then
      tail -20 "$DIR/dockerd.log" >&2
      die "dockerd did not answer on $SOCK within 60 s (log: $DIR/dockerd.log)"
    fi
    sleep 0.5
  done
fi
export DOCKER_HOST=unix://$SOCK

# 3. The image: already there, or loaded from the cache file, or built from Debian packages.
build_image() {
  [ "$(id -u)" = 0 ] || die "building the image needs root (debootstrap, chroot)"
  MIRROR=${DEBIAN_MIRROR:-$(awk '/^URIs:/ && !/security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || :)}
  SECURITY=${DEBIAN_SECURITY_MIRROR:-$(awk '/^URIs:/ && /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || :)}
  MIRROR=${MIRROR:-http://deb.debian.org/debian}
  SECURITY=${SECURITY:-http://deb.debian.org/debian-security}
  R=$DIR/rootfs
  if mountpoint -q "$R/proc" 2>/dev/null; then umount "$R/proc"; fi
  rm -rf "$R"
  trap 'mountpoint -q "$R/proc" 2>/dev/null && umount "$R/proc"; rm -rf "$R"' EXIT
  log "debootstrap bookworm from $MIRROR (about 2 minutes)"
  debootstrap --variant=minbase bookworm "$R" "$MIRROR" >&2
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
    "$MIRROR" "$MIRROR" "$SECURITY" > "$R/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
  chmod +x "$R/usr/sbin/policy-rc.d"
  mkdir -p "$R/etc/postgresql-common/createcluster.d"
  echo 'create_main_cluster = false' > "$R/etc/postgresql-common/createcluster.d/no-main.conf"
  cp /etc/resolv.conf "$R/etc/resolv.conf"
  mount -t proc proc "$R/proc"
  chroot "$R" /bin/sh -ec '
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql-15 locales
    localedef -i en_US -c -f UTF-8 -A /usr/share/locale/locale.alias en_US.UTF-8
    apt-get clean; rm -rf /var/lib/apt/lists/*' >&2
  umount "$R/proc"
  rm -f "$R/usr/sbin/policy-rc.d"
  # trim ~230 MB: docs, man pages, translations, locale sources, LLVM JIT (postgres runs without it)
  find "$R/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  rm -rf "$R/usr/share/doc" "$R/usr/share/man" "$R/usr/share/info" "$R/usr/share/i18n" \
    "$R"/usr/lib/x86_64-linux-gnu/libLLVM-* "$R"/usr/lib/aarch64-linux-gnu/libLLVM-* \
    "$R"/usr/lib/postgresql/15/lib/llvmjit* "$R/usr/lib/postgresql/15/lib/bitcode" \
    "$R"/var/cache/debconf/*-old "$R"/var/log/*.log
  : > "$R/etc/resolv.conf"
  cat > "$R/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/bash
# Stand-in for the official postgres image's entrypoint: POSTGRES_USER, POSTGRES_PASSWORD,
# POSTGRES_DB, POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD, PGDATA,
# /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz}; CMD is "postgres [args...]".
set -Eeo pipefail
if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
if [ "$1" != 'postgres' ]; then exec "$@"; fi
: "${PGDATA:=/var/lib/postgresql/data}"; export PGDATA
if [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chmod 00700 "$PGDATA" || :
	chown -R postgres:postgres "$PGDATA" /var/run/postgresql
	chmod 03775 /var/run/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	: "${POSTGRES_USER:=postgres}"; : "${POSTGRES_DB:=$POSTGRES_USER}"
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != 'trust' ]; then
		echo >&2 'error: POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)'; exit 1
	fi
	pwfile=$(mktemp); printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
	eval 'initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --no-sync '"$POSTGRES_INITDB_ARGS"
	rm -f "$pwfile"
	printf '\nhost all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >> "$PGDATA/pg_hba.conf"
	# temporary server, unix socket only, for CREATE DATABASE and init scripts
	pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432 -c fsync=off" -w start
	export PGPASSWORD="$POSTGRES_PASSWORD"
	psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --no-password)
	if [ "$POSTGRES_DB" != 'postgres' ]; then
		"${psql[@]}" --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
			CREATE DATABASE :"db" ;
		EOSQL
	fi
	psql+=(--dbname "$POSTGRES_DB")
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh)     echo "running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
			*.sql)    echo "running $f"; "${psql[@]}" -f "$f" ;;
			*.sql.gz) echo "running $f"; gunzip -c "$f" | "${psql[@]}" ;;
			*)        [ -e "$f" ] && echo "ignoring $f" ;;
		esac
	done
	unset PGPASSWORD
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo 'PostgreSQL init process complete; ready for start up.'
fi
shift
exec postgres -c listen_addresses='*' "$@"
ENTRYPOINT
  chmod 0755 "$R/usr/local/bin/docker-entrypoint.sh"
  mkdir -p "$R/docker-entrypoint-initdb.d" "$R/var/lib/postgresql/data"
  chroot "$R" chown postgres:postgres /var/lib/postgresql/data
  chmod 700 "$R/var/lib/postgresql/data"
  tar --numeric-owner -C "$R" -c . | docker import - "$IMAGE-rootfs" >&2
  # docker import --change cannot set STOPSIGNAL: add the metadata with a build FROM the
  # local image (no registry involved)
  docker build -q -t "$IMAGE" - >&2 <<EOF
FROM $IMAGE-rootfs
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    PGDATA=/var/lib/postgresql/data LANG=en_US.utf8
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
EOF
  docker rmi "$IMAGE-rootfs" >/dev/null 2>&1 || :
  rm -rf "$R"
  trap - EXIT
  log "saving $CACHE"
  docker save "$IMAGE" | zstd -q -T0 -3 -o "$CACHE.partial" -f
  mv -f "$CACHE.partial" "$CACHE"
}

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "image $IMAGE is present"
elif [ -s "$CACHE" ]; then
  log "loading $IMAGE from $CACHE"
  zstd -dc "$CACHE" | docker load >&2
else
  log "building $IMAGE from Debian packages"
  build_image
fi

cat > "$DIR/env.sh" <<EOF
export DOCKER_HOST=unix://$SOCK
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
export DMR_TEST_POSTGRES_IMAGE=$IMAGE
EOF
if [ -n "${GITHUB_ENV:-}" ]; then sed 's/^export //' "$DIR/env.sh" >> "$GITHUB_ENV"; fi
log "ready: . $DIR/env.sh    (stop with: sh $0 stop)"
