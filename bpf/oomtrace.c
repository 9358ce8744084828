/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * oomtrace's kernel side: one event per oom/mark_victim hit.
 *
 * Three entry points serve the same event, and user space loads the best one
 * the running kernel's BTF allows:
 *   on_mark_victim_btf   tp_btf, the tracepoint hands over the victim's task
 *                        (extended layout: mainline 6.9, some stable trees);
 *   on_mark_victim_kfunc classic tracepoint, task found by bpf_task_from_pid
 *                        (kfunc, 6.2 and later);
 *   on_mark_victim_pid   classic tracepoint, pid only (4.13 and later); user
 *                        space reads the rest from /proc at once.
 * on_signal_generate remembers, per sending task, the last SIGKILL it sent
 * from kernel context: the OOM killer (current, the trigger) sends it to the
 * victim just before mark_victim, so its absence marks the "already
 * exiting" shortcut, where nothing is killed.
 */
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "event.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define SIGKILL 9
#define SI_KERNEL 0x80 /* siginfo code of a signal the kernel sent itself */
#define PAGE_TO_KIB(pages) ((pages) << 2) /* 4 KiB pages */
/* A THP charge is 512 pages: a counter this close to its limit refused it. */
#define CHARGE_SLACK_PAGES 512
/*
 * SIGKILL and mark_victim run back to back in the same task, but an
 * interrupt, or a hypervisor that deschedules the vCPU, can put
 * milliseconds between them (seen under qemu's emulation). The pairing is
 * by task and victim; the window only ages out a note no mark consumed.
 */
#define KILL_WINDOW_NS 1000000000ULL

struct task_struct *bpf_task_from_pid(__s32 pid) __ksym __weak;
void bpf_task_release(struct task_struct *p) __ksym __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/* Counters user space reports; indexes are enum counter in event.h. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct kill_slot {
	__u64 ts;
	__s32 pid;
};

/* The last kernel-sent SIGKILL of each task, keyed by the sender's tid. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct kill_slot);
} last_sigkill SEC(".maps");

/* Keeps struct event in the object's BTF for the Go binding generator. */
const struct event *unused_event __attribute__((unused));

/* Set by user space before load. */
volatile __u32 sigkill_watched = 0;       /* signal_generate is attached */
volatile const __u32 memsw_limits = 0;    /* cgroup v1 memory controller */

static __always_inline void count(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&counters, &which);

	if (n)
		*n += 1;
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	struct kernfs_node___rcu_parent *rcu = (void *)kn;
	struct kernfs_node___parent *old = (void *)kn;

	if (bpf_core_field_exists(rcu->__parent))
		return BPF_CORE_READ(rcu, __parent);
	return BPF_CORE_READ(old, parent);
}

/*
 * Copy a cgroup's path into p, leaf first, as kernfs names. The root has no
 * name and ends the walk; a deeper path, or a name that could not be read,
 * sets CGROUP_PATH_TRUNCATED and user space looks the id up instead.
 */
static __always_inline void fill_path(struct cgroup_path *p, struct cgroup *cgrp)
{
	struct kernfs_node *kn = BPF_CORE_READ(cgrp, kn);

	p->id = BPF_CORE_READ(kn, id);
	p->depth = 0;
	p->flags = 0;

	for (int i = 0; i < CGROUP_PATH_DEPTH; i++) {
		struct kernfs_node *parent = kn_parent(kn);

		if (!parent)
			return;
		long n = bpf_probe_read_kernel_str(p->names[i], CGROUP_NAME_LEN,
						   BPF_CORE_READ(kn, name));

		if (n < 0)
			p->flags |= CGROUP_PATH_TRUNCATED;
		p->depth = i + 1;
		kn = parent;
	}
	if (kn_parent(kn))
		p->flags |= CGROUP_PATH_TRUNCATED;
}

static __always_inline struct cgroup_subsys_state *memory_css(struct task_struct *t)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

	return BPF_CORE_READ(t, cgroups, subsys[id]);
}

