#!/usr/bin/env bash
# openstack-stop.sh -- stop exactly the processes openstack-start.sh started.
#
# openstack-start.sh starts each service with setsid, so its session ID == its
# PID, and records "PID STARTTIME" in run/NAME.pid.  For each record we signal
# the processes of that session (the service and its own workers) -- TERM
# first, KILL after 20 s -- but only while the leader is still the process we
# started (start time matches), or, when the leader is gone, its orphaned
# session members started no earlier than it.  Nothing is matched by name.
# (Why sessions and not a PID list: neutron and oslo.service fork workers that
# outlive a killed parent, and setproctitle overwrites /proc/PID/environ.)
# Data and configs stay; openstack-start.sh resumes from them.
#
# Usage: tests/services/openstack-stop.sh [--purge]   (--purge also deletes the state dir)
#        tests/services/openstack-stop.sh NAME...     (stop only these, e.g. keystone nova-api)
set -euo pipefail
source "$(dirname "$0")/common.sh"
D=$SVC_DIR/openstack
[[ -d $D/run ]] || { echo "openstack: nothing recorded under $D/run"; exit 0; }

proc_start() { local st; st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; st=${st##*) }; set -- $st; echo "${20}"; }

session_members() {  # session_members SID LEADER_STARTTIME
  local sid=$1 st0=$2 pid s cur lead
  lead=$(proc_start "$sid") || lead=""
  if [[ -n $lead && $lead != "$st0" ]]; then return 0; fi   # PID recycled: not ours
  while read -r pid s; do
    [[ $s == "$sid" ]] || continue
    cur=$(proc_start "$pid") || continue
    (( cur >= st0 )) && echo "$pid"
  done < <(ps -e -o pid=,sid=)
}

# stop_set NAME... : TERM every member of these services' sessions at once,
# wait up to 20 s for all of them, then KILL what is left.
stop_set() {
  local name f sid st pids all="" i t0=$SECONDS names=()
  declare -A SID ST
  for name in "$@"; do
    f="$D/run/$name.pid"; [[ -f $f ]] || continue
    read -r sid st < "$f" || { rm -f "$f"; continue; }
    pids=$(session_members "$sid" "$st")
    if [[ -z $pids ]]; then rm -f "$f"; continue; fi
    SID[$name]=$sid ST[$name]=$st names+=("$name")
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
  done
  [[ ${#names[@]} -eq 0 ]] && return 0
  for i in $(seq 1 40); do
    all=""
    for name in "${names[@]}"; do all+=" $(session_members "${SID[$name]}" "${ST[$name]}")"; done
    [[ -z ${all// /} ]] && break
    sleep 0.5
  done
  if [[ -n ${all// /} ]]; then
    echo "openstack: still alive after 20s, SIGKILL:$all"
    # shellcheck disable=SC2086
    kill -KILL $all 2>/dev/null || true
  fi
  for name in "${names[@]}"; do rm -f "$D/run/$name.pid"; done
  echo "openstack: stopped ${names[*]} ($((SECONDS - t0))s)"
}

if [[ $# -gt 0 && $1 != --purge ]]; then
  stop_set "$@"
  exit 0
fi
# OpenStack services together, then messaging, then the database.
stop_set nova-compute nova-api nova-scheduler nova-conductor neutron-server \
         cinder-volume cinder-scheduler cinder-api glance-api placement keystone
others=()
for f in "$D"/run/*.pid; do
  [[ -e $f ]] || continue
  n=$(basename "$f" .pid)
  [[ $n == rabbitmq || $n == epmd || $n == mariadb ]] || others+=("$n")
done
[[ ${#others[@]} -gt 0 ]] && stop_set "${others[@]}"
stop_set rabbitmq
stop_set epmd
stop_set mariadb
# the env file says "a cloud answers here": tests that find it talk to the cloud
rm -f "$D/env"

if [[ ${1:-} == --purge ]]; then
  echo "openstack: removing $D"; rm -rf -- "$D"
fi
echo "openstack: stopped"
