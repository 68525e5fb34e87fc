# shellcheck shell=bash disable=SC2034,SC2209  # globals for bench/openstack; OS_CLOUD=admin is an env prefix
# bench/openstack-lib.sh: helpers of bench/openstack (sourced, not run): the bench
# project and its cloud entry, a token for curl, raw Nova calls (multi-create,
# polling, deleting), timing. Every raw call is curl with a token taken once,
# so it is also what the "floor" columns measure.
# Needs: curl, jq, /usr/bin/python3 with yaml (the cloud's own packages have it).

OS_PROJECT=${BENCH_OS_PROJECT:-bench}
BENCH_CLOUD=bench                  # the cloud entry written into our clouds.yaml
MV="OpenStack-API-Version: compute 2.79"  # what lib/openstack sends (OS_COMPUTE_MICROVERSION)

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
say() { printf '[bench/openstack %4ss] %s\n' "$(( $(date +%s) - BENCH_T0 ))" "$*" >&2; }

# The "bench" project with admin in it (admin + member) and quotas for 1000+50
# m1.tiny (512 MiB, 1 vCPU) with room to spare. Idempotent.
os_project_setup() {
	local id
	id=$(OS_CLOUD=admin openstack project show "$OS_PROJECT" -f value -c id 2>/dev/null) ||
		id=$(OS_CLOUD=admin openstack project create "$OS_PROJECT" --domain default \
			--description "cloudctl bench/openstack servers" -f value -c id)
	OS_CLOUD=admin openstack role add --project "$id" --user admin admin
	OS_CLOUD=admin openstack role add --project "$id" --user admin member
	OS_CLOUD=admin openstack quota set --instances 1200 --cores 1200 --ram 700000 "$id"
	BENCH_PROJECT_ID=$id
}

# $DIR/clouds.yaml + secure.yaml (0600): the admin cloud, scoped to the bench
# project, as cloud "bench"; both clients then read only these files.
os_bench_cloud() {
	local dir=$1
	(umask 077; /usr/bin/python3 - "$OS_CLIENT_CONFIG_FILE" "$OS_CLIENT_SECURE_FILE" "$dir" "$OS_PROJECT" <<'PY'
import sys, yaml
clouds, secure, d, project = sys.argv[1:5]
c = yaml.safe_load(open(clouds))["clouds"]["admin"]
s = yaml.safe_load(open(secure))["clouds"]["admin"]
c["auth"]["project_name"] = project
yaml.safe_dump({"clouds": {"bench": c}}, open(f"{d}/clouds.yaml", "w"))
yaml.safe_dump({"clouds": {"bench": s}}, open(f"{d}/secure.yaml", "w"))
PY
	)
	export OS_CLIENT_CONFIG_FILE=$dir/clouds.yaml OS_CLIENT_SECURE_FILE=$dir/secure.yaml
}

# TOKEN, NOVA, GLANCE for the bench cloud: one Keystone login (the password
# travels in a file given to curl, never on a command line).
os_token() {
	local dir=$1 body
	(umask 077; /usr/bin/python3 - "$OS_CLIENT_SECURE_FILE" "$OS_PROJECT" > "$dir/auth.json" <<'PY'
import json, sys, yaml
s = yaml.safe_load(open(sys.argv[1]))["clouds"]["bench"]["auth"]
print(json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": "admin", "domain": {"name": "Default"}, "password": s["password"]}}},
    "scope": {"project": {"name": sys.argv[2], "domain": {"name": "Default"}}}}}))
