#!/usr/bin/env bash
# Cyrus IMAP with its CalDAV module (Debian cyrus-imapd + cyrus-caldav) for
# the integration tests: cyrmaster with a configuration of our own, only
# the httpd service, on 127.0.0.1:${CYRUS_PORT:-18083}. Account mentor /
# correct-horse in a SASL database of our own. Idempotent: a running server
# is left alone.
set -euo pipefail
state="${PEERS_STATE:-/var/lib/rendezvous-peers}/cyrus"
port="${CYRUS_PORT:-18083}"
# IMAP only so that the first login creates the user's mailboxes.
imap_port="${CYRUS_IMAP_PORT:-18093}"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if listening "$port"; then exit 0; fi

mkdir -p "$state"/{config,spool,run/socket,run/lock,run/proc,sieve}
cat >"$state/imapd.conf" <<CONF
configdirectory: $state/config
partition-default: $state/spool
defaultpartition: default
proc_path: $state/run/proc
mboxname_lockpath: $state/run/lock
sievedir: $state/sieve
lmtpsocket: $state/run/socket/lmtp
idlesocket: $state/run/socket/idle
notifysocket: $state/run/socket/notify
servername: localhost
# The account's calendar address is mentor@<defaultdomain>.
defaultdomain: example.org
admins: cyrus
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $state/sasldb2
sasl_mech_list: PLAIN LOGIN
httpmodules: caldav
httpallowcompress: no
autocreate_quota: 0
autocreate_post: yes
caldav_allowscheduling: yes
caldav_realm: Cyrus
# Deleted calendars go at once: delayed ones keep their UIDs taken.
delete_mode: immediate
CONF
cat >"$state/cyrus.conf" <<CONF
START {
  recover cmd="/usr/lib/cyrus/bin/ctl_cyrusdb -C $state/imapd.conf -r"
}
SERVICES {
  http cmd="/usr/lib/cyrus/bin/httpd -C $state/imapd.conf" listen="127.0.0.1:$port" prefork=1
  imap cmd="/usr/lib/cyrus/bin/imapd -C $state/imapd.conf" listen="127.0.0.1:$imap_port" prefork=0
}
EVENTS {
}
CONF
if [[ ! -s "$state/sasldb2" ]]; then
  echo -n correct-horse | saslpasswd2 -p -c -f "$state/sasldb2" -u localhost mentor
fi
chown -R cyrus:mail "$state"
chmod 640 "$state/sasldb2"

echo "cyrus: starting on 127.0.0.1:$port"
setsid /usr/sbin/cyrmaster -C "$state/imapd.conf" -M "$state/cyrus.conf" -D -p "$state/run/master.pid" \
  >>"$state/master.log" 2>&1 </dev/null &
for _ in $(seq 1 300); do listening "$port" && break; sleep 0.1; done
listening "$port" || { echo "cyrus: did not start:"; tail -n 20 "$state/master.log"; exit 1; }
for _ in $(seq 1 50); do listening "$imap_port" && break; sleep 0.1; done
# The first IMAP login creates the account's mailboxes (autocreate); the
# calendars follow at its first CalDAV request.
curl -s --max-time 10 -u mentor:correct-horse "imap://127.0.0.1:$imap_port/" >/dev/null || true
curl -s --max-time 10 -u mentor:correct-horse -X PROPFIND -H "Depth: 0" \
  "http://127.0.0.1:$port/dav/calendars/user/mentor/" >/dev/null || true
