#!/bin/sh
# Entrypoint of the wxbridge image. Everything lives in the /data volume:
# config.yaml, registration.yaml, the SQLite database and the logs.
#
#   1st start: writes the example config, asks the admin to edit it, exits.
#   2nd start: generates the registration, asks the admin to register it with
#              the homeserver, exits.
#   then:      runs the bridge; extra arguments (for example
#              --ignore-unsupported-server) are passed to it.
#
# A first argument that does not start with "-" runs that command instead
# (for example `docker run -it … sh`).
set -eu

BINARY=${WXBRIDGE_BINARY:-/usr/bin/wxbridge}
# The repository's config.example.yaml: what `wxbridge -e` writes, with
# SQLite in /data as the database instead of mautrix's PostgreSQL example.
EXAMPLE=${WXBRIDGE_EXAMPLE:-/usr/share/wxbridge/config.example.yaml}
DATA=${WXBRIDGE_DATA:-/data}
CONFIG=$DATA/config.yaml
REGISTRATION=$DATA/registration.yaml

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
	exec "$@"
fi

cd "$DATA"
if [ ! -w . ]; then
	echo "wxbridge: $DATA is not writable by uid $(id -u). Give the volume to that user," >&2
	echo "for a bind mount: chown -R $(id -u):$(id -g) <host directory>" >&2
	exit 1
fi

if [ ! -f "$CONFIG" ]; then
	# The config holds the appservice tokens once -g has run: only the
	# bridge's user may read it.
	install -m 600 "$EXAMPLE" "$CONFIG"
	# In a container the bridge must listen on all interfaces.
	sed -i 's/^    hostname: 127\.0\.0\.1$/    hostname: 0.0.0.0/' "$CONFIG"
	cat <<MSG
No config file was found, so the example config was written to $CONFIG
(listening on 0.0.0.0:29350 in the container). Edit it: at least
homeserver.address and homeserver.domain, appservice.address (how the
homeserver reaches this container, e.g. http://wxbridge:29350) and
bridge.permissions. Then start the container again to generate the
registration file.
MSG
	exit 0
fi

if [ ! -f "$REGISTRATION" ]; then
	status=0
	"$BINARY" -g -c "$CONFIG" -r "$REGISTRATION" || status=$?
	if [ "$status" -ne 0 ]; then
		echo "wxbridge: generating $REGISTRATION failed (exit $status). Fix $CONFIG as said above and start the container again." >&2
		exit "$status"
	fi
	cat <<MSG
Generated the appservice registration $REGISTRATION (and stored its tokens
in $CONFIG). Register it with the homeserver (Synapse:
app_service_config_files; Dendrite: app_service_api.config_files), restart
the homeserver, then start this container again.
MSG
	exit 0
fi

exec "$BINARY" -c "$CONFIG" -r "$REGISTRATION" "$@"