PY
	)
	body=$(curl -fsS -D "$dir/auth.hdr" -H 'Content-Type: application/json' \
		--data-binary @"$dir/auth.json" "$CLOUDCTL_OS_AUTH_URL/auth/tokens")
	rm -f "$dir/auth.json"
	TOKEN=$(sed -n 's/^[Xx]-[Ss]ubject-[Tt]oken: *\([^[:space:]]*\).*/\1/p' "$dir/auth.hdr")
	rm -f "$dir/auth.hdr"
	NOVA=$(jq -r '.token.catalog[] | select(.type == "compute") | .endpoints[]
		| select(.interface == "public") | .url' <<< "$body" | head -1)
	GLANCE=$(jq -r '.token.catalog[] | select(.type == "image") | .endpoints[]
		| select(.interface == "public") | .url' <<< "$body" | head -1)
	[ -n "$TOKEN" ] && [ -n "$NOVA" ] && [ -n "$GLANCE" ] || return 1
	# curl reads the headers from a file: the token stays off every command line
	printf 'X-Auth-Token: %s\nAccept: application/json\nContent-Type: application/json\n%s\n' \
		"$TOKEN" "$MV" > "$dir/hdr"
	HDR=$dir/hdr
}

# GET and DELETE ride out a restart of an API (other sessions share the cloud);
# a POST is never resent (it could make a server twice).
RETRY=(--retry 5 --retry-connrefused --retry-delay 2)
nova() { # METHOD PATH [BODY]: the body of the answer on stdout
	local retry=("${RETRY[@]}")
	[ "$1" = POST ] && retry=()
	curl -fsS "${retry[@]}" -X "$1" -H @"$HDR" "$NOVA$2" ${3:+--data-binary "$3"}
}

# IDs of the flavor and image the bench uses
os_refs() {
	FLAVOR_ID=$(nova GET /flavors | jq -r '.flavors[] | select(.name == "m1.tiny") | .id')
	IMAGE_ID=$(curl -fsS -H @"$HDR" "$GLANCE/v2/images?name=tiny-image" | jq -r '.images[0].id')
	[ -n "$FLAVOR_ID" ] && [ "$IMAGE_ID" != null ]
}

server_body() { # NAME COUNT
	jq -cn --arg n "$1" --argjson c "$2" --arg f "$FLAVOR_ID" --arg i "$IMAGE_ID" \
		'{server: {name: $n, flavorRef: $f, imageRef: $i, networks: "none", min_count: $c, max_count: $c}}'
}

# Servers of the bench project by status: "STATUS COUNT" lines (every page)
os_status_counts() {
	local url="$NOVA/servers/detail?limit=1000" page
	while [ -n "$url" ]; do
		page=$(curl -fsS "${RETRY[@]}" -H @"$HDR" "$url")
		jq -r '.servers[].status' <<< "$page"
		url=$(jq -r '.servers_links[]? | select(.rel == "next") | .href' <<< "$page")
	done | sort | uniq -c | awk '{ print $2, $1 }'
}
os_count() { os_status_counts | awk '{ n += $2 } END { print n + 0 }'; }

# The floor's wait: the cheapest poll Nova has. GET /servers?status=BUILD (no
# detail: ~25 ms where /servers/detail takes ~500 ms for 50 servers, time the one
# nova-api worker would take from the builds) each second until none is left,
# then one count of the ACTIVE ones (a server in ERROR fails it).
os_wait_built() { # N [T]
	local n=$1 end=$(( $(date +%s) + ${2:-1800} )) a
	while [ "$(nova GET '/servers?status=BUILD&limit=1000' | jq '.servers | length')" != 0 ]; do
		[ "$(date +%s)" -ge "$end" ] && { echo "bench/openstack: servers still building" >&2; return 1; }
		sleep 1
	done
	a=$(nova GET '/servers?status=ACTIVE&limit=1000' | jq '.servers | length')
	[ "$a" = "$n" ] || { echo "bench/openstack: $a of $n servers ACTIVE: $(os_status_counts | tr '\n' ' ')" >&2; return 1; }
}

server_ids() { nova GET '/servers?limit=1000' | jq -r '.servers[].id'; }
delete_ids() { # one DELETE per ID on stdin, 8 in flight (404: already gone, fine)
	xargs -r -P 8 -I{} curl -sS "${RETRY[@]}" -o /dev/null -X DELETE -H @"$HDR" "$NOVA/servers/{}"
}

# Delete every server of the bench project and wait until none is left; the
# DELETEs are sent again only for servers still there after a minute.
os_delete_all() { # [T]
	local end=$(( $(date +%s) + ${1:-1800} )) ids resend=0
	ids=$(server_ids) || return 1
	delete_ids <<< "$ids"
	while [ -n "$ids" ]; do
		[ "$(date +%s)" -ge "$end" ] && { echo "bench/openstack: servers still not deleted" >&2; return 1; }
		sleep 2
		ids=$(server_ids) || return 1
		resend=$(( resend + 1 ))
		[ $(( resend % 30 )) = 0 ] && delete_ids <<< "$ids"
	done
	return 0
}

# Make the bench project hold exactly N ACTIVE servers: multi-creates of BATCH
# (N up to 1000: the counts above read one page of Nova's max_limit)
os_fill() { # N
	local n=$1 have k batch=${BENCH_OS_BATCH:-100} t0
	have=$(os_count)
	if [ "$have" -gt "$n" ] || ! os_wait_built "$have" 120 2> /dev/null; then
		os_delete_all 1800
		have=0
	fi
	t0=$(date +%s%N)
	while [ "$have" -lt "$n" ]; do
		k=$(( n - have < batch ? n - have : batch ))
		nova POST /servers "$(server_body "bench-s$have" "$k")" > /dev/null || return 1
		have=$(( have + k ))
		os_wait_built "$have" 3600 || return 1
		say "  $have of $n servers ACTIVE ($(( $(ms_since "$t0") / 1000 )) s)"
	done
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2 ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2)) }'; }

# Medians of R rounds of the commands NAME=FUNCTION...: each round runs every
# one once, in turn, so a burst of load from elsewhere hits all alike; one
# untimed run each first. Sets T[NAME]; a NAME whose run fails gets "".
time_rounds() { # R NAME=FUNCTION...
	local r=$1 i kv name t0; shift
	declare -A fail=()
	for kv in "$@"; do "${kv#*=}" > /dev/null 2>> "$BENCH_DIR/err" || fail[${kv%%=*}]=1; done
	for i in $(seq 1 "$r"); do
		for kv in "$@"; do
			name=${kv%%=*}
			[ -n "${fail[$name]:-}" ] && continue
			t0=$(date +%s%N)
			if "${kv#*=}" > /dev/null 2>> "$BENCH_DIR/err"; then ms_since "$t0" >> "$BENCH_DIR/t.$name"
			else fail[$name]=1; fi
		done
	done
	for kv in "$@"; do
		name=${kv%%=*}
		T[$name]=
		[ -z "${fail[$name]:-}" ] && T[$name]=$(median < "$BENCH_DIR/t.$name")
		rm -f "$BENCH_DIR/t.$name"
	done
	return 0
}