static __always_inline int at_limit(struct page_counter *pc, __u64 slack)
{
	__u64 usage = BPF_CORE_READ(pc, usage.counter);
	__u64 max = BPF_CORE_READ(pc, max);

	return usage + slack >= max;
}

static __always_inline int memcg_at_limit(struct mem_cgroup *memcg, __u64 slack)
{
	if (at_limit(&memcg->memory, slack))
		return 1;
	/* Only cgroup v1 limits memory+swap; on v2 this union is the swap
	 * counter, which never refuses a charge of memory. */
	if (!memsw_limits)
		return 0;
	return at_limit(&memcg->memsw, slack);
}

/*
 * Each memory cgroup's count of OOMs of its own (memory.events.local "oom"),
 * as last seen. mem_cgroup_oom() counts one on the OOM domain just before
 * it picks a victim: a count that grew since the last look names the
 * domain even when the victims before freed memory and no page counter
 * stands at its limit any more.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __s64);
} oom_events_seen SEC(".maps");

/*
 * Returns 1 when the count grew since the last look, and takes one OOM of
 * it. Two OOMs of one cgroup can be counted before the first of their marks
 * is seen; one is kept for the next mark, where no counter may stand at its
 * limit any more. More are not: mem_cgroup_oom() also counts OOMs that kill
 * nothing (a victim is already dying), and a stale credit could later
 * claim an OOM that was not this cgroup's.
 */
static __always_inline int oom_count_grew(struct mem_cgroup *memcg)
{
	int idx = bpf_core_enum_value(enum memcg_memory_event, MEMCG_OOM);
	__u64 key = (__u64)memcg;
	__s64 now, *seen, next;

	if (!bpf_core_field_exists(memcg->memory_events_local))
		return 0;
	now = BPF_CORE_READ(memcg, memory_events_local[idx].counter);
	seen = bpf_map_lookup_elem(&oom_events_seen, &key);
	if (!seen) {
		bpf_map_update_elem(&oom_events_seen, &key, &now, BPF_ANY);
		return 0;
	}
	if (now <= *seen) {
		*seen = now; /* a cgroup reusing a freed one's address */
		return 0;
	}
	next = *seen + 1;
	if (next < now - 1)
		next = now - 1;
	*seen = next;
	return 1;
}

/*
 * The OOM domain, walking up from the trigger's memory cgroup (current is
 * the task whose charge failed): the first whose page counter stands at its
 * limit; else the first whose OOM count just grew; else the first within
 * one THP of its limit. None of these, with every ancestor searched, means
 * the OOM was not a memory cgroup's (global, cpuset or mempolicy).
 */
enum limit_state {
	LIMIT_FULL = 1,  /* page counter at its limit */
	LIMIT_GREW = 2,  /* own OOM count grew since the last look */
	LIMIT_NEAR = 4,  /* within one THP of its limit */
};

/*
 * One step of the walk below. A global function: the verifier checks it
 * once, not once per step and path, which keeps a deep walk loadable.
 */
__attribute__((noinline)) int limit_state(__u64 memcg_addr)
{
	struct mem_cgroup *memcg = (void *)memcg_addr;
	int state = 0;

	if (!memcg)
		return 0;
	if (oom_count_grew(memcg))
		state |= LIMIT_GREW;
	if (memcg_at_limit(memcg, 0))
		state |= LIMIT_FULL;
	if (memcg_at_limit(memcg, CHARGE_SLACK_PAGES))
		state |= LIMIT_NEAR;
	return state;
}

/* The trigger's memory cgroup and its ancestors, nearest first. */
struct memcg_chain {
	__u64 css[MEMCG_WALK_DEPTH];
	__u64 pick;   /* the OOM domain's css, 0 if none */
	__u64 victim; /* the victim's memory css, 0 if unknown */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct memcg_chain);
} chain_scratch SEC(".maps");

/* Lowest level whose bit is set in mask, or -1. */
static __always_inline int lowest(__u32 mask)
{
	for (int i = 0; i < MEMCG_WALK_DEPTH; i++)
		if (mask & (1U << i))
			return i;
	return -1;
}

