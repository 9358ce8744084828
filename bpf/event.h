/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/* The record the kernel side hands to user space, one per mark_victim hit. */
#ifndef OOMTRACE_EVENT_H
#define OOMTRACE_EVENT_H

#define CGROUP_PATH_DEPTH 10
#define CGROUP_NAME_LEN 256 /* NAME_MAX + 1: a kernfs name always fits */
#define MEMCG_WALK_DEPTH 32 /* ancestors searched for the OOM domain */

enum variant {
	VARIANT_BTF = 1,
	VARIANT_KFUNC = 2,
	VARIANT_PID = 3,
};

enum event_flag {
	EVENT_VICTIM_TASK = 1 << 0,      /* comm, tgid, uid, cgroup read */
	EVENT_VICTIM_MM = 1 << 1,        /* memory figures read */
	EVENT_OOM_DOMAIN_FOUND = 1 << 2, /* a memory cgroup at its limit */
	EVENT_OOM_DOMAIN_NEAR = 1 << 3,  /* ...within one THP of it */
	EVENT_KILL_KNOWN = 1 << 4,       /* signal_generate was watched */
	EVENT_KILLED = 1 << 5,           /* SIGKILL sent just before */
	EVENT_OOM_DOMAIN_EVENTS = 1 << 6, /* ...by its local oom event count */
	EVENT_OOM_WALK_CUT = 1 << 7,     /* ancestors left unsearched */
	EVENT_OOM_IS_VICTIMS = 1 << 8,   /* domain = victim's cgroup: path not copied */
};

enum cgroup_path_flag {
	CGROUP_PATH_TRUNCATED = 1 << 0,
};

enum counter {
	COUNTER_EVENTS = 0,
	COUNTER_RINGBUF_FULL = 1,
	COUNTER_MAX = 2,
};

enum mm_counter {
	MM_FILEPAGES = 0,
	MM_ANONPAGES = 1,
	MM_SHMEMPAGES = 3,
};

/* Names leaf first: names[0] is the cgroup's own directory name. */
struct cgroup_path {
	__u64 id;
	__u32 depth;
	__u32 flags;
	char names[CGROUP_PATH_DEPTH][CGROUP_NAME_LEN];
};

struct event {
	__u64 boot_ns;
	__u64 total_vm_kib;
	__u64 anon_rss_kib;
	__u64 file_rss_kib;
	__u64 shmem_rss_kib;
	__u64 pgtables_kib;
	__s32 pid; /* task->pid of the victim: a thread id */
	__s32 tgid;
	__u32 uid;
	__s32 oom_score_adj;
	__s32 trigger_pid;
	__s32 trigger_tid;
	__u32 variant;
	__u32 flags;
	char comm[16];
	char trigger_comm[16];
	struct cgroup_path victim_cgroup;
	struct cgroup_path oom_cgroup;
};

#endif
