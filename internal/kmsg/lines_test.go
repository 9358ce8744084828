package kmsg

import (
	"testing"
)

func TestParseKilled(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Kill
	}{
		{
			name: "6.x memcg",
			text: "Memory cgroup out of memory: Killed process 42 (stress-ng-vm) " +
				"total-vm:76932kB, anon-rss:32892kB, file-rss:160kB, shmem-rss:4kB, " +
				"UID:1000 pgtables:136kB oom_score_adj:-17",
			want: Kill{Pid: 42, Comm: "stress-ng-vm", Prefix: "Memory cgroup out of memory",
				UID: 1000, HasUID: true, TotalVMKiB: 76932, AnonRSSKiB: 32892,
				FileRSSKiB: 160, ShmemRSSKiB: 4, HasShmemRSS: true, PgtablesKiB: 136,
				HasPgtables: true, OomScoreAdj: -17, HasOomScoreAdj: true},
		},
		{
			name: "UID without pgtables (a few 5.x releases)",
			text: "Memory cgroup out of memory: Killed process 4246 (x) total-vm:110084kB, " +
				"anon-rss:1kB, file-rss:2kB, shmem-rss:3kB, UID:0",
			want: Kill{Pid: 4246, Comm: "x", Prefix: "Memory cgroup out of memory",
				HasUID: true, TotalVMKiB: 110084, AnonRSSKiB: 1, FileRSSKiB: 2,
				ShmemRSSKiB: 3, HasShmemRSS: true},
		},
		{
			name: "trailing blank",
			text: "Out of memory: Killed process 8 (y) total-vm:1kB, anon-rss:2kB, " +
				"file-rss:3kB, shmem-rss:0kB, UID:5 pgtables:4kB oom_score_adj:5 ",
			want: Kill{Pid: 8, Comm: "y", Prefix: "Out of memory", UID: 5, HasUID: true,
				TotalVMKiB: 1, AnonRSSKiB: 2, FileRSSKiB: 3, HasShmemRSS: true,
				PgtablesKiB: 4, HasPgtables: true, OomScoreAdj: 5, HasOomScoreAdj: true},
		},
		{
			name: "4.x no prefix",
			text: "Killed process 7 (a b) total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:0kB",
			want: Kill{Pid: 7, Comm: "a b", TotalVMKiB: 1, AnonRSSKiB: 2, FileRSSKiB: 3,
				HasShmemRSS: true},
		},
		{
			name: "3.x",
			text: "Killed process 7 (x) total-vm:1kB, anon-rss:2kB, file-rss:3kB",
			want: Kill{Pid: 7, Comm: "x", TotalVMKiB: 1, AnonRSSKiB: 2, FileRSSKiB: 3},
		},
		{
			name: "2.6.32 enterprise",
			text: "Killed process 9, UID 501, (java) total-vm:1kB, anon-rss:2kB, file-rss:3kB",
			want: Kill{Pid: 9, Comm: "java", UID: 501, HasUID: true, TotalVMKiB: 1,
				AnonRSSKiB: 2, FileRSSKiB: 3},
		},
		{
			name: "3.10 enterprise",
			text: "Killed process 9 (httpd), UID 48, total-vm:1kB, anon-rss:2kB, " +
				"file-rss:3kB, shmem-rss:4kB",
			want: Kill{Pid: 9, Comm: "httpd", UID: 48, HasUID: true, TotalVMKiB: 1,
				AnonRSSKiB: 2, FileRSSKiB: 3, ShmemRSSKiB: 4, HasShmemRSS: true},
		},
		{
			name: "3.10 enterprise with anchor in comm",
			text: "Killed process 9 (a), UID 1, b), UID 48, total-vm:1kB, anon-rss:2kB, " +
				"file-rss:3kB",
			want: Kill{Pid: 9, Comm: "a), UID 1, b", UID: 48, HasUID: true, TotalVMKiB: 1,
				AnonRSSKiB: 2, FileRSSKiB: 3},
		},
		{
			name: "empty comm",
			text: "Killed process 9 () total-vm:1kB, anon-rss:2kB, file-rss:3kB",
			want: Kill{Pid: 9, TotalVMKiB: 1, AnonRSSKiB: 2, FileRSSKiB: 3},
		},
		{
			name: "future field tolerated",
			text: "Out of memory: Killed process 9 (x) total-vm:1kB, anon-rss:2kB, " +
				"file-rss:3kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0, swap:9kB",
			want: Kill{Pid: 9, Comm: "x", Prefix: "Out of memory", HasUID: true,
				TotalVMKiB: 1, AnonRSSKiB: 2, FileRSSKiB: 3, HasShmemRSS: true,
				PgtablesKiB: 4, HasPgtables: true, HasOomScoreAdj: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseKilled(tt.text)
			if !ok {
				t.Fatal("not parsed")
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseKilledRejects(t *testing.T) {
	for _, text := range []string{
		"oom_reaper: reaped process 7 (x), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
		"Killed process 0 (x) total-vm:1kB, anon-rss:2kB, file-rss:3kB",
		"Killed process 99999999 (x) total-vm:1kB, anon-rss:2kB, file-rss:3kB",
		"Killed process 7 (x) total-vm:1kB, anon-rss:2kB",
		"Killed process 7 (x) total-vm:1kB, anon-rss:2kB, file-rss:3kB garbage",
		"Killed process 7 (x total-vm:1kB, anon-rss:2kB, file-rss:3kB",
		"foo:Killed process 7 (x) total-vm:1kB, anon-rss:2kB, file-rss:3kB",
		"a: b: Killed process 7 (x) total-vm:1kB, anon-rss:2kB, file-rss:3kB",
		"Out of memory: Kill process 5 (Killed process ) score 1 or sacrifice child",
		"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=Killed process ,pid=1,uid=0",
		"Killed process  invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0",
		"Killed process 7 (x) total-vm:1kB, anon-rss:2kB, file-rss:3kB, UID:x pgtables:1kB",
	} {
		if k, ok := parseKilled(text); ok {
			t.Errorf("parseKilled(%q) = %+v, want rejection", text, k)
		}
	}
}

func TestParseSummary(t *testing.T) {
	tests := []struct {
		name          string
		text, comm    string
		want          summary
		oom, victimCg string
	}{
		{
			name: "memcg",
			text: "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/," +
				"mems_allowed=0,oom_memcg=/a,task_memcg=/a/b,task=x,pid=5,uid=7",
			comm: "x",
			want: summary{constraint: "CONSTRAINT_MEMCG",
				cgroups: ",oom_memcg=/a,task_memcg=/a/b,task=x", pid: 5, uid: 7},
			oom: "/a", victimCg: "/a/b",
		},
		{
			name: "global with node lists",
			text: "oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=0-1,3,cpuset=/," +
				"mems_allowed=0-3,global_oom,task_memcg=/s.slice,task=y,pid=6,uid=0",
			comm: "y",
			want: summary{constraint: "CONSTRAINT_MEMORY_POLICY", global: true,
				cgroups: ",global_oom,task_memcg=/s.slice,task=y", pid: 6},
			oom: "/", victimCg: "/s.slice",
		},
		{
			name: "no cpusets, no memcg",
			text: "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=z,pid=8,uid=0",
			comm: "z",
			want: summary{constraint: "CONSTRAINT_NONE", cgroups: ",task=z", pid: 8},
		},
		{
			name: "cgroup name with task_memcg= and unknown comm",
			text: "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/," +
				"mems_allowed=0,oom_memcg=/p,task_memcg=/q,task_memcg=/p,task_memcg=/q/r," +
				"task=w,pid=9,uid=0",
			want: summary{constraint: "CONSTRAINT_MEMCG",
				cgroups: ",oom_memcg=/p,task_memcg=/q,task_memcg=/p,task_memcg=/q/r,task=w",
				pid:     9},
			oom: "/p,task_memcg=/q", victimCg: "/p,task_memcg=/q/r",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseSummary(tt.text)
			if !ok {
				t.Fatal("not parsed")
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			oom, victim := got.cgroupsFor(tt.comm, tt.comm != "")
			if oom != tt.oom || victim != tt.victimCg {
				t.Errorf("cgroups = %q, %q; want %q, %q", oom, victim, tt.oom, tt.victimCg)
			}
		})
	}
}

func TestParseSummaryRejects(t *testing.T) {
	for _, text := range []string{
		"oom-kill:constraint=CONSTRAINT_MEMCG",
		"oom-kill:constraint=bad name,nodemask=(null),task=x,pid=1,uid=0",
		"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=x,pid=0,uid=0",
		"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=x,pid=1,uid=-1",
		"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=x,pid=1",
		"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),other=x,pid=1,uid=0",
		"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,pid=1,uid=0",
	} {
		if s, ok := parseSummary(text); ok {
			t.Errorf("parseSummary(%q) = %+v, want rejection", text, s)
		}
	}
}

func TestParseStart(t *testing.T) {
	tests := []struct {
		text string
		want startLine
	}{
		{"a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
			startLine{"a", "0xcc0(GFP_KERNEL)", 0, true}},
		{"b invoked oom-killer: gfp_mask=0x14000c0(GFP_KERNEL), nodemask=0-1,3, order=3, " +
			"oom_score_adj=-1000", startLine{"b", "0x14000c0(GFP_KERNEL)", 3, true}},
		{"c invoked oom-killer: gfp_mask=0xd0, order=-1, oom_score_adj=0",
			startLine{"c", "0xd0", -1, true}},
		{"d invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0",
			startLine{"d", "0x201da", 0, true}},
		{"x invoked oom-killer: y invoked oom-killer: gfp_mask=0x1, order=2",
			startLine{"x invoked oom-killer: y", "0x1", 2, true}},
		{" invoked oom-killer: gfp_mask=0x1", startLine{"", "0x1", 0, false}},
	}
	for _, tt := range tests {
		got, ok := parseStart(tt.text)
		if !ok || got != tt.want {
			t.Errorf("parseStart(%q) = %+v, %v; want %+v", tt.text, got, ok, tt.want)
		}
	}
	for _, text := range []string{
		"a invoked oom-killer: order=0",
		"a invoked oom-killer: gfp_mask=0x1, order=x",
		"a invoked oom-killer: gfp_mask=",
	} {
		if got, ok := parseStart(text); ok {
			t.Errorf("parseStart(%q) = %+v, want rejection", text, got)
		}
	}
}

func TestParseStackLine(t *testing.T) {
	tests := []struct {
		text     string
		pid      int
		fromComm string
	}{
		{"CPU: 1 PID: 123 Comm: stress Not tainted 5.10.0 #1", 123, "stress Not tainted 5.10.0 #1"},
		{"CPU: 12 UID: 1000 PID: 9 Comm: a b Tainted: G O 6.12.0", 9, "a b Tainted: G O 6.12.0"},
		{"Pid: 4051, comm: java Not tainted 2.6.32", 4051, "java Not tainted 2.6.32"},
	}
	for _, tt := range tests {
		pid, from, ok := parseStackLine(tt.text)
		if !ok || pid != tt.pid || from != tt.fromComm {
			t.Errorf("parseStackLine(%q) = %d, %q, %v", tt.text, pid, from, ok)
		}
	}
	for _, text := range []string{"CPU: x PID: 1 Comm: a", "CPU: 1 PID: 1 comm: a",
		"CPU: 1 UID: PID: 1 Comm: a", "Pid: 1 comm: a"} {
		if _, _, ok := parseStackLine(text); ok {
			t.Errorf("parseStackLine(%q) accepted", text)
		}
	}
}

func TestParseDecision(t *testing.T) {
	d, ok := parseDecision("Memory cgroup out of memory: Kill process 5 (a (b)) score 1000 " +
		"or sacrifice child")
	if !ok || d != (decision{"Memory cgroup out of memory", 5, "a (b)"}) {
		t.Errorf("got %+v, %v", d, ok)
	}
	for _, text := range []string{
		": Kill process 5 (a) score 1 or sacrifice child",
		"Out of memory: Kill process 5 (a) score x or sacrifice child",
		"Out of memory: Kill process 5 (a) score 1",
	} {
		if d, ok := parseDecision(text); ok {
			t.Errorf("parseDecision(%q) = %+v", text, d)
		}
	}
}

func TestTaskInFragments(t *testing.T) {
	tests := []struct {
		name        string
		pieces      []string
		victim, oom string
	}{
		{"whole", []string{"Task in /a/b killed as a result of limit of /a"}, "/a/b", "/a"},
		{"two", []string{"Task in /a/b", " killed as a result of limit of /a"}, "/a/b", "/a"},
		{"four", []string{"Task in ", "/a/b", " killed as a result of limit of ", "/a"},
			"/a/b", "/a"},
		{"marker in a name",
			[]string{"Task in /p/x killed as a result of limit of /y killed as a result " +
				"of limit of /p"}, "/p/x killed as a result of limit of /y", "/p"},
		{"unexpected piece skipped",
			[]string{"Task in /a", "/unrelated", " killed as a result of limit of /a"}, "/a", "/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l taskIn
			l.start(tt.pieces[0])
			for _, p := range tt.pieces[1:] {
				l.fragment(p)
			}
			if !l.hasCgroups || l.pending || l.victim != tt.victim || l.oom != tt.oom {
				t.Errorf("got %+v", l)
			}
		})
	}
}

func TestSeqTracker(t *testing.T) {
	var s seqTracker
	steps := []struct {
		seq     uint64
		deliver bool
		lost    uint64
	}{
		{10, true, 0}, {11, true, 0}, {11, false, 0}, {5, false, 0}, {15, true, 3}, {16, true, 0},
	}
	for _, st := range steps {
		d, l := s.admit(st.seq)
		if d != st.deliver || l != st.lost {
			t.Errorf("admit(%d) = %v, %d; want %v, %d", st.seq, d, l, st.deliver, st.lost)
		}
	}
}
