#!/usr/bin/env bash
# openstack-start.sh -- a minimal, REAL OpenStack (Zed, from Debian bookworm's own
# packages) on this machine for the tests, every listener bound to 127.0.0.1.
#
#   Keystone (uwsgi) :5000   Glance :9292   Placement (uwsgi) :8778
#   Nova API :8774 + conductor + scheduler + compute (nova's fake virt driver)
#   Neutron :9696 (ML2/openvswitch, a registered stand-in OVS agent, no dataplane)
#   Cinder  :8776 + scheduler + volume (fake driver) -- only with CLOUDCTL_OS_CINDER=1
#   MariaDB :3306 (own datadir), RabbitMQ :5672 (+ epmd :4369, dist :25672)
#
# Idempotent: installs missing packages (apt-get, no debconf prompts, daemons
# kept from auto-starting), (re)writes configs under $SVC_DIR/openstack, creates
# and syncs the DBs once, starts whatever is not already running, waits for
# every API and for nova-compute, then makes sure the projects and users
# (admin; tenant-a and tenant-b, role member), an application credential of
# tenant-a, the endpoints, the flavors m1.tiny/m1.small/m1.medium, the public
# image "tiny-image" and the external network "public" exist.
#
# Client files (in $SVC_DIR/openstack): clouds.yaml (clouds admin, tenant-a,
# tenant-b, tenant-a-appcred; no secrets), secure.yaml (their passwords and the
# application credential's secret, 0600), env (OS_CLIENT_CONFIG_FILE and
# OS_CLIENT_SECURE_FILE -- openstacksdk finds a secure.yaml next to an
# OS_CLIENT_CONFIG_FILE only through the latter).  Passwords are random, made
# on the first start and kept in state/passwords (0600).
#
# Each service runs in its own session (setsid: SID == PID); run/NAME.pid holds
# "PID STARTTIME" (a recycled PID never matches); openstack-stop.sh ends exactly
# the members of those sessions.  Pitfalls met on this machine and fixed here
# are marked "pitfall:" below.
#
# Usage:  tests/services/openstack-start.sh        (as root)
#         set -a; . $SVC_DIR/openstack/env; set +a; OS_CLOUD=tenant-a openstack server list
# Env:    CLOUDCTL_SVC_DIR, CLOUDCTL_OS_CINDER=1, CLOUDCTL_OS_NO_INSTALL=1,
#         CLOUDCTL_OS_MYSQL_PORT
set -Eeuo pipefail
source "$(dirname "$0")/common.sh"

D=$SVC_DIR/openstack
HOST_NAME=cloudctl              # nova/neutron/cinder "host" (fixed, not $(hostname))
IP=127.0.0.1
REGION=RegionOne
SVC_PASS=service-pass           # service users; on loopback only, never given to tests
DB_USER=openstack
DB_PASS=db-pass
RMQ_USER=openstack
RMQ_PASS=rabbit-pass
MYSQL_PORT=${CLOUDCTL_OS_MYSQL_PORT:-3306}
RMQ_PORT=5672
EPMD_PORT=4369
RMQ_DIST_PORT=25672
KEYSTONE_PORT=5000
GLANCE_PORT=9292
PLACEMENT_PORT=8778
NOVA_PORT=8774
NEUTRON_PORT=9696
CINDER_PORT=8776
SKIP_CINDER=1
[[ ${CLOUDCTL_OS_CINDER:-0} == 1 ]] && SKIP_CINDER=0
APPCRED_NAME=cloudctl-test
# pitfall: `python3` on PATH may be a pyenv shim without the OpenStack libs
PY=/usr/bin/python3
export CLOUDCTL_OS_TAG="$D"     # every process we start inherits this (for `ps e` / humans only)
# pitfall: the caller's OS_CLOUD/OS_USERNAME/... leak into openstacksdk calls
# below (the identity bootstrap ran as a tenant and died): drop them all.
for v in $(compgen -e | grep '^OS_'); do unset "$v"; done

PKGS=(python3-keystone python3-glance python3-placement python3-nova python3-neutron
      python3-openstackclient python3-osc-placement python3-pymysql
      uwsgi-core uwsgi-plugin-python3 rabbitmq-server mariadb-server curl)
[[ $SKIP_CINDER == 1 ]] || PKGS+=(python3-cinder)

T0=$(date +%s)
trap 'log "FAILED (exit $?) at line $LINENO: $BASH_COMMAND"' ERR
log() { printf '[openstack-start %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- packages --
install_packages() {
  local missing=() p
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && { log "packages: all present"; return; }
  [[ ${CLOUDCTL_OS_NO_INSTALL:-0} == 1 ]] && die "missing packages: ${missing[*]}"
  log "packages: installing ${#missing[@]} missing: ${missing[*]}"
  # No systemd here: keep package postinsts from starting daemons (which would
  # listen on 0.0.0.0).  Create a temporary policy-rc.d only if none exists.
  local made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1
  fi
  local t=$(date +%s) rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    > "$D/log/apt-install.log" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]]; then
    log "apt-get install failed (rc=$rc); running apt-get update and retrying"
    apt-get update -q >> "$D/log/apt-install.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
      >> "$D/log/apt-install.log" 2>&1 || rc=$?
  fi
  [[ $made_policy == 1 ]] && rm -f /usr/sbin/policy-rc.d
  [[ $rc -eq 0 ]] || die "apt-get install failed, see $D/log/apt-install.log"
  log "packages: installed in $(( $(date +%s) - t ))s"
}

