package main

import (
	"fmt"
	"strings"
)

var (
	comms   = []string{"java", "node", "python3", "postgres", "stress-ng-vm", "nginx", "ruby"}
	hostile = []string{`a,pid=1,uid=0`, `x) total-vm:1kB`, `\xe2\x98\x83 snow`,
		`Killed process `, `1 (init)`, `,task_memcg=/x`, `my app (v2)`}
	cgroups = []string{
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3c1f_77a2.slice/" +
			"cri-containerd-5e0d.scope",
		"/kubepods/besteffort/pod9a8b7c6d/0f1e2d3c4b5a",
		"/system.slice/postgresql.service",
		"/docker/9a1b2c3d4e5f",
		"/user.slice/user-1000.slice/session-4.scope",
	}
)

// report writes one OOM event in a format chosen at random: the kernel
// eras from 2.6.32 to 6.x, bursts whose reports the rate limit swallowed,
// oom.group kills, interleaved CPUs, hostile comms and OOMs without a kill.
func (g *gen) report() {
	formats := []struct {
		name  string
		write func()
	}{
		{"6.x memcg", func() { g.modern("", g.comm(), 1) }},
		{"6.x memcg burst (rate-limited)", func() { g.modern("", "stress-ng-vm", 2+g.rng.IntN(40)) }},
		{"6.x global", g.global},
		{"5.0-5.2", g.v50},
		{"4.x legacy cgroup line", g.legacy},
		{"4.x fragmented cgroup line", g.fragmented},
		{"3.x no prefix", g.v3},
		{"RHEL 6/7", g.rhel},
		{"6.x memory.oom.group", g.group},
		{"6.x interleaved CPUs", g.interleaved},
		{"6.x hostile comm", func() { g.modern("", hostile[g.rng.IntN(len(hostile))], 1) }},
		{"6.x no kill", g.noKill},
	}
	f := formats[g.rng.IntN(len(formats))]
	g.c.formats[f.name]++
	f.write()
}

func (g *gen) comm() string { return comms[g.rng.IntN(len(comms))] }
func (g *gen) cgroup() string {
	return cgroups[g.rng.IntN(len(cgroups))]
}

func (g *gen) start(caller, trigger string, modern bool) int {
	tpid := g.pid()
	gfp := "0xcc0(GFP_KERNEL)"
	if !modern {
		gfp = "0x6000c0(GFP_KERNEL), nodemask=(null)"
	}
	g.emit(0, 4, caller, fmt.Sprintf("%s invoked oom-killer: gfp_mask=%s, order=0, "+
		"oom_score_adj=%d", trigger, gfp, g.rng.IntN(1001)))
	g.emit(0, 4, caller, fmt.Sprintf("CPU: %d UID: 0 PID: %d Comm: %s Not tainted "+
		"6.12.9-amd64 #1  Debian 6.12.9-1", g.rng.IntN(8), tpid, trigger))
	g.emit(0, 4, caller, "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3")
	g.emit(0, 4, caller, "Call Trace:")
	for _, fn := range []string{"dump_stack_lvl", "dump_header", "oom_kill_process",
		"out_of_memory", "mem_cgroup_out_of_memory", "try_charge_memcg",
		"__mem_cgroup_charge", "do_anonymous_page", "handle_mm_fault"} {
		g.emit(0, 4, caller, fmt.Sprintf(" %s+0x%x/0x%x", fn, g.rng.IntN(0x200), 0x200))
	}
	return tpid
}

func (g *gen) memcgState(caller, cg string) {
	limit := (1 + g.rng.IntN(64)) << 15
	g.emit(0, 6, caller, fmt.Sprintf("memory: usage %dkB, limit %dkB, failcnt %d",
		limit, limit, g.rng.IntN(5000)))
	g.emit(0, 6, caller, "swap: usage 0kB, limit 0kB, failcnt 0")
	g.emit(0, 6, caller, "Memory cgroup stats for "+cg+":")
	g.emit(0, 6, caller, "Tasks state (memory values in pages):")
	g.emit(0, 6, caller, "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file "+
		"rss_shmem pgtables_bytes swapents oom_score_adj name")
	for range 1 + g.rng.IntN(6) {
		p := g.rng.IntN(1e5)
		g.emit(0, 6, caller, fmt.Sprintf("[%7d] %5d %5d %8d %8d %8d %8d %9d %14d %8d %13d %s",
			p, 0, p, g.rng.IntN(1e6), g.rng.IntN(1e5), 1, 2, 0, 122880, 0, 0, g.comm()))
	}
}

