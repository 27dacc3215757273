# SPDX-License-Identifier: Apache-2.0
# bash completion for dvsctl: commands, subcommands, options and their values.  Port names
# come from the switch itself (`dvsctl port list`, half a second at most).

_dvsctl_ports()
{
	local sw=()
	[ -n "$1" ] && sw=(--switchd "$1")
	dvsctl "${sw[@]}" --timeout 0.5 port list 2>/dev/null | awk 'NR > 1 { print $1 }'
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
	local global_opts="--switchd --format --timeout --help --version"

	case "$prev" in
	--switchd | --path) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--format) COMPREPLY=($(compgen -W "table json" -- "$cur")); return ;;
	--type) COMPREPLY=($(compgen -W "vhost-user tap kernel uplink" -- "$cur")); return ;;
	--driver) COMPREPLY=($(compgen -W "af_packet af_xdp" -- "$cur")); return ;;
	--netns) COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | awk '{print $1}')" -- "$cur")); return ;;
	--ifname) COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")); return ;;
	--timeout | --queues | --access | --trunk | --native | --mac | --segment | --pci) return ;;
	esac

	# The command words typed so far, without global options and their values.
	local cmd=() sw="" i w
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case "$w" in
		--switchd) sw=${words[i + 1]}; i=$((i + 1)) ;;
		--format | --timeout) i=$((i + 1)) ;;
		--switchd=*) sw=${w#--switchd=} ;;
		-*) ;;
		*) cmd+=("$w") ;;
		esac
	done

	local opts=""
	case "${cmd[0]:-}" in
	"")
		COMPREPLY=($(compgen -W "port stats drops fdb lcores reload version help $global_opts" -- "$cur"))
		return ;;
	help)
		COMPREPLY=($(compgen -W "port stats drops fdb lcores reload version" -- "$cur"))
		return ;;
	port)
		if [ "${#cmd[@]}" -eq 1 ]; then
			COMPREPLY=($(compgen -W "list show add del set" -- "$cur"))
			return
		fi
		case "${cmd[1]}" in
		add) opts="--type --path --client --queues --ifname --netns --driver --pci --access --trunk --native --mac" ;;
		set) opts="--access --trunk --native" ;;
		esac
		if [[ "$cur" != -* && "${#cmd[@]}" -eq 2 && "${cmd[1]}" =~ ^(show|del|set)$ ]]; then
			COMPREPLY=($(compgen -W "$(_dvsctl_ports "$sw")" -- "$cur"))
			return
		fi ;;
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
			COMPREPLY=($(compgen -W "$(_dvsctl_ports "$sw")" -- "$cur"))
			return
		fi ;;
	drops) opts="--nonzero" ;;
	esac
	if [ "$prev" = "--port" ]; then
		COMPREPLY=($(compgen -W "$(_dvsctl_ports "$sw")" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "$opts $global_opts" -- "$cur"))
}
complete -F _dvsctl dvsctl