# ------------------------------------------------------- process handling --
# run/NAME.pid holds "PID STARTTIME" (STARTTIME = field 22 of /proc/PID/stat,
# so a recycled PID never matches).  Each service runs in its own session
# (setsid: SID == PGID == PID), which is how `down` finds its children.
# (/proc/PID/environ is useless for this: setproctitle, used by neutron and
# oslo.service workers, overwrites it.)
proc_start() { local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; st=${st##*) }; set -- $st; echo "${20}"; }

svc_running() {
  local f="$D/run/$1.pid" pid st cur
  [[ -f $f ]] || return 1
  read -r pid st < "$f" || return 1
  cur=$(proc_start "$pid") || return 1
  [[ $cur == "$st" ]]
}

# start_svc NAME CMD...  -- new session, output appended to log/NAME.log
start_svc() {
  local name=$1 pid; shift
  if svc_running "$name"; then log "$name: already running (pid $(cut -d' ' -f1 "$D/run/$name.pid"))"; return 0; fi
  log "$name: starting"
  setsid "$@" >> "$D/log/$name.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid $(proc_start "$pid")" > "$D/run/$name.pid"
}

wait_ready() {  # wait_ready DESC TIMEOUT CMD...  (common.sh has its own wait_for)
  local desc=$1 to=$2 i=0; shift 2
  until "$@" > /dev/null 2>&1; do
    i=$((i + 1)); (( i > to * 2 )) && die "timeout waiting for $desc"
    sleep 0.5
  done
  log "$desc: ready"
}

http_up() {  # any HTTP status at all means the API process answers
  local code; code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$1") || true
  [[ $code != 000 && -n $code ]]
}

mysql_root() { mariadb --no-defaults --protocol=socket --socket="$D/run/mysqld.sock" -uroot "$@"; }

# ------------------------------------------------------------- configs ---
write_file() { mkdir -p "$(dirname "$1")"; cat > "$1"; }

db_url() { echo "mysql+pymysql://$DB_USER:$DB_PASS@$IP:$MYSQL_PORT/$1?charset=utf8"; }

authtoken() {  # authtoken USER  -> [keystone_authtoken] body
  cat <<EOF
[keystone_authtoken]
www_authenticate_uri = http://$IP:$KEYSTONE_PORT
auth_url = http://$IP:$KEYSTONE_PORT
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $1
password = $SVC_PASS
region_name = $REGION
service_token_roles_required = true
EOF
}

ks_client_section() {  # ks_client_section SECTION USER -> keystoneauth password section
  cat <<EOF
[$1]
auth_type = password
auth_url = http://$IP:$KEYSTONE_PORT/v3
project_domain_name = Default
user_domain_name = Default
project_name = service
username = $2
password = $SVC_PASS
region_name = $REGION
EOF
}

write_configs() {
  local E="$D/etc" TRANSPORT="rabbit://$RMQ_USER:$RMQ_PASS@$IP:$RMQ_PORT/"

  # --- launchers: console scripts live in the service packages (init scripts,
  # debconf, dbconfig-common...), which we do not install; call the entry points.
  local b
  for b in "keystone-manage keystone.cmd.manage" "glance-manage glance.cmd.manage" \
           "glance-api glance.cmd.api" "placement-manage placement.cmd.manage" \
           "nova-manage nova.cmd.manage" "nova-api nova.cmd.api" \
           "nova-conductor nova.cmd.conductor" "nova-scheduler nova.cmd.scheduler" \
           "nova-compute nova.cmd.compute" "neutron-db-manage neutron.db.migration.cli" \
           "neutron-server neutron.cmd.eventlet.server" "cinder-manage cinder.cmd.manage" \
           "cinder-api cinder.cmd.api" "cinder-scheduler cinder.cmd.scheduler" \
           "cinder-volume cinder.cmd.volume"; do
    set -- $b
    write_file "$D/bin/$1" <<EOF
#!$PY
import sys
from $2 import main
sys.exit(main())
EOF
    chmod +x "$D/bin/$1"
  done
  # nova-compute: load our FakeDriver subclass (after nova.cmd's monkey-patching)
  write_file "$D/bin/nova-compute" <<EOF
#!$PY
import sys
from nova.cmd.compute import main
sys.path.insert(0, '$D/lib')
import cloudctl_fake  # noqa: registers nova.virt.cloudctl_fake
sys.exit(main())
EOF
  chmod +x "$D/bin/nova-compute"
  write_file "$D/lib/cloudctl_fake.py" <<'EOF'
"""nova.virt.cloudctl_fake -- nova's FakeDriver, surviving a nova-compute restart.

FakeDriver keeps its "guests" in a dict in memory, so after nova-compute
restarts every existing server is unknown to it: stop silently does nothing,
reboot/start put the server in ERROR.  This subclass re-adopts this host's
servers from the database when the service starts.  Nothing else differs.
"""
import sys

from oslo_log import log as logging

from nova import context as nova_context
from nova import objects
from nova.compute import power_state
from nova.compute import vm_states
from nova.virt import fake

sys.modules['nova.virt.cloudctl_fake'] = sys.modules[__name__]
LOG = logging.getLogger(__name__)
_STATE = {vm_states.STOPPED: power_state.SHUTDOWN,
          vm_states.SHELVED: power_state.SHUTDOWN,
          vm_states.PAUSED: power_state.PAUSED,
          vm_states.SUSPENDED: power_state.SUSPENDED}


class PersistentFakeDriver(fake.FakeDriver):
    def init_host(self, host):
        super().init_host(host)
        try:
            ctx = nova_context.get_admin_context()
            for inst in objects.InstanceList.get_by_host(ctx, host):
                if inst.vm_state in (vm_states.DELETED, vm_states.SOFT_DELETED,
                                     vm_states.SHELVED_OFFLOADED):
                    continue
                self.instances[inst.uuid] = fake.FakeInstance(
                    inst.name, _STATE.get(inst.vm_state, power_state.RUNNING), inst.uuid)
            LOG.info('cloudctl_fake: re-adopted %d instance(s) on %s', len(self.instances), host)
        except Exception:
            LOG.exception('cloudctl_fake: could not re-adopt instances')
EOF
  write_file "$D/bin/keystone-wsgi.py" <<'EOF'
from keystone.server.wsgi import initialize_public_application
application = initialize_public_application()
EOF
  write_file "$D/bin/placement-wsgi.py" <<'EOF'
from placement.wsgi import init_application
application = init_application()
EOF

  # --- rabbitmq
  write_file "$E/rabbitmq/rabbitmq.conf" <<EOF
listeners.tcp.default = $IP:$RMQ_PORT
default_user = $RMQ_USER
default_pass = $RMQ_PASS
default_vhost = /
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
loopback_users = none
log.console = true
log.console.level = warning
log.file = false
EOF
  echo '[].' > "$E/rabbitmq/enabled_plugins"
  : > "$E/rabbitmq/rabbitmq-env.conf"

  # --- keystone
  write_file "$E/keystone/keystone.conf" <<EOF
[DEFAULT]
debug = false
[database]
connection = $(db_url keystone)
[identity]
# bcrypt's default (12 rounds) costs ~300 ms of CPU per password auth here,
# and every CLI call authenticates: 4 is bcrypt's minimum.
password_hash_rounds = 4
[token]
provider = fernet
expiration = 14400
[fernet_tokens]
key_repository = $D/data/keystone/fernet-keys
[fernet_receipts]
key_repository = $D/data/keystone/fernet-keys
[credential]
key_repository = $D/data/keystone/credential-keys
[oslo_messaging_notifications]
driver = noop
EOF

  # --- placement
  write_file "$E/placement/placement.conf" <<EOF
[DEFAULT]
debug = false
[api]
auth_strategy = keystone
[placement_database]
connection = $(db_url placement)
$(authtoken placement)
EOF

  # --- glance
  write_file "$E/glance/glance-api.conf" <<EOF
[DEFAULT]
debug = false
bind_host = $IP
bind_port = $GLANCE_PORT
workers = 0
node_staging_uri = file://$D/data/glance/staging
[database]
connection = $(db_url glance)
$(authtoken glance)
[paste_deploy]
flavor = keystone
config_file = $E/glance/glance-api-paste.ini
[glance_store]
stores = file,http
default_store = file
filesystem_store_datadir = $D/data/glance/images
[oslo_concurrency]
lock_path = $D/data/glance/lock
[oslo_messaging_notifications]
driver = noop
EOF
  write_file "$E/glance/glance-api-paste.ini" <<'EOF'
[pipeline:glance-api-keystone]
pipeline = cors healthcheck http_proxy_to_wsgi versionnegotiation osprofiler authtoken context  rootapp
[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app
[app:apiversions]
paste.app_factory = glance.api.versions:create_resource
[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory
[filter:healthcheck]
paste.filter_factory = oslo_middleware:Healthcheck.factory
backends = disable_by_file
disable_by_file_path = /etc/glance/healthcheck_disable
[filter:versionnegotiation]
paste.filter_factory = glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory
[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
delay_auth_decision = true
[filter:osprofiler]
paste.filter_factory = osprofiler.web:WsgiMiddleware.factory
[filter:cors]
paste.filter_factory =  oslo_middleware.cors:filter_factory
oslo_config_project = glance
oslo_config_program = glance-api
[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware:HTTPProxyToWSGI.factory
EOF

  # --- nova
  write_file "$E/nova/nova.conf" <<EOF
[DEFAULT]
debug = false
host = $HOST_NAME
my_ip = $IP
transport_url = $TRANSPORT
state_path = $D/data/nova
instances_path = $D/data/nova/instances
compute_driver = cloudctl_fake.PersistentFakeDriver
enabled_apis = osapi_compute
osapi_compute_listen = $IP
osapi_compute_listen_port = $NOVA_PORT
osapi_compute_workers = 1
metadata_listen = $IP
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
heal_instance_info_cache_interval = -1
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $E/nova/api-paste.ini
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 30
[oslo_concurrency]
lock_path = $D/data/nova/lock
[oslo_messaging_notifications]
driver = noop
[vnc]
enabled = false
[spice]
enabled = false
[serial_console]
enabled = false
[glance]
region_name = $REGION
[cinder]
os_region_name = $REGION
$(authtoken nova)
$(ks_client_section placement nova)
$(ks_client_section neutron nova)
service_metadata_proxy = false
# Since the OSSA-2023-003 fix, cinder lets only nova (proven by a service
# token) delete an attachment: without this, volume detach hangs in "detaching".
$(ks_client_section service_user nova)
send_service_user_token = true
EOF
  # DB URLs only for api/conductor/scheduler/nova-manage: nova-compute must not have them
  write_file "$E/nova/nova-db.conf" <<EOF
[api_database]
connection = $(db_url nova_api)
[database]
connection = $(db_url nova)
EOF
  write_file "$E/nova/api-paste.ini" <<'EOF'
[composite:osapi_compute]
use = call:nova.api.openstack.urlmap:urlmap_factory
/: oscomputeversions
/v2: oscomputeversion_legacy_v2
/v2.1: oscomputeversion_v2
/v2/+: openstack_compute_api_v21_legacy_v2_compatible
/v2.1/+: openstack_compute_api_v21
[composite:openstack_compute_api_v21]
use = call:nova.api.auth:pipeline_factory_v21
keystone = healthcheck cors http_proxy_to_wsgi compute_req_id faultwrap request_log sizelimit osprofiler authtoken keystonecontext osapi_compute_app_v21
[composite:openstack_compute_api_v21_legacy_v2_compatible]
use = call:nova.api.auth:pipeline_factory_v21
keystone = healthcheck cors http_proxy_to_wsgi compute_req_id faultwrap request_log sizelimit osprofiler authtoken keystonecontext legacy_v2_compatible osapi_compute_app_v21
[filter:healthcheck]
use = egg:oslo.middleware#healthcheck
backends = disable_by_file
disable_by_file_path = /etc/nova/healthcheck_disable
[filter:request_log]
paste.filter_factory = nova.api.openstack.requestlog:RequestLog.factory
[filter:compute_req_id]
paste.filter_factory = nova.api.compute_req_id:ComputeReqIdMiddleware.factory
[filter:faultwrap]
paste.filter_factory = nova.api.openstack:FaultWrapper.factory
[filter:osprofiler]
paste.filter_factory = nova.profiler:WsgiMiddleware.factory
[filter:sizelimit]
paste.filter_factory = oslo_middleware:RequestBodySizeLimiter.factory
[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory
[filter:legacy_v2_compatible]
paste.filter_factory = nova.api.openstack:LegacyV2CompatibleWrapper.factory
[app:osapi_compute_app_v21]
paste.app_factory = nova.api.openstack.compute:APIRouterV21.factory
[pipeline:oscomputeversions]
pipeline = cors faultwrap request_log http_proxy_to_wsgi oscomputeversionapp
[pipeline:oscomputeversion_v2]
pipeline = cors compute_req_id faultwrap request_log http_proxy_to_wsgi oscomputeversionapp_v2
[pipeline:oscomputeversion_legacy_v2]
pipeline = cors compute_req_id faultwrap request_log http_proxy_to_wsgi legacy_v2_compatible oscomputeversionapp_v2
[app:oscomputeversionapp]
paste.app_factory = nova.api.openstack.compute.versions:Versions.factory
[app:oscomputeversionapp_v2]
paste.app_factory = nova.api.openstack.compute.versions:VersionsV2.factory
[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = nova
[filter:keystonecontext]
paste.filter_factory = nova.api.auth:NovaKeystoneContext.factory
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
EOF

  # --- neutron
  write_file "$E/neutron/neutron.conf" <<EOF
[DEFAULT]
debug = false
host = $HOST_NAME
bind_host = $IP
bind_port = $NEUTRON_PORT
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
allow_overlapping_ips = true
transport_url = $TRANSPORT
state_path = $D/data/neutron
api_paste_config = $E/neutron/api-paste.ini
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 0
# No real L2 agent exists: a stand-in OVS agent is registered once by tests/services/openstack-start.sh
# and must never be considered dead (10 years).
agent_down_time = 315360000
dhcp_agent_notification = false
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
[database]
connection = $(db_url neutron)
$(authtoken neutron)
$(ks_client_section nova neutron)
[oslo_concurrency]
lock_path = $D/data/neutron/lock
[oslo_messaging_notifications]
driver = noop
EOF
  write_file "$E/neutron/ml2_conf.ini" <<EOF
[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers = openvswitch
extension_drivers = port_security
[ml2_type_flat]
flat_networks = public
[ml2_type_vlan]
network_vlan_ranges = public
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
firewall_driver = openvswitch
EOF
  write_file "$E/neutron/api-paste.ini" <<'EOF'
[composite:neutron]
use = egg:Paste#urlmap
/: neutronversions_composite
/healthcheck: healthcheck
/v2.0: neutronapi_v2_0
[composite:neutronapi_v2_0]
use = call:neutron.auth:pipeline_factory
keystone = cors http_proxy_to_wsgi request_id catch_errors osprofiler authtoken keystonecontext extensions neutronapiapp_v2_0
[composite:neutronversions_composite]
use = call:neutron.auth:pipeline_factory
keystone = cors http_proxy_to_wsgi neutronversions
[filter:request_id]
paste.filter_factory = oslo_middleware:RequestId.factory
[filter:catch_errors]
paste.filter_factory = oslo_middleware:CatchErrors.factory
[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = neutron
[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory
[filter:keystonecontext]
paste.filter_factory = neutron.auth:NeutronKeystoneContext.factory
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
[filter:extensions]
paste.filter_factory = neutron.api.extensions:plugin_aware_extension_middleware_factory
[app:neutronversions]
paste.app_factory = neutron.pecan_wsgi.app:versions_factory
[app:neutronapiapp_v2_0]
paste.app_factory = neutron.api.v2.router:APIRouter.factory
[filter:osprofiler]
paste.filter_factory = osprofiler.web:WsgiMiddleware.factory
[app:healthcheck]
paste.app_factory = oslo_middleware:Healthcheck.app_factory
backends = disable_by_file
disable_by_file_path = /etc/neutron/healthcheck_disable
EOF

  # --- cinder
  write_file "$E/cinder/cinder.conf" <<EOF
[DEFAULT]
debug = false
host = $HOST_NAME
my_ip = $IP
transport_url = $TRANSPORT
auth_strategy = keystone
state_path = $D/data/cinder
api_paste_config = $E/cinder/api-paste.ini
osapi_volume_listen = $IP
osapi_volume_listen_port = $CINDER_PORT
osapi_volume_workers = 1
enabled_backends = fake
glance_api_servers = http://$IP:$GLANCE_PORT
# without this file (shipped by cinder-common, not installed) every list
# filter, e.g. ?name= used by the CLI's name look-ups, is rejected with 400
resource_query_filters_file = $E/cinder/resource_filters.json
[database]
connection = $(db_url cinder)
$(authtoken cinder)
$(ks_client_section nova cinder)
[oslo_concurrency]
lock_path = $D/data/cinder/lock
[oslo_messaging_notifications]
driver = noop
[fake]
# cinder's own test driver (ships in python3-cinder): no LVM, no iSCSI target.
volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
volume_backend_name = fake
EOF
  write_file "$E/cinder/resource_filters.json" <<'EOF'
{
    "volume": ["name", "status", "metadata",
               "bootable", "migration_status", "availability_zone",
               "group_id", "size", "created_at", "updated_at",
               "consumes_quota"],
    "backup": ["name", "status", "volume_id"],
    "snapshot": ["name", "status", "volume_id", "metadata",
                 "availability_zone", "consumes_quota"],
    "group": ["name"],
    "group_snapshot": ["name", "status", "group_id"],
    "attachment": ["volume_id", "status", "instance_id", "attach_status"],
    "message": ["resource_uuid", "resource_type", "event_id",
                "request_id", "message_level"],
    "pool": ["name", "volume_type"],
    "volume_type": ["is_public", "extra_specs"]
}
EOF
  write_file "$E/cinder/api-paste.ini" <<'EOF'
[composite:osapi_volume]
use = call:cinder.api:root_app_factory
/: apiversions
/healthcheck: healthcheck
/v3: openstack_volume_api_v3
[composite:openstack_volume_api_v3]
use = call:cinder.api.middleware.auth:pipeline_factory
keystone = request_id cors http_proxy_to_wsgi faultwrap sizelimit osprofiler authtoken keystonecontext apiv3
keystone_nolimit = request_id cors http_proxy_to_wsgi faultwrap sizelimit osprofiler authtoken keystonecontext apiv3
[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory
[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
oslo_config_project = cinder
[filter:faultwrap]
paste.filter_factory = cinder.api.middleware.fault:FaultWrapper.factory
[filter:osprofiler]
paste.filter_factory = osprofiler.web:WsgiMiddleware.factory
[filter:sizelimit]
paste.filter_factory = oslo_middleware.sizelimit:RequestBodySizeLimiter.factory
[app:apiv3]
paste.app_factory = cinder.api.v3.router:APIRouter.factory
[pipeline:apiversions]
pipeline = request_id cors http_proxy_to_wsgi faultwrap osvolumeversionapp
[app:osvolumeversionapp]
paste.app_factory = cinder.api.versions:Versions.factory
[pipeline:healthcheck]
pipeline = request_id healthcheckapp
[app:healthcheckapp]
paste.app_factory = oslo_middleware:Healthcheck.app_factory
backends = disable_by_file
disable_by_file_path = /etc/cinder/healthcheck_disable
[filter:keystonecontext]
paste.filter_factory = cinder.api.middleware.auth:CinderKeystoneContext.factory
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
[filter:request_id]
paste.filter_factory = cinder.api.middleware.request_id:RequestId.factory
EOF
  chmod -R go-rwx "$E"
}

# ------------------------------------------------------------ infra -------
start_mariadb() {
  if [[ ! -d $D/data/mysql/mysql ]]; then
    log "mariadb: initialising datadir"
    mariadb-install-db --no-defaults --user=root --datadir="$D/data/mysql" \
      --auth-root-authentication-method=socket --skip-test-db > "$D/log/mariadb-install.log" 2>&1 \
      || die "mariadb-install-db failed, see $D/log/mariadb-install.log"
  fi
  start_svc mariadb /usr/sbin/mariadbd --no-defaults --user=root --datadir="$D/data/mysql" \
    --socket="$D/run/mysqld.sock" --pid-file="$D/run/mysqld.pidfile" \
    --bind-address=$IP --port=$MYSQL_PORT --skip-name-resolve \
    --max-connections=1000 --innodb-buffer-pool-size=128M \
    --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --skip-log-bin \
    --performance-schema=OFF --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
  wait_ready "mariadb" 60 mysql_root -e 'select 1'
}

create_databases() {
  local sql="" db
  for db in keystone glance placement nova_api nova nova_cell0 neutron cinder; do
    sql+="CREATE DATABASE IF NOT EXISTS $db CHARACTER SET utf8mb4;"
    sql+="GRANT ALL PRIVILEGES ON $db.* TO '$DB_USER'@'$IP';"
  done
  mysql_root -e "CREATE USER IF NOT EXISTS '$DB_USER'@'$IP' IDENTIFIED BY '$DB_PASS'; $sql FLUSH PRIVILEGES;"
}

start_rabbitmq() {
  mkdir -p "$D/data/rabbitmq"
  # our own epmd, loopback only, so that `down` can stop it by PID
  ERL_EPMD_ADDRESS=$IP start_svc epmd /usr/bin/epmd -address $IP -port $EPMD_PORT
  wait_ready "epmd" 20 bash -c "exec 3<>/dev/tcp/$IP/$EPMD_PORT"
  HOME="$D/data/rabbitmq" \
  ERL_EPMD_ADDRESS=$IP ERL_EPMD_PORT=$EPMD_PORT \
  RABBITMQ_CONF_ENV_FILE="$D/etc/rabbitmq/rabbitmq-env.conf" \
  RABBITMQ_CONFIG_FILE="$D/etc/rabbitmq/rabbitmq.conf" \
  RABBITMQ_ENABLED_PLUGINS_FILE="$D/etc/rabbitmq/enabled_plugins" \
  RABBITMQ_MNESIA_BASE="$D/data/rabbitmq/mnesia" \
  RABBITMQ_LOG_BASE="$D/log/rabbitmq" \
  RABBITMQ_NODENAME=cloudctl-os@localhost \
  RABBITMQ_NODE_IP_ADDRESS=$IP RABBITMQ_NODE_PORT=$RMQ_PORT RABBITMQ_DIST_PORT=$RMQ_DIST_PORT \
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    start_svc rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server
}

# ------------------------------------------------------------ db sync -----
stamp_ok() { [[ -f $D/state/$1 && $(<"$D/state/$1") == "$2" ]]; }
stamp_set() { echo "$2" > "$D/state/$1"; }
pkgver() { dpkg-query -W -f='${Version}' "$1"; }

db_sync_keystone() {
  local E="$D/etc" v
  v=$(pkgver python3-keystone)
  if ! stamp_ok keystone-db "$v"; then
    log "keystone: db_sync"; "$D/bin/keystone-manage" --config-file "$E/keystone/keystone.conf" db_sync > "$D/log/dbsync-keystone.log" 2>&1
    stamp_set keystone-db "$v"
  fi
  if [[ ! -d $D/data/keystone/fernet-keys ]]; then
    mkdir -p "$D/data/keystone"
    "$D/bin/keystone-manage" --config-file "$E/keystone/keystone.conf" fernet_setup --keystone-user root --keystone-group root >> "$D/log/dbsync-keystone.log" 2>&1
    "$D/bin/keystone-manage" --config-file "$E/keystone/keystone.conf" credential_setup --keystone-user root --keystone-group root >> "$D/log/dbsync-keystone.log" 2>&1
  fi
  if ! stamp_ok keystone-bootstrap "$(pw_stamp "$ADMIN_PASS")"; then
    log "keystone: bootstrap"
    "$D/bin/keystone-manage" --config-file "$E/keystone/keystone.conf" bootstrap \
      --bootstrap-password "$ADMIN_PASS" --bootstrap-username admin \
      --bootstrap-project-name admin --bootstrap-role-name admin \
      --bootstrap-service-name keystone --bootstrap-region-id $REGION \
      --bootstrap-admin-url "http://$IP:$KEYSTONE_PORT/v3/" \
      --bootstrap-internal-url "http://$IP:$KEYSTONE_PORT/v3/" \
      --bootstrap-public-url "http://$IP:$KEYSTONE_PORT/v3/" >> "$D/log/dbsync-keystone.log" 2>&1
    stamp_set keystone-bootstrap "$(pw_stamp "$ADMIN_PASS")"
  fi

}

# the other services' syncs run in the background, concurrently with each
# other and with keystone's start-up and identity bootstrap
SYNC_PIDS=()
db_syncs_start() {
  local E="$D/etc" v pids=()
  v=$(pkgver python3-glance)
  stamp_ok glance-db "$v" || { ( "$D/bin/glance-manage" --config-file "$E/glance/glance-api.conf" db_sync > "$D/log/dbsync-glance.log" 2>&1 && stamp_set glance-db "$v" ) & pids+=($!); }
  v=$(pkgver python3-placement)
  stamp_ok placement-db "$v" || { ( "$D/bin/placement-manage" --config-file "$E/placement/placement.conf" db sync > "$D/log/dbsync-placement.log" 2>&1 && stamp_set placement-db "$v" ) & pids+=($!); }
  v=$(pkgver python3-neutron)
  stamp_ok neutron-db "$v" || { ( "$D/bin/neutron-db-manage" --config-file "$E/neutron/neutron.conf" --config-file "$E/neutron/ml2_conf.ini" upgrade heads > "$D/log/dbsync-neutron.log" 2>&1 && stamp_set neutron-db "$v" ) & pids+=($!); }
  v=$(pkgver python3-cinder 2>/dev/null || echo none)
  [[ $SKIP_CINDER == 1 ]] || stamp_ok cinder-db "$v" || { ( "$D/bin/cinder-manage" --config-file "$E/cinder/cinder.conf" db sync > "$D/log/dbsync-cinder.log" 2>&1 && stamp_set cinder-db "$v" ) & pids+=($!); }
  v=$(pkgver python3-nova)
  stamp_ok nova-db "$v" || { ( set -e; NM=("$D/bin/nova-manage" --config-file "$E/nova/nova.conf" --config-file "$E/nova/nova-db.conf")
      "${NM[@]}" api_db sync
      "${NM[@]}" cell_v2 map_cell0 --database_connection "$(db_url nova_cell0)"
      "${NM[@]}" cell_v2 list_cells | grep -q ' cell1 ' || "${NM[@]}" cell_v2 create_cell --name cell1
      "${NM[@]}" db sync
      stamp_set nova-db "$v" ) > "$D/log/dbsync-nova.log" 2>&1 & pids+=($!); }
  [[ ${#pids[@]} -gt 0 ]] && log "db sync: glance/placement/neutron/cinder/nova (${#pids[@]} background jobs)"
  SYNC_PIDS=("${pids[@]}")
}

db_syncs_wait() {
  local p rc=0
  for p in "${SYNC_PIDS[@]}"; do wait "$p" || rc=1; done
  [[ $rc -eq 0 ]] || die "a db sync failed, see $D/log/dbsync-*.log"
  [[ ${#SYNC_PIDS[@]} -gt 0 ]] && log "db sync: done"
  return 0
}

# --------------------------------------------------------- identity -------
# Random passwords made once and kept (0600): tests can then assert that no
# password ever shows up in cloudctl's output or traces.
load_passwords() {
  local f="$D/state/passwords"
  if [[ ! -s $f ]]; then
    ( umask 077
      for k in ADMIN_PASS TENANT_A_PASS TENANT_B_PASS APPCRED_SECRET; do
        echo "$k=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
      done > "$f" )
  fi
  # shellcheck disable=SC1090
  . "$f"
}

# The bootstrap stamp keeps a hash, not the password itself.
pw_stamp() { printf '%s' "$1" | sha256sum | cut -c1-16; }

bootstrap_identity() {
  log "keystone: users, projects, services, endpoints, application credential"
  OS_AUTH_URL=http://$IP:$KEYSTONE_PORT/v3 OS_PASSWORD=$ADMIN_PASS SVC_PASS=$SVC_PASS \
  TENANT_A_PASS=$TENANT_A_PASS TENANT_B_PASS=$TENANT_B_PASS APPCRED_SECRET=$APPCRED_SECRET \
  APPCRED_NAME=$APPCRED_NAME IP=$IP REGION=$REGION SKIP_CINDER=$SKIP_CINDER \
  GLANCE_PORT=$GLANCE_PORT PLACEMENT_PORT=$PLACEMENT_PORT NOVA_PORT=$NOVA_PORT \
  NEUTRON_PORT=$NEUTRON_PORT CINDER_PORT=$CINDER_PORT \
  "$PY" - > "$D/state/appcred-id.new" <<'EOF'
import os
import openstack
from keystoneauth1 import exceptions as ksa_exc, session as ksa_session
from keystoneauth1.identity import v3
e = os.environ
auth_url = e['OS_AUTH_URL']
conn = openstack.connect(auth_url=auth_url, username='admin', password=e['OS_PASSWORD'],
                         project_name='admin', user_domain_id='default', project_domain_id='default',
                         region_name=e['REGION'], identity_interface='public')
idn = conn.identity
dom = 'default'
# pitfall: find_* first GETs by id (keystone logs a traceback per 404): list filters instead
first = lambda it: next(iter(it), None)

def grant(proj, u, r):
    if not first(idn.role_assignments(user_id=u.id, scope_project_id=proj.id, role_id=r.id)):
        idn.assign_project_role_to_user(proj, u, r)

def project(name, desc):
    return first(idn.projects(name=name, domain_id=dom)) or \
        idn.create_project(name=name, domain_id=dom, description=desc)

def role(name):
    return first(idn.roles(name=name)) or idn.create_role(name=name)

def works(auth):
    try:
        ksa_session.Session(auth=auth).get_token()
        return True
    except ksa_exc.Unauthorized:
        return False

def user(name, pw, proj, role_):
    u = first(idn.users(name=name, domain_id=dom))
    if u is None:
        u = idn.create_user(name=name, password=pw, domain_id=dom, default_project_id=proj.id)
    grant(proj, u, role_)
    if not works(v3.Password(auth_url=auth_url, username=name, password=pw, user_domain_id=dom,
                             project_name=proj.name, project_domain_id=dom)):
        idn.update_user(u, password=pw)   # (re)hash with this config's bcrypt rounds / new password
    return u

admin_r, member_r, reader_r, service_r = role('admin'), role('member'), role('reader'), role('service')
service_p = project('service', 'service users')
ta_p = project('tenant-a', 'first non-admin tenant')
tb_p = project('tenant-b', 'second non-admin tenant')

svcs = ('glance', 'placement', 'nova', 'neutron') + (() if e['SKIP_CINDER'] == '1' else ('cinder',))
for svc in svcs:
    u = user(svc, e['SVC_PASS'], service_p, admin_r)
    grant(service_p, u, service_r)
ta_u = user('tenant-a', e['TENANT_A_PASS'], ta_p, member_r)
user('tenant-b', e['TENANT_B_PASS'], tb_p, member_r)

ip = e['IP']
catalog = [
    ('glance', 'image', f"http://{ip}:{e['GLANCE_PORT']}"),
    ('placement', 'placement', f"http://{ip}:{e['PLACEMENT_PORT']}"),
    ('nova', 'compute', f"http://{ip}:{e['NOVA_PORT']}/v2.1"),
    ('neutron', 'network', f"http://{ip}:{e['NEUTRON_PORT']}"),
]
if e['SKIP_CINDER'] != '1':
    catalog += [
        ('cinder', 'block-storage', f"http://{ip}:{e['CINDER_PORT']}/v3/%(project_id)s"),
        ('cinderv3', 'volumev3', f"http://{ip}:{e['CINDER_PORT']}/v3/%(project_id)s"),
    ]
for name, stype, url in catalog:
    s = next((s for s in idn.services() if s.type == stype), None) or \
        idn.create_service(name=name, type=stype, description=name)
    have = {ep.interface: ep for ep in idn.endpoints(service_id=s.id)}
    for iface in ('public', 'internal', 'admin'):
        ep = have.get(iface)
        if ep is None:
            idn.create_endpoint(service_id=s.id, interface=iface, url=url, region_id=e['REGION'])
        elif ep.url != url:
            idn.update_endpoint(ep, url=url)

# tenant-a's application credential: keystone lets only the user create its own,
# so log in as tenant-a; we choose the secret, so a re-run keeps it when it works.
ta = openstack.connect(auth_url=auth_url, username='tenant-a', password=e['TENANT_A_PASS'],
                       project_name='tenant-a', user_domain_id='default', project_domain_id='default',
                       region_name=e['REGION'])
tidn = ta.identity
uid = ta.current_user_id
ac = next((a for a in tidn.application_credentials(uid) if a.name == e['APPCRED_NAME']), None)
if ac is not None and not works(v3.ApplicationCredential(
        auth_url=auth_url, application_credential_id=ac.id,
        application_credential_secret=e['APPCRED_SECRET'])):
    tidn.delete_application_credential(uid, ac)
    ac = None
if ac is None:
    ac = tidn.create_application_credential(uid, name=e['APPCRED_NAME'], secret=e['APPCRED_SECRET'],
                                            description='cloudctl tests (tests/services/openstack-start.sh)')
print(ac.id)
EOF
  mv "$D/state/appcred-id.new" "$D/state/appcred-id"
}

# ------------------------------------------------------------- services ---
start_openstack_services() {
  local E="$D/etc"
  start_svc placement /usr/bin/uwsgi --plugin python3 --http-socket $IP:$PLACEMENT_PORT \
    --wsgi-file "$D/bin/placement-wsgi.py" --master --processes 1 --threads 4 --enable-threads \
    --die-on-term --need-app --buffer-size 65535 --disable-logging --add-header 'Connection: close' \
    --env OS_PLACEMENT_CONFIG_DIR="$E/placement"
  start_svc glance-api "$D/bin/glance-api" --config-file "$E/glance/glance-api.conf"
  start_svc nova-conductor "$D/bin/nova-conductor" --config-file "$E/nova/nova.conf" --config-file "$E/nova/nova-db.conf"
  start_svc nova-scheduler "$D/bin/nova-scheduler" --config-file "$E/nova/nova.conf" --config-file "$E/nova/nova-db.conf"
  start_svc nova-api "$D/bin/nova-api" --config-file "$E/nova/nova.conf" --config-file "$E/nova/nova-db.conf"
  start_svc neutron-server "$D/bin/neutron-server" --config-file "$E/neutron/neutron.conf" \
    --config-file "$E/neutron/ml2_conf.ini"
  if [[ $SKIP_CINDER != 1 ]]; then
    start_svc cinder-api "$D/bin/cinder-api" --config-file "$E/cinder/cinder.conf"
    start_svc cinder-scheduler "$D/bin/cinder-scheduler" --config-file "$E/cinder/cinder.conf"
    start_svc cinder-volume "$D/bin/cinder-volume" --config-file "$E/cinder/cinder.conf"
  fi
  # nova-compute last: it needs placement (and conductor) to register itself
  wait_ready "placement api" 120 http_up "http://$IP:$PLACEMENT_PORT/"
  svc_running nova-compute || COMPUTE_T0=$(date +%s)
  start_svc nova-compute "$D/bin/nova-compute" --config-file "$E/nova/nova.conf"
}

# nova-compute stamps services.updated_at once while starting (before its RPC
# server runs) and then every report_interval (10 s): the 2nd stamp after our
# start means it is serving.
compute_serving() {
  local t
  t=$(mysql_root -N -e "SET time_zone='+00:00'; SELECT COALESCE(MAX(UNIX_TIMESTAMP(updated_at)),0) FROM nova.services WHERE host='$HOST_NAME' AND \`binary\`='nova-compute' AND deleted=0") || return 1
  t=${t%.*}
  (( t >= COMPUTE_T0 )) || return 1
  [[ -z ${COMPUTE_FIRST:-} ]] && { COMPUTE_FIRST=$t; return 1; }
  (( t > COMPUTE_FIRST ))
}

wait_apis() {
  wait_ready "glance api" 120 http_up "http://$IP:$GLANCE_PORT/"
  wait_ready "nova api" 120 http_up "http://$IP:$NOVA_PORT/"
  wait_ready "neutron api" 120 http_up "http://$IP:$NEUTRON_PORT/"
  [[ $SKIP_CINDER == 1 ]] || wait_ready "cinder api" 120 http_up "http://$IP:$CINDER_PORT/"
}

# -------------------------------------------------- neutron stand-in agent --
# ML2/openvswitch binds a port only to a host with a live OVS agent.  There is
# no dataplane here, so register one "Open vSwitch agent" for $HOST_NAME over
# neutron's own report_state RPC; with agent_down_time = 10 years it stays
# "alive" and ports bind (binding:vif_type=ovs).  Port status stays DOWN.
register_fake_ovs_agent() {
  "$PY" - "$D/etc/neutron/neutron.conf" "$HOST_NAME" <<'EOF' >> "$D/log/fake-ovs-agent.log" 2>&1
import sys
from oslo_config import cfg
from neutron_lib import context, rpc as n_rpc
from neutron_lib.agent import topics
from neutron.agent import rpc as agent_rpc
from neutron.common import config as common_config
from neutron.conf.agent import common as agent_conf
common_config.register_common_config_options()
agent_conf.register_agent_state_opts_helper(cfg.CONF)
cfg.CONF(['--config-file', sys.argv[1]], project='neutron')
n_rpc.init(cfg.CONF)
state = {
    'binary': 'neutron-openvswitch-agent', 'host': sys.argv[2], 'topic': 'N/A',
    'agent_type': 'Open vSwitch agent', 'start_flag': True,
    'availability_zone': 'nova',
    'configurations': {
        'bridge_mappings': {'public': 'br-ex'}, 'tunnel_types': ['vxlan'],
        'tunneling_ip': '127.0.0.1', 'integration_bridge': 'br-int',
        'datapath_type': 'system', 'ovs_hybrid_plug': False,
        'l2_population': False, 'arp_responder_enabled': False,
        'enable_distributed_routing': False, 'extensions': [],
        'devices': 0, 'in_distributed_mode': False,
        'ovs_capabilities': {'datapath_types': ['system'], 'iface_types': []},
    },
}
agent_rpc.PluginReportStateAPI(topics.REPORTS).report_state(
    context.get_admin_context(), state, use_call=True)
print('registered fake OVS agent for', sys.argv[2])
EOF
}

# ------------------------------------------------------------ client env ---
# clouds.yaml holds no secret; secure.yaml (0600) holds them and is merged over
# it by every openstacksdk-style loader (so cloudctl's merge is exercised too).
write_client_files() {
  local c name user
  {
    echo "# generated by tests/services/openstack-start.sh; secrets are in secure.yaml"
    echo "clouds:"
    for c in admin:admin tenant-a:tenant-a tenant-b:tenant-b; do
      name=${c%%:*} user=${c##*:}
      cat <<EOF
  $name:
    auth:
      auth_url: http://$IP:$KEYSTONE_PORT/v3
      username: $user
      project_name: $name
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    interface: public
    identity_api_version: 3
EOF
    done
    cat <<EOF
  tenant-a-appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: http://$IP:$KEYSTONE_PORT/v3
      application_credential_id: $(cat "$D/state/appcred-id")
    region_name: $REGION
    interface: public
    identity_api_version: 3
EOF
  } > "$D/clouds.yaml.new"
  mv "$D/clouds.yaml.new" "$D/clouds.yaml"
  ( umask 077
    cat > "$D/secure.yaml.new" <<EOF
# generated by tests/services/openstack-start.sh: merged over clouds.yaml
clouds:
  admin:
    auth:
      password: $ADMIN_PASS
  tenant-a:
    auth:
      password: $TENANT_A_PASS
  tenant-b:
    auth:
      password: $TENANT_B_PASS
  tenant-a-appcred:
    auth:
      application_credential_secret: $APPCRED_SECRET
EOF
    mv "$D/secure.yaml.new" "$D/secure.yaml" )
  cat > "$D/env" <<EOF
# source with: set -a; . $D/env; set +a    then OS_CLOUD=admin|tenant-a|tenant-b|tenant-a-appcred
OS_CLIENT_CONFIG_FILE=$D/clouds.yaml
OS_CLIENT_SECURE_FILE=$D/secure.yaml
CLOUDCTL_OS_DIR=$D
CLOUDCTL_OS_AUTH_URL=http://$IP:$KEYSTONE_PORT/v3
CLOUDCTL_OS_REGION=$REGION
CLOUDCTL_OS_IMAGE=tiny-image
CLOUDCTL_OS_EXTERNAL_NET=public
CLOUDCTL_OS_CINDER=$(( 1 - SKIP_CINDER ))
EOF
}

# ---------------------------------------------------------- seed data ------
seed_resources() {
  log "seeding flavors, image, external network"
  [[ -f $D/data/tiny.img ]] || head -c 1048576 /dev/zero > "$D/data/tiny.img"
  OS_CLIENT_CONFIG_FILE="$D/clouds.yaml" OS_CLIENT_SECURE_FILE="$D/secure.yaml" \
  IMG="$D/data/tiny.img" "$PY" - <<'EOF'
import os
import openstack
admin = openstack.connect(cloud='admin')
c = admin.compute
for name, ram, disk, vcpus, fid in (('m1.tiny', 512, 1, 1, '1'), ('m1.small', 2048, 20, 1, '2'),
                                    ('m1.medium', 4096, 40, 2, '3')):
    if not c.find_flavor(name, ignore_missing=True):
        c.create_flavor(name=name, ram=ram, disk=disk, vcpus=vcpus, id=fid)
if not admin.image.find_image('tiny-image', ignore_missing=True):
    admin.create_image('tiny-image', filename=os.environ['IMG'], disk_format='raw',
                       container_format='bare', visibility='public', wait=True)
n = admin.network
pub = n.find_network('public', ignore_missing=True) or n.create_network(
    name='public', is_router_external=True, provider_network_type='flat',
    provider_physical_network='public')
if not n.find_subnet('public-subnet', ignore_missing=True):
    n.create_subnet(name='public-subnet', network_id=pub.id, ip_version=4, cidr='203.0.113.0/24',
                    gateway_ip='203.0.113.1', is_dhcp_enabled=False,
                    allocation_pools=[{'start': '203.0.113.10', 'end': '203.0.113.250'}])
EOF
}

# A service that is not running must find its port free (neutron, for one,
# would otherwise silently share it via SO_REUSEPORT with a stray instance).
check_ports() {
  local pair name port
  for pair in mariadb:$MYSQL_PORT epmd:$EPMD_PORT rabbitmq:$RMQ_PORT rabbitmq:$RMQ_DIST_PORT \
              keystone:$KEYSTONE_PORT placement:$PLACEMENT_PORT glance-api:$GLANCE_PORT \
              nova-api:$NOVA_PORT neutron-server:$NEUTRON_PORT cinder-api:$CINDER_PORT; do
    name=${pair%%:*} port=${pair##*:}
    svc_running "$name" && continue
    if (exec 3<>"/dev/tcp/$IP/$port") 2>/dev/null; then
      die "port $port is in use, but not by our $name: stop that first (ss -ltnp | grep :$port)"
    fi
  done
}

# ================================================================== main ====
mkdir -p "$D"/{bin,lib,etc,log,run,state,data/glance/images,data/glance/staging,data/nova/instances,data/neutron,data/cinder}
chmod 700 "$D"
load_passwords
install_packages
T_UP=$(date +%s)       # "start to all APIs answering" is measured from here
check_ports
write_configs
start_mariadb
create_databases
start_rabbitmq
db_sync_keystone
db_syncs_start
start_svc keystone /usr/bin/uwsgi --plugin python3 --http-socket $IP:$KEYSTONE_PORT \
  --wsgi-file "$D/bin/keystone-wsgi.py" --master --processes 2 --threads 1 \
  --die-on-term --need-app --buffer-size 65535 --disable-logging --add-header 'Connection: close' \
  --env OS_KEYSTONE_CONFIG_DIR="$D/etc/keystone"
wait_ready "rabbitmq" 120 bash -c "exec 3<>/dev/tcp/$IP/$RMQ_PORT"
wait_ready "keystone api" 120 http_up "http://$IP:$KEYSTONE_PORT/v3"
bootstrap_identity
write_client_files
db_syncs_wait
start_openstack_services
wait_apis
log "all APIs answer: $(( $(date +%s) - T_UP ))s after package check"
echo "$(( $(date +%s) - T_UP ))" > "$D/state/last-up-seconds"
AGENT_PID=""
if [[ $(mysql_root -N -e "select count(*) from neutron.agents where host='$HOST_NAME' and agent_type='Open vSwitch agent'") == 0 ]]; then
  register_fake_ovs_agent & AGENT_PID=$!     # ~10 s, overlaps the nova-compute wait
fi
# map the compute host into cell1 (the scheduler also does this every 30s)
deadline=$(( $(date +%s) + 180 ))
until [[ $(mysql_root -N -e "select count(*) from nova_api.host_mappings where host='$HOST_NAME'") != 0 ]]; do
  (( $(date +%s) > deadline )) && die "nova-compute never registered, see $D/log/nova-compute.log"
  # needs the compute_nodes row, which nova-compute writes after its first resource update
  if [[ $(mysql_root -N -e "select count(*) from nova.compute_nodes where host='$HOST_NAME' and deleted=0") != 0 ]]; then
    "$D/bin/nova-manage" --config-file "$D/etc/nova/nova.conf" --config-file "$D/etc/nova/nova-db.conf" cell_v2 discover_hosts > "$D/log/discover-hosts.log" 2>&1 || true
  else
    sleep 1
  fi
done
log "nova-compute: mapped to cell1"
if [[ -n ${COMPUTE_T0:-} ]]; then
  COMPUTE_FIRST=""
  deadline=$(( $(date +%s) + 120 ))
  until compute_serving; do
    (( $(date +%s) > deadline )) && die "nova-compute does not report, see $D/log/nova-compute.log"
    sleep 1
  done
  log "nova-compute: serving"
fi
if [[ -n $AGENT_PID ]]; then
  wait "$AGENT_PID" || die "could not register the stand-in OVS agent, see $D/log/fake-ovs-agent.log"
  log "neutron: stand-in OVS agent registered for host $HOST_NAME"
fi
seed_resources
echo "openstack: ready in $(( $(date +%s) - T0 ))s; env in $D/env (set -a; . $D/env; set +a; OS_CLOUD=admin|tenant-a|tenant-b|tenant-a-appcred)"
