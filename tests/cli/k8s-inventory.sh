# k8s-inventory: cloudctl-k8s inventory builds its documents only from values
# checked for Kubespray and Ansible. Every bad record is refused, in every format,
# with its line number, exit 65 (64 for a bad option), nothing on stdout; what is
# written is read back by Ansible itself (ansible-inventory --list) and must hold
# exactly the hosts, variables and groups the records give.
. "$(dirname "$0")/lib.sh"
K=cloudctl-k8s
FORMATS="kubespray ini json"
long=$(printf 'a%.0s' $(seq 1 65))

# Each case: NAME|EXIT|ARGS|INPUT (printf format)|STDERR
while IFS='|' read -r name want args input msg; do
	[ -n "$name" ] || continue
	for f in $FORMATS; do
		# shellcheck disable=SC2086 # ARGS are words
		printf "$input" | $K inventory --format "$f" $args > "$T/out" 2> "$T/err"; rc=$?
		expect "refused in $f: $name" "$want" "" "cloudctl-k8s: $msg"
	done
done <<EOT
a space in a name (INI injection)|65||kind=vm name=a ip=10.0.0.1\nkind=vm name=b ip=10.0.0.2\nkind=vm name="x y" ip=10.0.0.3\n|<stdin>:3: name 'x y': not a valid node name (lower-case letters, digits, '-' and '.', at most 64, each part starting and ending with a letter or digit)
a variable in an address|65||kind=vm name=a ip="10.0.0.4 ansible_user=root"\n|<stdin>:1: ip '10.0.0.4 ansible_user=root': not an IP address
a newline in a name (JSON record)|65||{"kind":"vm","name":"a\\\\n[all:vars]","ip":"10.0.0.1"}\n|<stdin>:1: name 'a\\n[all:vars]': not a valid node name (lower-case letters, digits, '-' and '.', at most 64, each part starting and ending with a letter or digit)
an upper-case name|65||kind=vm name=Team_A ip=10.0.0.1\n|<stdin>:1: name 'Team_A': not a valid node name (lower-case letters, digits, '-' and '.', at most 64, each part starting and ending with a letter or digit)
a name of 65 characters|65||kind=vm name=$long ip=10.0.0.1\n|<stdin>:1: name '$long': not a valid node name (lower-case letters, digits, '-' and '.', at most 64, each part starting and ending with a letter or digit)
an empty label in a name|65||kind=vm name=a..b ip=10.0.0.1\n|<stdin>:1: name 'a..b': not a valid node name (lower-case letters, digits, '-' and '.', at most 64, each part starting and ending with a letter or digit)
a name Ansible takes for itself|65||kind=vm name=a ip=10.0.0.1\nkind=vm name=localhost ip=10.0.0.2\n|<stdin>:2: name 'localhost': not a valid node name (Ansible reads it as one of its groups or as this machine)
a name that is a Kubespray group|65||kind=vm name=etcd ip=10.0.0.1\n|<stdin>:1: name 'etcd': not a valid node name (Ansible reads it as one of its groups or as this machine)
an address out of range|65||kind=vm name=a ip=10.0.0.256\n|<stdin>:1: ip '10.0.0.256': not an IP address
an address with a prefix length|65||kind=vm name=a ip=10.0.0.1/24\n|<stdin>:1: ip '10.0.0.1/24': not an IP address
a loopback address|65||kind=vm name=a ip=127.0.0.1\n|<stdin>:1: ip '127.0.0.1': a loopback address, not one the other nodes can reach
the unspecified address|65||kind=vm name=a ip=0.0.0.0\n|<stdin>:1: ip '0.0.0.0': an unspecified address, not one the other nodes can reach
an IPv6 multicast address|65||kind=vm name=a ip=ff02::1\n|<stdin>:1: ip 'ff02::1': a multicast address, not one the other nodes can reach
an IPv6 link-local address|65||kind=vm name=a ip=fe80::1\n|<stdin>:1: ip 'fe80::1': a link-local address, not one the other nodes can reach
one address, two spellings|65||kind=vm name=a ip=FD00::1\nkind=vm name=b ip=fd00:0::1\n|<stdin>:2: vm 'b': address fd00::1 already belongs to vm 'a' (line 1): every node needs its own
one name twice|65||kind=vm name=a ip=10.0.0.1\nkind=vm name=a ip=10.0.0.2\n|<stdin>:2: vm 'a' appears twice (line 1 too): an inventory needs unique names
a role misspelt|65||kind=vm name=a ip=10.0.0.1 tag.role=contol-plane\n|<stdin>:1: tag.role 'contol-plane': not a node role (control-plane, master, controlplane, worker, node)
roles without a control plane|65||kind=vm name=a ip=10.0.0.1 tag.role=worker\nkind=vm name=b ip=10.0.0.2 tag.role=worker\n|inventory: the records give roles (tag.role) but none is control-plane: a cluster needs one
--control-plane against the roles|64|--control-plane 3|kind=vm name=a ip=10.0.0.1 tag.role=control-plane\nkind=vm name=b ip=10.0.0.2\n|inventory: --control-plane 3: the records' roles make 1 control-plane nodes
an even etcd|64|--etcd 2|kind=vm name=a ip=10.0.0.1\nkind=vm name=b ip=10.0.0.2\n|inventory: --etcd 2: etcd needs an odd number of members (1, 3, 5...)
no control plane asked|64|--control-plane 0|kind=vm name=a ip=10.0.0.1\n|inventory: --control-plane 0: between 1 and the 1 hosts
EOT

