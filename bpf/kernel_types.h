/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * The few kernel types oomtrace reads, declared by hand for CO-RE.
 *
 * Only the fields used are listed. preserve_access_index makes every access
 * a relocation that libbpf-style loaders resolve against the running
 * kernel's BTF, so offsets here never matter; names and types do. Struct
 * "flavours" (name___suffix) describe fields that moved between versions.
 */
#ifndef OOMTRACE_KERNEL_TYPES_H
#define OOMTRACE_KERNEL_TYPES_H

#include <linux/types.h>
#include <linux/bpf.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

typedef struct {
	long counter;
} atomic_long_t;

typedef struct {
	__u32 val;
} kuid_t;

struct kernfs_node {
	const char *name;
	__u64 id;
};

/* Linux 6.15 renamed kernfs_node::parent to __parent. */
struct kernfs_node___parent {
	struct kernfs_node *parent;
};

struct kernfs_node___rcu_parent {
	struct kernfs_node *__parent;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys_state *parent;
};

struct css_set {
	struct cgroup_subsys_state *subsys[16];
};

struct page_counter {
	atomic_long_t usage;
	unsigned long max;
};

struct mem_cgroup {
	struct cgroup_subsys_state css;
	struct page_counter memory;
	union {
		struct page_counter swap;
		struct page_counter memsw;
	};
	/* Counted for this cgroup alone (5.2 and later). */
	atomic_long_t memory_events_local[9];
};

struct percpu_counter {
	__s64 count;
};

struct mm_rss_stat {
	atomic_long_t count[4];
};

struct mm_struct {
	unsigned long total_vm;
	atomic_long_t pgtables_bytes;
};

/* Linux 6.2 turned the rss counters into percpu_counters. */
struct mm_struct___percpu {
	struct percpu_counter rss_stat[4];
};

struct mm_struct___atomic {
	struct mm_rss_stat rss_stat;
};

struct cred {
	kuid_t uid;
};

struct signal_struct {
	short oom_score_adj;
};

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct mm_struct *mm;
	const struct cred *real_cred;
	struct signal_struct *signal;
	struct css_set *cgroups;
};

/* Context of the classic oom/mark_victim tracepoint (pid on every layout). */
struct trace_event_raw_mark_victim {
	int pid;
};

struct trace_event_raw_signal_generate {
	int sig;
	int code;
	int pid;
};

enum cgroup_subsys_id {
	memory_cgrp_id = 4,
};

enum memcg_memory_event {
	MEMCG_OOM = 3,
};

#pragma clang attribute pop

#endif