static __always_inline void fill_oom_domain(struct event *e, struct task_struct *trigger)
{
	struct cgroup_subsys_state *css = memory_css(trigger);
	__u32 full = 0, counted = 0, near = 0, zero = 0;
	struct memcg_chain *chain = bpf_map_lookup_elem(&chain_scratch, &zero);
	int level;

	if (!chain)
		return;
	chain->pick = 0;
	chain->victim = 0;
	/* The walk only collects bits: a branch per level on what was found
	 * would multiply the states the verifier has to visit. */
	for (int i = 0; i < MEMCG_WALK_DEPTH; i++) {
		int state = limit_state((__u64)css);

		chain->css[i] = (__u64)css;
		full |= (__u32)(state & LIMIT_FULL) << i;
		counted |= (__u32)((state & LIMIT_GREW) >> 1) << i;
		near |= (__u32)((state & LIMIT_NEAR) >> 2) << i;
		if (!css)
			break;
		css = BPF_CORE_READ(css, parent);
	}
	if (css)
		e->flags |= EVENT_OOM_WALK_CUT;

	level = lowest(full);
	if (level >= 0) {
		e->flags |= EVENT_OOM_DOMAIN_FOUND;
	} else if ((level = lowest(counted)) >= 0) {
		e->flags |= EVENT_OOM_DOMAIN_FOUND | EVENT_OOM_DOMAIN_EVENTS;
	} else if ((level = lowest(near)) >= 0) {
		e->flags |= EVENT_OOM_DOMAIN_FOUND | EVENT_OOM_DOMAIN_NEAR;
	}
	if (level >= 0 && level < MEMCG_WALK_DEPTH)
		chain->pick = chain->css[level];
}

/*
 * Copy the OOM domain's path, unless it is the victim's own cgroup (most
 * kills of a burst): then user space reuses the victim's path, and the
 * program saves half its string reads.
 */
static __always_inline void finish_oom_domain(struct event *e)
{
	struct memcg_chain *chain;
	struct cgroup_subsys_state *pick;
	__u32 zero = 0;

	chain = bpf_map_lookup_elem(&chain_scratch, &zero);
	if (!chain || !chain->pick)
		return;
	if (chain->pick == chain->victim) {
		e->flags |= EVENT_OOM_IS_VICTIMS;
		return;
	}
	pick = (void *)chain->pick;
	fill_path(&e->oom_cgroup, BPF_CORE_READ(pick, cgroup));
}

static __always_inline __u64 rss_pages(struct mm_struct *mm, int member)
{
	struct mm_struct___percpu *pcpu = (void *)mm;
	struct mm_struct___atomic *old = (void *)mm;
	__s64 n = 0;

	/* struct mm_rss_stat left the kernel when the counters went percpu. */
	if (bpf_core_type_exists(struct mm_rss_stat)) {
		n = BPF_CORE_READ(old, rss_stat.count[member].counter);
	} else {
		/* The array stride is the running kernel's percpu_counter size,
		 * which the declaration above cannot know. */
		__u64 stride = bpf_core_type_size(struct percpu_counter);
		__u64 off = bpf_core_field_offset(struct percpu_counter, count);

		bpf_probe_read_kernel(&n, sizeof(n),
				      (void *)pcpu->rss_stat + member * stride + off);
	}
	return n > 0 ? n : 0;
}

static __always_inline void fill_victim(struct event *e, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	struct cgroup_subsys_state *css = memory_css(t);
	struct memcg_chain *chain;
	__u32 zero = 0;

	e->tgid = BPF_CORE_READ(t, tgid);
	BPF_CORE_READ_STR_INTO(&e->comm, t, comm);
	e->uid = BPF_CORE_READ(t, real_cred, uid.val);
	e->oom_score_adj = BPF_CORE_READ(t, signal, oom_score_adj);
	fill_path(&e->victim_cgroup, BPF_CORE_READ(css, cgroup));
	e->flags |= EVENT_VICTIM_TASK;
	chain = bpf_map_lookup_elem(&chain_scratch, &zero);
	if (chain)
		chain->victim = (__u64)css;

	if (!mm)
		return;
	e->total_vm_kib = PAGE_TO_KIB((__u64)BPF_CORE_READ(mm, total_vm));
	e->file_rss_kib = PAGE_TO_KIB(rss_pages(mm, MM_FILEPAGES));
	e->anon_rss_kib = PAGE_TO_KIB(rss_pages(mm, MM_ANONPAGES));
	e->shmem_rss_kib = PAGE_TO_KIB(rss_pages(mm, MM_SHMEMPAGES));
	e->pgtables_kib = BPF_CORE_READ(mm, pgtables_bytes.counter) >> 10;
	e->flags |= EVENT_VICTIM_MM;
}

