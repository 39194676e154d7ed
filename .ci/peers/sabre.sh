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
examples=/usr/share/doc/php-sabre-dav/examples/sql

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

mkdir -p "$state"
if [[ ! -s "$state/db.sqlite" ]]; then
  tmp="$state/db.sqlite.new"
  rm -f "$tmp"
  for f in calendars locks principals users; do
    sqlite_sql="$examples/sqlite.$f.sql"
    [[ -f "$sqlite_sql" ]] || sqlite_sql="$sqlite_sql.gz"
    if [[ "$sqlite_sql" == *.gz ]]; then zcat "$sqlite_sql"; else cat "$sqlite_sql"; fi
  done | php -r '
    $pdo = new PDO("sqlite:" . $argv[1]);
    $pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
    $pdo->exec(stream_get_contents(STDIN));
    $pdo->exec("DELETE FROM users; DELETE FROM principals; DELETE FROM calendars");
    $pdo->exec("INSERT INTO users (username, digesta1) VALUES (\"mentor\", \"" . md5("mentor:SabreDAV:correct-horse") . "\")");
    foreach (["", "/calendar-proxy-read", "/calendar-proxy-write"] as $sub) {
      $email = $sub === "" ? "mentor@example.org" : null;
      $st = $pdo->prepare("INSERT INTO principals (uri, email, displayname) VALUES (?, ?, ?)");
      $st->execute(["principals/mentor" . $sub, $email, $sub === "" ? "Mentor" : null]);
    }
    $pdo->exec("INSERT INTO calendars (principaluri, displayname, uri, ctag, components) VALUES (\"principals/mentor\", \"Default\", \"default\", 1, \"VEVENT,VTODO\")");
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
