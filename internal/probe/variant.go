package probe

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf/btf"
)

// Variant is the way the kernel side reaches the victim's task.
type Variant uint32

// Values match enum variant in bpf/event.h.
const (
	// VariantBTF: tp_btf/mark_victim hands over the task (extended
	// tracepoint: mainline 6.9, backported to some stable trees).
	VariantBTF Variant = 1
	// VariantKfunc: classic tracepoint, task found with bpf_task_from_pid
	// (6.2 and later).
	VariantKfunc Variant = 2
	// VariantPid: classic tracepoint, pid only; the rest comes from /proc.
	VariantPid Variant = 3
)

func (v Variant) String() string {
	switch v {
	case VariantBTF:
		return "tp_btf"
	case VariantKfunc:
		return "tracepoint+kfunc"
	case VariantPid:
		return "tracepoint+pid"
	}
	return fmt.Sprintf("variant(%d)", uint32(v))
}

// ParseVariant reads the names String gives, and "auto" as 0.
func ParseVariant(s string) (Variant, error) {
	for _, v := range []Variant{VariantBTF, VariantKfunc, VariantPid} {
		if v.String() == s {
			return v, nil
		}
	}
	if s == "auto" || s == "" {
		return 0, nil
	}
	return 0, fmt.Errorf("unknown probe variant %q (tp_btf, tracepoint+kfunc, tracepoint+pid, auto)", s)
}

// supportedVariants lists, best first, the variants the kernel's BTF allows.
// Without kernel BTF only VariantPid remains, and it still needs CO-RE
// relocations, so loading will fail and the caller falls back to kmsg.
func supportedVariants(spec *btf.Spec) []Variant {
	if spec == nil {
		return []Variant{VariantPid}
	}
	var out []Variant
	if markVictimHasTask(spec) {
		out = append(out, VariantBTF)
	}
	var fn *btf.Func
	if err := spec.TypeByName("bpf_task_from_pid", &fn); err == nil {
		out = append(out, VariantKfunc)
	}
	return append(out, VariantPid)
}

// markVictimHasTask tells whether btf_trace_mark_victim takes a task_struct
// (void *ctx, struct task_struct *task, uid_t uid) rather than (ctx, int pid).
func markVictimHasTask(spec *btf.Spec) bool {
	var td *btf.Typedef
	if err := spec.TypeByName("btf_trace_mark_victim", &td); err != nil {
		return false
	}
	ptr, ok := td.Type.(*btf.Pointer)
	if !ok {
		return false
	}
	proto, ok := ptr.Target.(*btf.FuncProto)
	if !ok || len(proto.Params) < 2 {
		return false
	}
	arg, ok := btf.UnderlyingType(proto.Params[1].Type).(*btf.Pointer)
	if !ok {
		return false
	}
	st, ok := btf.UnderlyingType(arg.Target).(*btf.Struct)
	return ok && st.Name == "task_struct"
}

// errNoVariant means no variant could be loaded and attached.
var errNoVariant = errors.New("no probe variant could be loaded")
