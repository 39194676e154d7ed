#!/usr/bin/env bash
# DAViCal (Debian davical) for the integration tests: its own database
# rendezvous_davical in the PostgreSQL on 127.0.0.1:5432 (which .ci/run
# starts first), and an apache2 of its own (mod_php, prefork) from a
# configuration written here, on 127.0.0.1:${DAVICAL_PORT:-18084}.
# Account mentor / correct-horse, address mentor@example.org. Idempotent.
set -euo pipefail
state="${PEERS_STATE:-/var/lib/rendezvous-peers}/davical"
port="${DAVICAL_PORT:-18084}"
db=rendezvous_davical
pg=(-h 127.0.0.1 -p 5432 -U postgres)

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if listening "$port"; then exit 0; fi
mkdir -p "$state"

if ! psql "${pg[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" postgres | grep -q 1; then
  echo "davical: creating database $db"
  PGHOST=127.0.0.1 PGUSER=postgres /usr/share/davical/dba/create-database.sh "$db" admin-not-used >"$state/create-database.log" 2>&1 \
    || { cat "$state/create-database.log"; exit 1; }
  psql "${pg[@]}" -qX -v ON_ERROR_STOP=1 "$db" <<'SQL'
INSERT INTO usr (active, email_ok, updated, username, password, fullname, email)
  VALUES (TRUE, current_date, current_date, 'mentor', '**correct-horse', 'Mentor', 'mentor@example.org');
INSERT INTO principal (type_id, user_no, displayname, default_privileges)
  SELECT 1, user_no, 'Mentor', 0::BIT(24) FROM usr WHERE username = 'mentor';
SQL
fi

# DAViCal reads /etc/davical/<server name>-conf.php before config.php.
cat >/etc/davical/127.0.0.1-conf.php <<CONF
<?php
\$c->pg_connect[] = "dbname=$db user=davical_app host=127.0.0.1 port=5432";
\$c->admin_email = 'admin@example.org';
\$c->system_name = 'Rendezvous test DAViCal';
\$c->home_calendar_name = 'calendar';
CONF

cat >"$state/apache2.conf" <<CONF
ServerRoot /etc/apache2
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile $state/apache2.pid
ErrorLog $state/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
LoadModule php_module /usr/lib/apache2/modules/libphp8.2.so
StartServers 2
MinSpareServers 2
MaxSpareServers 4
TypesConfig /etc/mime.types
DocumentRoot /usr/share/davical/htdocs
DirectoryIndex index.php
AcceptPathInfo On
<FilesMatch "\.php\$">
  SetHandler application/x-httpd-php
</FilesMatch>
<Directory /usr/share/davical/htdocs>
  Require all granted
  AllowOverride None
  php_value include_path /usr/share/awl/inc
  php_value error_reporting "E_ALL & ~E_DEPRECATED & ~E_NOTICE & ~E_WARNING"
</Directory>
RewriteEngine On
# RFC 6764 discovery, as DAViCal's documentation configures it.
RewriteRule ^/\.well-known/(caldav|carddav)\$ /caldav.php/ [R=301,L]
CONF

echo "davical: starting apache2 on 127.0.0.1:$port"
apache2 -f "$state/apache2.conf" -k start
for _ in $(seq 1 300); do listening "$port" && break; sleep 0.1; done
listening "$port" || { echo "davical: apache2 did not start:"; tail -n 20 "$state/error.log"; exit 1; }