# What Ansible reads from each format: exactly these hosts and variables, and groups.
printf '%s\n' 'kind=vm name=yes ip=10.0.0.3 tag.role=worker' 'kind=net name=n' \
	'{"kind":"vm","name":"cp.example","ip":"FD00:0:0::10","tag.role":"control-plane"}' \
	'kind=vm name=123 ip=10.0.0.2 tag.role=node' 'kind=vm name=w-1 ip=10.0.0.1' > "$T/good"
want_hosts='{"123": "10.0.0.2", "cp.example": "fd00::10", "w-1": "10.0.0.1", "yes": "10.0.0.3"}'
want_groups='{"etcd": ["cp.example"], "kube_control_plane": ["cp.example"], "kube_node": ["123", "w-1", "yes"]}'
if command -v ansible-inventory >/dev/null; then
	for f in $FORMATS; do
		case $f in kubespray) file=$T/inv.yaml ;; ini) file=$T/inv.ini ;; json) file=$T/inv.sh ;; esac
		$K inventory --format "$f" < "$T/good" > "$T/doc"; rc=$?
		if [ "$f" = json ]; then printf '#!/bin/sh\ncat %s\n' "$T/doc" > "$file"; chmod +x "$file"; else cp "$T/doc" "$file"; fi
		ANSIBLE_INVENTORY_UNPARSED_FAILED=1 ANSIBLE_LOCAL_TEMP=$T ansible-inventory -i "$file" --list > "$T/ans.json" 2> "$T/ans.err"
		assert "$f: Ansible reads it (exit $rc)" test "$rc.$?" = 0.0
		assert "$f: Ansible's hosts and their variables are the records' and no more" test "$(python3 -c "
import json
d = json.load(open('$T/ans.json'))
hv = d['_meta']['hostvars']
ok = all(sorted(v) == ['access_ip', 'ansible_host', 'ip'] and v['ip'] == v['access_ip'] == v['ansible_host'] for v in hv.values())
print(json.dumps({h: v['ip'] for h, v in hv.items()}, sort_keys=True) if ok else 'extra variables: %s' % hv)")" = "$want_hosts"
		assert "$f: Ansible's groups" test "$(python3 -c "
import json
d = json.load(open('$T/ans.json'))
print(json.dumps({g: sorted(d[g]['hosts']) for g in ('etcd', 'kube_control_plane', 'kube_node')}, sort_keys=True))")" = "$want_groups"
	done
else
	skip "ansible-inventory reads the inventories" "ansible-core not installed (apt-get install ansible-core)"
fi