// killed writes a "Killed process" line in the given style and records it.
func (g *gen) killed(caller, prefix string, pid int, comm, style string) {
	var figures string
	switch style {
	case "6":
		figures = fmt.Sprintf("Killed process %d (%s) total-vm:%dkB, anon-rss:%dkB, "+
			"file-rss:%dkB, shmem-rss:0kB, UID:%d pgtables:%dkB oom_score_adj:%d",
			pid, comm, g.rng.IntN(1e7), g.rng.IntN(1e6), g.rng.IntN(1e4),
			g.rng.IntN(2000), g.rng.IntN(4000), g.rng.IntN(1001))
	case "4":
		figures = fmt.Sprintf("Killed process %d (%s) total-vm:%dkB, anon-rss:%dkB, "+
			"file-rss:%dkB, shmem-rss:%dkB", pid, comm, g.rng.IntN(1e7),
			g.rng.IntN(1e6), g.rng.IntN(1e4), g.rng.IntN(100))
	case "3":
		figures = fmt.Sprintf("Killed process %d (%s) total-vm:%dkB, anon-rss:%dkB, "+
			"file-rss:%dkB", pid, comm, g.rng.IntN(1e7), g.rng.IntN(1e6), g.rng.IntN(1e4))
	case "el6":
		figures = fmt.Sprintf("Killed process %d, UID %d, (%s) total-vm:%dkB, "+
			"anon-rss:%dkB, file-rss:%dkB", pid, g.rng.IntN(2000), comm,
			g.rng.IntN(1e7), g.rng.IntN(1e6), g.rng.IntN(1e4))
	}
	if prefix != "" {
		figures = prefix + ": " + figures
	}
	g.emit(0, 3, caller, figures)
	g.c.kills = append(g.c.kills, kill{seq: g.seq, pid: pid})
}

func (g *gen) summary(caller, constraint, oomCg, victimCg, comm string, pid int) {
	domain := "oom_memcg=" + oomCg
	if oomCg == "/" {
		domain = "global_oom"
	}
	g.emit(0, 6, caller, fmt.Sprintf("oom-kill:constraint=%s,nodemask=(null),cpuset=/,"+
		"mems_allowed=0,%s,task_memcg=%s,task=%s,pid=%d,uid=%d",
		constraint, domain, victimCg, comm, pid, g.rng.IntN(2000)))
}

// modern: a 6.x memory cgroup OOM; kills-1 more kills follow whose reports
// the rate limit swallowed, with chatter in between.
func (g *gen) modern(caller, comm string, kills int) {
	cg := g.cgroup()
	g.start(caller, comm, true)
	g.memcgState(caller, cg)
	pid := g.pid()
	g.summary(caller, "CONSTRAINT_MEMCG", cg, cg, comm, pid)
	g.killed(caller, "Memory cgroup out of memory", pid, comm, "6")
	for i := 1; i < kills; i++ {
		if g.rng.IntN(4) == 0 {
			g.chatter()
		}
		if g.rng.IntN(10) == 0 {
			g.noise(4, fmt.Sprintf("oom_kill_process: %d callbacks suppressed", 1+g.rng.IntN(50)))
		}
		g.killed(caller, "Memory cgroup out of memory", g.pid(), comm, "6")
	}
	g.emit(0, 6, caller, fmt.Sprintf("oom_reaper: reaped process %d (%s), now anon-rss:0kB, "+
		"file-rss:0kB, shmem-rss:0kB", pid, comm))
}

func (g *gen) global() {
	comm := g.comm()
	g.start("", comm, true)
	g.emit(0, 6, "", "Mem-Info:")
	g.emit(0, 6, "", fmt.Sprintf("active_anon:%d inactive_anon:%d isolated_anon:0",
		g.rng.IntN(1e6), g.rng.IntN(1e6)))
	g.emit(0, 6, "", "Tasks state (memory values in pages):")
	pid := g.pid()
	g.summary("", "CONSTRAINT_NONE", "/", "/system.slice/app.service", comm, pid)
	g.killed("", "Out of memory", pid, comm, "6")
}

func (g *gen) v50() {
	comm, cg := g.comm(), g.cgroup()
	g.start("", comm, true)
	g.memcgState("", cg)
	pid := g.pid()
	g.summary("", "CONSTRAINT_MEMCG", cg, cg, comm, pid)
	g.killed("", "Memory cgroup out of memory", pid, comm, "4")
}

func (g *gen) legacy() {
	comm, cg := g.comm(), g.cgroup()
	g.start("", comm, false)
	g.emit(0, 6, "", comm+" cpuset=/ mems_allowed=0")
	g.emit(0, 6, "", "Task in "+cg+" killed as a result of limit of "+cg)
	g.memcgState("", cg)
	pid := g.pid()
	g.emit(0, 3, "", fmt.Sprintf("Memory cgroup out of memory: Kill process %d (%s) "+
		"score %d or sacrifice child", pid, comm, g.rng.IntN(2000)))
	g.killed("", "", pid, comm, "4")
}

