#!/usr/bin/env bash
# sabre/dav (Debian php-sabre-dav) for the CalDAV integration tests: two
# `php -S` servers on one SQLite database, Basic auth on
# 127.0.0.1:${SABRE_BASIC_PORT:-18081} and Digest (MD5, qop=auth, Baïkal's
# default) on 127.0.0.1:${SABRE_DIGEST_PORT:-18082}. Account mentor /
# correct-horse, address mentor@example.org. Idempotent: a running server
# is left alone.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="${PEERS_STATE:-/var/lib/rendezvous-peers}/sabre"
basic_port="${SABRE_BASIC_PORT:-18081}"
digest_port="${SABRE_DIGEST_PORT:-18082}"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

mkdir -p "$state"
if [[ ! -s "$state/db.sqlite" ]]; then
  # sabre/dav 1.8's SQLite schema (its examples/sql), with one account.
  tmp="$state/db.sqlite.new"
  rm -f "$tmp"
  php -r '
    $pdo = new PDO("sqlite:" . $argv[1]);
    $pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
    $pdo->exec("
      CREATE TABLE calendarobjects (id integer primary key asc, calendardata blob, uri text, calendarid integer,
        lastmodified integer, etag text, size integer, componenttype text, firstoccurence integer, lastoccurence integer);
      CREATE TABLE calendars (id integer primary key asc, principaluri text, displayname text, uri text, ctag integer,
        description text, calendarorder integer, calendarcolor text, timezone text, components text, transparent bool);
      CREATE TABLE locks (id integer primary key asc, owner text, timeout integer, created integer, token text,
        scope integer, depth integer, uri text);
      CREATE TABLE principals (id INTEGER PRIMARY KEY ASC, uri TEXT, email TEXT, displayname TEXT, vcardurl TEXT, UNIQUE(uri));
      CREATE TABLE groupmembers (id INTEGER PRIMARY KEY ASC, principal_id INTEGER, member_id INTEGER, UNIQUE(principal_id, member_id));
      CREATE TABLE users (id integer primary key asc, username TEXT, digesta1 TEXT, UNIQUE(username));
    ");
    $pdo->prepare("INSERT INTO users (username, digesta1) VALUES (?, ?)")
        ->execute(["mentor", md5("mentor:SabreDAV:correct-horse")]);
    $st = $pdo->prepare("INSERT INTO principals (uri, email, displayname) VALUES (?, ?, ?)");
    $st->execute(["principals/mentor", "mentor@example.org", "Mentor"]);
    $st->execute(["principals/mentor/calendar-proxy-read", null, null]);
    $st->execute(["principals/mentor/calendar-proxy-write", null, null]);
    $pdo->exec("INSERT INTO calendars (principaluri, displayname, uri, ctag, components)
                VALUES (\"principals/mentor\", \"Default\", \"default\", 1, \"VEVENT,VTODO\")");
  ' "$tmp"
  mv "$tmp" "$state/db.sqlite"
fi

start() { # auth port
  if listening "$2"; then return; fi
  echo "sabre: starting $1 server on 127.0.0.1:$2"
  SABRE_AUTH="$1" SABRE_STATE="$state" setsid php -d include_path=.:/usr/share/php \
    -S "127.0.0.1:$2" "$here/sabre-server.php" >>"$state/$1.log" 2>&1 < /dev/null &
  for _ in $(seq 1 50); do listening "$2" && return; sleep 0.1; done
  echo "sabre: $1 server did not start:"; tail -n 20 "$state/$1.log"; exit 1
}
start basic "$basic_port"
start digest "$digest_port"
