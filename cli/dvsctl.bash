# SPDX-License-Identifier: Apache-2.0
# bash completion for dvsctl: commands, subcommands, options and their values.  Names (port
# groups, ports, hosts, sites) come from the database or the switch itself, half a second at
# most.  "port" completes the database's options, or the standalone switch's when --switchd
# (or $DVS_SWITCHD without --db) selects one, as dvsctl itself decides.

_dvsctl_names()
{
	# $1: command words ("portgroup list"); prints the first column of the table.
	dvsctl "${_dvsctl_conn[@]}" --timeout 0.5 $1 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_dvsctl()
{
	local cur prev words cword
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	}
	local global_opts="--db --switchd --wait --format --timeout --help --version"
	local pg_opts="--access --trunk --native --segment --allow-promiscuous --allow-mac-changes
		--allow-forged-transmits --ip-mac-binding --arp-suppression --ingress-average --ingress-peak
		--ingress-burst
		--egress-average --egress-peak --egress-burst --storm-broadcast --storm-multicast
		--storm-unknown-unicast --mtu --default-acl"
	local port_opts="--group --host --mac --ip --vhost-user --vhost-mode --queues --tap --netns
		--kernel --override"
	local ovr_keys="vlan_mode tag trunks native_vlan allow_promiscuous allow_mac_changes
		allow_forged_transmits ip_mac_binding arp_suppression ingress_average_bps ingress_peak_bps
		ingress_burst_bytes egress_average_bps egress_peak_bps egress_burst_bytes
		storm_broadcast_pps storm_multicast_pps storm_unknown_unicast_pps mtu default_acl_action"

	# The command words typed so far, without global options and their values; the
	# connection options are kept to ask the same database or switch for names.
	local cmd=() i w sw="" db=""
	_dvsctl_conn=()
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case "$w" in
		--switchd | --db) _dvsctl_conn+=("$w" "${words[i + 1]}")
			[ "$w" = --switchd ] && sw=1 || db=1
			i=$((i + 1)) ;;
		--format | --timeout) i=$((i + 1)) ;;
		--switchd=*) _dvsctl_conn+=("$w"); sw=1 ;;
		--db=*) _dvsctl_conn+=("$w"); db=1 ;;
		-*) ;;
		*) cmd+=("$w") ;;
		esac
	done
	local runtime=""
	if [ -n "$sw" ] || { [ -z "$db" ] && [ -n "${DVS_SWITCHD:-}" ]; }; then runtime=1; fi

	case "$prev" in
	--switchd | --path | --vhost-user) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--format) COMPREPLY=($(compgen -W "table json" -- "$cur")); return ;;
	--type) COMPREPLY=($(compgen -W "vhost-user tap kernel uplink" -- "$cur")); return ;;
	--driver) COMPREPLY=($(compgen -W "af_packet af_xdp" -- "$cur")); return ;;
	--vhost-mode) COMPREPLY=($(compgen -W "server client" -- "$cur")); return ;;
	--default-acl) COMPREPLY=($(compgen -W "allow drop reject" -- "$cur")); return ;;
	--allow-promiscuous | --allow-mac-changes | --allow-forged-transmits | --ip-mac-binding)
		COMPREPLY=($(compgen -W "yes no" -- "$cur")); return ;;
	--arp-suppression) COMPREPLY=($(compgen -W "on off" -- "$cur")); return ;;
	--netns) COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | awk '{print $1}')" -- "$cur")); return ;;
	--ifname | --kernel) COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
	--group) COMPREPLY=($(compgen -W "$(_dvsctl_names "portgroup list")" -- "$cur")); return ;;
	--host) COMPREPLY=($(compgen -W "$(_dvsctl_names "host list")" -- "$cur")); return ;;
	--override)
		COMPREPLY=($(compgen -W "$(printf '%s= ' $ovr_keys)" -- "$cur"))
		compopt -o nospace 2>/dev/null
		return ;;
	--unset-override) COMPREPLY=($(compgen -W "$ovr_keys" -- "$cur")); return ;;
	--port)
		if [ -n "$runtime" ] || [ "${cmd[0]:-}" != port ]; then
			COMPREPLY=($(compgen -W "$(_dvsctl_names "port list")" -- "$cur"))
		fi
		return ;;
	--to) COMPREPLY=($(compgen -W "$(_dvsctl_names "host list")" -- "$cur")); return ;;
	--direction) COMPREPLY=($(compgen -W "from-port to-port" -- "$cur")); return ;;
	--action) COMPREPLY=($(compgen -W "allow drop reject" -- "$cur")); return ;;
	--vhost-socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--timeout | --queues | --access | --trunk | --native | --mac | --ip | --segment | --pci | \
	--db | --mtu | --ingress-* | --egress-* | --storm-* | --wan-mtu | --latency-ms | --tap) return ;;
	esac

	local opts="" names=""
	case "${cmd[0]:-}" in
	"")
		COMPREPLY=($(compgen -W "portgroup port host site show migrate migration acl stats drops fdb lcores reload version help $global_opts" -- "$cur"))
		return ;;
	help)
		COMPREPLY=($(compgen -W "portgroup port host site show migrate migration acl stats drops fdb lcores reload version" -- "$cur"))
		return ;;
	portgroup)
		if [ "${#cmd[@]}" -eq 1 ]; then
			COMPREPLY=($(compgen -W "list show add set del" -- "$cur"))
			return
		fi
		case "${cmd[1]}" in
		add) opts="$pg_opts" ;;
		set) opts="$pg_opts --no-segment" ;;
		del) opts="--if-exists" ;;
		esac
		[[ "${cmd[1]}" =~ ^(show|set|del)$ ]] && names="portgroup list" ;;
	port)
		if [ "${#cmd[@]}" -eq 1 ]; then
			COMPREPLY=($(compgen -W "list show add del set" -- "$cur"))
			return
		fi
		if [ -n "$runtime" ]; then
			case "${cmd[1]}" in
			add) opts="--type --path --client --queues --ifname --netns --driver --pci --access --trunk --native --mac" ;;
			set) opts="--access --trunk --native" ;;
			esac
		else
			case "${cmd[1]}" in
			add) opts="$port_opts" ;;
			set) opts="$port_opts --unset-override --no-host --no-mac --no-ips" ;;
			del) opts="--if-exists" ;;
			list) opts="--host --group" ;;
			esac
		fi
		[[ "${cmd[1]}" =~ ^(show|del|set)$ ]] && names="port list" ;;
	host)
		if [ "${#cmd[@]}" -eq 1 ]; then
			COMPREPLY=($(compgen -W "list show $(_dvsctl_names "host list")" -- "$cur"))
			return
		fi
		case "${cmd[1]}" in
		list) ;;
		show) names="host list" ;;
		*)
			if [ "${#cmd[@]}" -eq 2 ]; then
				COMPREPLY=($(compgen -W "fdb stats drops lcores ports acl" -- "$cur"))
				return
			fi
			case "${cmd[2]}" in
			fdb) opts="--segment" ;;
			drops) opts="--nonzero" ;;
			esac ;;
		esac ;;
	site)
		if [ "${#cmd[@]}" -eq 1 ]; then
			COMPREPLY=($(compgen -W "list add set del" -- "$cur"))
			return
		fi
		case "${cmd[1]}" in
		add | set) opts="--wan-mtu --latency-ms" ;;
		del) opts="--if-exists" ;;
		esac
		[[ "${cmd[1]}" =~ ^(set|del)$ ]] && names="site list" ;;
	migrate)
		opts="--to --vhost-socket --migration-timeout --activate"
		[ "${#cmd[@]}" -eq 1 ] && names="port list" ;;
	migration)
		if [ "${#cmd[@]}" -eq 1 ]; then
			COMPREPLY=($(compgen -W "list" -- "$cur"))
			return
		fi ;;
	acl)
		if [ "${#cmd[@]}" -eq 1 ]; then
			COMPREPLY=($(compgen -W "add del list stats" -- "$cur"))
			return
		fi
		case "${cmd[1]}" in
		add) opts="--direction --action --priority --stateful --ethertype --src --dst --protocol
			--src-port --dst-port --icmp-type --icmp-code --description" ;;
		esac
		[[ "${cmd[1]}" =~ ^(add|del|list)$ && "${#cmd[@]}" -eq 2 ]] && names="portgroup list" ;;
	fdb)
		if [ "${#cmd[@]}" -eq 1 ]; then
			COMPREPLY=($(compgen -W "show flush" -- "$cur"))
			return
		fi
		case "${cmd[1]}" in
		show) opts="--segment" ;;
		flush) opts="--port" ;;
		esac ;;
	stats)
		if [[ "$cur" != -* && "${#cmd[@]}" -eq 1 ]]; then
			COMPREPLY=($(compgen -W "$(dvsctl "${_dvsctl_conn[@]}" --timeout 0.5 stats 2>/dev/null | awk 'NR > 1 { print $1 }')" -- "$cur"))
			return
		fi ;;
	drops) opts="--nonzero" ;;
	esac
	if [[ -n "$names" && "$cur" != -* && "${#cmd[@]}" -eq 2 ]]; then
		COMPREPLY=($(compgen -W "$(_dvsctl_names "$names")" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "$opts $global_opts" -- "$cur"))
}
complete -F _dvsctl dvsctl