/* Reserve and fill what every variant knows; NULL when the ring is full. */
static __always_inline struct event *start_event(__s32 pid, __u32 variant)
{
	struct task_struct *trigger = (void *)bpf_get_current_task();
	__u32 sender = (__u32)bpf_get_current_pid_tgid();
	struct kill_slot *slot;
	struct event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(COUNTER_RINGBUF_FULL);
		return 0;
	}
	/* Reserved memory is not zeroed: set every field user space reads
	 * unconditionally; the rest is guarded by flags and depths. */
	e->flags = 0;
	e->victim_cgroup.depth = 0;
	e->oom_cgroup.depth = 0;
	e->tgid = 0;
	e->uid = 0;
	e->oom_score_adj = 0;
	e->comm[0] = 0;
	e->boot_ns = bpf_ktime_get_boot_ns();
	e->pid = pid;
	e->variant = variant;
	e->trigger_pid = BPF_CORE_READ(trigger, tgid);
	e->trigger_tid = BPF_CORE_READ(trigger, pid);
	BPF_CORE_READ_STR_INTO(&e->trigger_comm, trigger, comm);
	fill_oom_domain(e, trigger);

	if (sigkill_watched) {
		e->flags |= EVENT_KILL_KNOWN;
		slot = bpf_map_lookup_elem(&last_sigkill, &sender);
		if (slot) {
			if (slot->pid == pid && e->boot_ns - slot->ts < KILL_WINDOW_NS)
				e->flags |= EVENT_KILLED;
			bpf_map_delete_elem(&last_sigkill, &sender);
		}
	}
	count(COUNTER_EVENTS);
	return e;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(on_mark_victim_btf, struct task_struct *task, __u32 uid)
{
	struct event *e = start_event(BPF_CORE_READ(task, pid), VARIANT_BTF);

	if (!e)
		return 0;
	fill_victim(e, task);
	e->uid = uid;
	finish_oom_domain(e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/oom/mark_victim")
int on_mark_victim_kfunc(struct trace_event_raw_mark_victim *ctx)
{
	__s32 pid = BPF_CORE_READ(ctx, pid);
	struct event *e = start_event(pid, VARIANT_KFUNC);
	struct task_struct *task;

	if (!e)
		return 0;
	task = bpf_task_from_pid(pid);
	if (task) {
		fill_victim(e, task);
		bpf_task_release(task);
	}
	finish_oom_domain(e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/oom/mark_victim")
int on_mark_victim_pid(struct trace_event_raw_mark_victim *ctx)
{
	struct event *e = start_event(BPF_CORE_READ(ctx, pid), VARIANT_PID);

	if (!e)
		return 0;
	finish_oom_domain(e);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/signal/signal_generate")
int on_signal_generate(struct trace_event_raw_signal_generate *ctx)
{
	__u32 sender = (__u32)bpf_get_current_pid_tgid();
	struct kill_slot slot;

	/* A user's kill(2) (SI_USER) is not the OOM killer's. */
	if (BPF_CORE_READ(ctx, sig) != SIGKILL || BPF_CORE_READ(ctx, code) != SI_KERNEL)
		return 0;
	__builtin_memset(&slot, 0, sizeof(slot)); /* padding too: the verifier reads it */
	slot.pid = BPF_CORE_READ(ctx, pid);
	slot.ts = bpf_ktime_get_boot_ns();
	bpf_map_update_elem(&last_sigkill, &sender, &slot, BPF_ANY);
	return 0;
}
