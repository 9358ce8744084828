package main

import "fmt"

var (
	ifaces   = []string{"eth0", "ens3", "docker0", "cni0", "veth3a9f1c2", "wlp2s0"}
	disks    = []string{"sda", "sdb", "nvme0n1", "vda", "dm-0"}
	units    = []string{"cron.service", "sshd.service", "containerd.service", "kubelet.service"}
	workers  = []string{"kworker/0:1", "kworker/1:2H", "ksoftirqd/1", "rcu_sched", "kswapd0"}
	profiles = []string{"docker-default", "cri-containerd.apparmor.d", "snap.lxd.lxc"}
)

// chatter writes one record of the kind a busy host logs all day: network,
// storage, audit, systemd, stack dumps of warnings, and user-space writes to
// /dev/kmsg (facility 1), one of them a forged OOM line that is no kill.
func (g *gen) chatter() {
	r := g.rng
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	switch r.IntN(16) {
	case 0:
		g.noise(6, fmt.Sprintf("%s: port %d(%s) entered forwarding state",
			pick(ifaces), 1+r.IntN(8), pick(ifaces)))
	case 1:
		g.noise(6, fmt.Sprintf("EXT4-fs (%s1): mounted filesystem %08x-%04x with ordered data mode",
			pick(disks), r.Uint32(), r.IntN(65536)), "SUBSYSTEM=block", "DEVICE=b259:1")
	case 2:
		g.noise(5, fmt.Sprintf(`audit: type=1400 audit(%d.%03d:%d): apparmor="DENIED" `+
			`operation="open" profile="%s" name="/proc/%d/mounts" pid=%d comm="runc"`,
			1700000000+r.IntN(1e7), r.IntN(1000), r.IntN(1e5), pick(profiles),
			r.IntN(1e5), r.IntN(1e5)))
	case 3:
		g.noise(4, fmt.Sprintf("TCP: request_sock_TCP: Possible SYN flooding on port %d. "+
			"Sending cookies.", 1+r.IntN(65535)))
	case 4:
		g.noise(6, fmt.Sprintf("IPv6: ADDRCONF(NETDEV_CHANGE): %s: link becomes ready",
			pick(ifaces)))
	case 5:
		g.noise(3, fmt.Sprintf("blk_update_request: I/O error, dev %s, sector %d op 0x0:(READ)",
			pick(disks), r.IntN(1e9)), "SUBSYSTEM=block")
	case 6:
		g.emit(1, 6, "", fmt.Sprintf("systemd[1]: Started %s.", pick(units)))
		g.markChatter()
	case 7:
		// A warning's stack dump: a CPU: line that belongs to no OOM report.
		g.noise(4, fmt.Sprintf("CPU: %d PID: %d Comm: %s Not tainted 6.12.9-amd64 #1",
			r.IntN(8), r.IntN(1e5), pick(workers)))
		g.noise(4, "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3")
		g.noise(4, "Call Trace:")
		g.noise(4, fmt.Sprintf(" dump_stack_lvl+0x%x/0x80", r.IntN(0x80)))
	case 8:
		g.noise(6, fmt.Sprintf("usb %d-%d: new high-speed USB device number %d using xhci_hcd",
			1+r.IntN(3), 1+r.IntN(6), r.IntN(128)), "SUBSYSTEM=usb", "DEVICE=c189:3")
	case 9:
		g.noise(4, fmt.Sprintf("oom_kill_process: %d callbacks suppressed", 1+r.IntN(400)))
	case 10:
		g.noise(6, fmt.Sprintf("oom_reaper: reaped process %d (worker), now anon-rss:0kB, "+
			"file-rss:0kB, shmem-rss:0kB", r.IntN(1e5)))
	case 11:
		g.noise(6, fmt.Sprintf("device %s entered promiscuous mode", pick(ifaces)))
	case 12:
		g.noise(4, fmt.Sprintf("perf: interrupt took too long (%d > %d), lowering "+
			"kernel.perf_event_max_sample_rate to %d", 2500+r.IntN(3000), 2500, 50000+r.IntN(40000)))
	case 13:
		g.noise(6, fmt.Sprintf("/dev/%s1: clean, %d/%d files, %d/%d blocks", pick(disks),
			r.IntN(1e5), 655360, r.IntN(1e6), 2621440))
	case 14:
		g.noise(4, fmt.Sprintf("nfs: server 10.0.%d.%d not responding, still trying",
			r.IntN(256), r.IntN(256)))
	default:
		if r.IntN(50) == 0 {
			// user space can write anything to /dev/kmsg
			g.emit(1, 4, "", "Out of memory: Killed process 1 (init) total-vm:1kB, "+
				"anon-rss:1kB, file-rss:0kB, shmem-rss:0kB")
		} else {
			g.emit(1, 5, "", fmt.Sprintf("kernel: [%d] userspace note", r.IntN(1e6)))
		}
		g.markChatter()
	}
}
