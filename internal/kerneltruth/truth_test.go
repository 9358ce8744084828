package kerneltruth

import "testing"

func TestRecordTakesOnlyTheKernels(t *testing.T) {
	k := &Log{summary: map[int]Summary{}}
	for _, r := range []string{
		"3,10,100,-;Memory cgroup out of memory: Killed process 42 (x) total-vm:1kB",
		"11,11,101,-;Memory cgroup out of memory: Killed process 43 (forged) total-vm:1kB",
		"6,12,102,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/," +
			"mems_allowed=0,oom_memcg=/a,task_memcg=/a/b,task=x,pid=42,uid=0",
		"6,13,103,-;oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/," +
			"mems_allowed=0,global_oom,task_memcg=/c,task=y,pid=44,uid=0\n SUBSYSTEM=x",
	} {
		k.record(r)
	}
	if len(k.pids) != 1 || k.pids[0] != 42 {
		t.Errorf("pids %v, want [42]", k.pids)
	}
	want := map[int]Summary{
		42: {Constraint: "CONSTRAINT_MEMCG", OomCgroup: "/a", VictimCgroup: "/a/b"},
		44: {Constraint: "CONSTRAINT_NONE", Global: true, VictimCgroup: "/c"},
	}
	for pid, s := range want {
		if k.summary[pid] != s {
			t.Errorf("summary %d = %+v, want %+v", pid, k.summary[pid], s)
		}
	}
}