// fragmented: the legacy cgroup line arrives in pieces with another CPU's
// line in between, as pr_cont output does under load.
func (g *gen) fragmented() {
	comm, cg := g.comm(), g.cgroup()
	g.start("", comm, false)
	g.emit(0, 6, "", "Task in "+cg)
	g.noise(6, fmt.Sprintf("e1000: eth0 NIC Link is Up %d Mbps Full Duplex", 1000))
	g.emit(0, 6, "", " killed as a result of limit of "+cg)
	pid := g.pid()
	g.emit(0, 3, "", fmt.Sprintf("Memory cgroup out of memory: Kill process %d (%s) "+
		"score %d or sacrifice child", pid, comm, g.rng.IntN(2000)))
	g.killed("", "", g.pid(), comm+"-helper", "4")
}

func (g *gen) v3() {
	comm := g.comm()
	g.emit(0, 4, "", comm+" invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0")
	g.emit(0, 6, "", comm+" cpuset=/ mems_allowed=0")
	pid := g.pid()
	g.emit(0, 4, "", fmt.Sprintf("CPU: 0 PID: %d Comm: %s Not tainted 3.16.0-4-amd64 #1", pid, comm))
	g.emit(0, 4, "", "Mem-Info:")
	g.emit(0, 3, "", fmt.Sprintf("Out of memory: Kill process %d (%s) score %d or "+
		"sacrifice child", pid, comm, g.rng.IntN(1000)))
	g.killed("", "", pid, comm, "3")
}

func (g *gen) rhel() {
	comm := g.comm()
	pid := g.pid()
	g.emit(0, 4, "", comm+" invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0")
	g.emit(0, 6, "", comm+" cpuset=/ mems_allowed=0")
	g.emit(0, 4, "", fmt.Sprintf("Pid: %d, comm: %s Not tainted 2.6.32-754.35.1.el6.x86_64 #1", pid, comm))
	g.emit(0, 3, "", fmt.Sprintf("Out of memory: Kill process %d (%s) score %d or "+
		"sacrifice child", pid, comm, g.rng.IntN(1000)))
	g.killed("", "", pid, comm, "el6")
}

func (g *gen) group() {
	cg := g.cgroup()
	g.start("", "app", true)
	g.memcgState("", cg)
	pid := g.pid()
	g.summary("", "CONSTRAINT_MEMCG", cg, cg, "app", pid)
	g.killed("", "Memory cgroup out of memory", pid, "app", "6")
	g.emit(0, 6, "", "Tasks in "+cg+" are going to be killed due to memory.oom.group set")
	for range 1 + g.rng.IntN(5) {
		g.killed("", "Memory cgroup out of memory", g.pid(), g.comm(), "6")
	}
}

// interleaved: two CPUs report at once; caller ids tell their lines apart.
func (g *gen) interleaved() {
	a, b := fmt.Sprintf("T%d", g.pid()), fmt.Sprintf("T%d", g.pid())
	cgA, cgB := g.cgroup(), g.cgroup()
	g.emit(0, 4, a, "alpha invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0")
	g.emit(0, 4, b, "beta invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0")
	g.emit(0, 4, b, "CPU: 3 PID: "+strings.TrimPrefix(b, "T")+" Comm: beta Not tainted 6.6.63 #1")
	g.emit(0, 4, a, "CPU: 1 PID: "+strings.TrimPrefix(a, "T")+" Comm: alpha Not tainted 6.6.63 #1")
	pa, pb := g.pid(), g.pid()
	g.summary(a, "CONSTRAINT_MEMCG", cgA, cgA, "alpha", pa)
	g.summary(b, "CONSTRAINT_MEMCG", cgB, cgB, "beta", pb)
	g.killed(b, "Memory cgroup out of memory", pb, "beta", "6")
	g.emit(0, 6, "C2", "e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex")
	g.killed(a, "Memory cgroup out of memory", pa, "alpha", "6")
}

func (g *gen) noKill() {
	cg, comm := g.cgroup(), g.comm()
	g.start("", comm, true)
	pid := g.pid()
	g.summary("", "CONSTRAINT_MEMCG", cg, cg, comm, pid)
	g.emit(0, 6, "", fmt.Sprintf("Memory cgroup out of memory: OOM victim %d (%s) is already "+
		"exiting. Skip killing the task", pid, comm))
}
