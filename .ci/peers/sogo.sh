#!/usr/bin/env bash
# SOGo (Debian sogo) for the integration tests: sogod on
# 127.0.0.1:${SOGO_WO_PORT:-18086} behind an apache2 of its own on
# 127.0.0.1:${SOGO_PORT:-18085} (as SOGo's documentation sets it up),
# memcached on 127.0.0.1:${SOGO_MEMCACHED_PORT:-18087}, users and folders in
# the database rendezvous_sogo of the PostgreSQL on 127.0.0.1:5432.
# Invitation mail goes through a sendmail stand-in into mail.log, so a
# test can see what SOGo would have sent. Account mentor / correct-horse,
# address mentor@example.org. Idempotent.
set -euo pipefail
state="${PEERS_STATE:-/var/lib/rendezvous-peers}/sogo"
port="${SOGO_PORT:-18085}"
wo_port="${SOGO_WO_PORT:-18086}"
mc_port="${SOGO_MEMCACHED_PORT:-18087}"
db=rendezvous_sogo
pg=(-h 127.0.0.1 -p 5432 -U postgres)

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() { # port what
  for _ in $(seq 1 600); do listening "$1" && return; sleep 0.1; done
  echo "sogo: $2 did not start on port $1"; tail -n 30 "$state"/*.log; exit 1
}
mkdir -p "$state"
chown sogo:sogo "$state"

if ! psql "${pg[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname='sogo'" postgres | grep -q 1; then
  psql "${pg[@]}" -qXc "CREATE ROLE sogo LOGIN" postgres
fi
if ! psql "${pg[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" postgres | grep -q 1; then
  echo "sogo: creating database $db"
  psql "${pg[@]}" -qXc "CREATE DATABASE $db OWNER sogo" postgres
  psql -h 127.0.0.1 -p 5432 -U sogo -qX -v ON_ERROR_STOP=1 "$db" <<'SQL'
CREATE TABLE sogo_users (c_uid varchar(64) PRIMARY KEY, c_name varchar(64) NOT NULL,
  c_password varchar(128) NOT NULL, c_cn varchar(128), mail varchar(128));
INSERT INTO sogo_users VALUES ('mentor', 'mentor', 'correct-horse', 'Mentor', 'mentor@example.org');
SQL
fi

cat >"$state/sendmail" <<SH
#!/bin/sh
# sendmail stand-in: SOGo's outgoing mail is appended to mail.log.
{ echo "From sogo \$(date -u +%FT%TZ) \$*"; cat; echo; } >>"$state/mail.log"
SH
chmod 755 "$state/sendmail"
touch "$state/mail.log" && chown sogo:sogo "$state/mail.log"

url="postgresql://sogo@127.0.0.1:5432/$db"
cat >/etc/sogo/sogo.conf <<CONF
{
  SOGoProfileURL = "$url/sogo_user_profile";
  OCSFolderInfoURL = "$url/sogo_folder_info";
  OCSSessionsFolderURL = "$url/sogo_sessions_folder";
  OCSEMailAlarmsFolderURL = "$url/sogo_alarms_folder";
  SOGoUserSources = ({
    type = sql; id = users; viewURL = "$url/sogo_users";
    canAuthenticate = YES; isAddressBook = NO; userPasswordAlgorithm = plain;
  });
  SOGoLanguage = English;
  SOGoTimeZone = UTC;
  SOGoMailDomain = example.org;
  SOGoAppointmentSendEMailNotifications = YES;
  SOGoMailingMechanism = sendmail;
  SOGoSendmailPath = "$state/sendmail";
  SOGoMemcachedHost = "127.0.0.1:$mc_port";
  WOPort = "127.0.0.1:$wo_port";
  WOWorkersCount = 2;
  WOLogFile = "$state/sogod.log";
  WOPidFile = "$state/sogod.pid";
}
CONF
chmod 644 /etc/sogo/sogo.conf

if ! listening "$mc_port"; then
  echo "sogo: starting memcached on 127.0.0.1:$mc_port"
  memcached -d -u memcache -l 127.0.0.1 -p "$mc_port" -U 0 -m 64
  wait_for "$mc_port" memcached
fi
if ! listening "$wo_port"; then
  echo "sogo: starting sogod on 127.0.0.1:$wo_port"
  setsid su sogo -s /bin/sh -c "/usr/sbin/sogod -WONoDetach YES" >>"$state/sogod-stdout.log" 2>&1 </dev/null &
  wait_for "$wo_port" sogod
fi
if ! listening "$port"; then
  cat >"$state/apache2.conf" <<CONF
ServerRoot /etc/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $state/apache2.pid
ErrorLog $state/apache2-error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
StartServers 2
MinSpareServers 2
MaxSpareServers 4
Redirect permanent /.well-known/caldav /SOGo/dav
ProxyRequests Off
ProxyPreserveHost On
# sogod closes idle connections: a reused one fails the request.
ProxyPass /SOGo http://127.0.0.1:$wo_port/SOGo retry=0 disablereuse=On
<Proxy http://127.0.0.1:$wo_port/SOGo>
  Require all granted
  RequestHeader set "x-webobjects-server-port" "$port"
  RequestHeader set "x-webobjects-server-name" "127.0.0.1"
  RequestHeader set "x-webobjects-server-url" "http://127.0.0.1:$port"
  RequestHeader set "x-webobjects-server-protocol" "HTTP/1.0"
</Proxy>
CONF
  echo "sogo: starting apache2 on 127.0.0.1:$port"
  apache2 -f "$state/apache2.conf" -k start
  wait_for "$port" apache2
fi
