package probe

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf/btf"
)

func TestMarkVictimLayoutFromBTF(t *testing.T) {
	task := &btf.Struct{Name: "task_struct"}
	proto := func(params ...btf.Type) *btf.Typedef {
		fp := &btf.FuncProto{Return: &btf.Void{}}
		for _, p := range params {
			fp.Params = append(fp.Params, btf.FuncParam{Type: p})
		}
		return &btf.Typedef{Name: "btf_trace_mark_victim", Type: &btf.Pointer{Target: fp}}
	}
	ctx := &btf.Pointer{Target: &btf.Void{}}
	uid := &btf.Typedef{Name: "uid_t", Type: &btf.Int{Name: "unsigned int", Size: 4}}
	kfunc := &btf.Func{Name: "bpf_task_from_pid", Type: &btf.FuncProto{Return: &btf.Void{}}}
	cases := []struct {
		name  string
		types []btf.Type
		want  []Variant
	}{
		{"extended 6.9+", []btf.Type{proto(ctx, &btf.Pointer{Target: task}, uid), kfunc},
			[]Variant{VariantBTF, VariantKfunc, VariantPid}},
		{"pid only, kfunc", []btf.Type{proto(ctx, &btf.Int{Name: "int", Size: 4}), kfunc},
			[]Variant{VariantKfunc, VariantPid}},
		{"pid only, no kfunc", []btf.Type{proto(ctx, &btf.Int{Name: "int", Size: 4})},
			[]Variant{VariantPid}},
		{"no tracepoint type", nil, []Variant{VariantPid}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := btf.NewBuilder(tc.types, nil)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := b.Marshal(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			spec, err := btf.LoadSpecFromReader(bytesReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			got := supportedVariants(spec)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestCgroupPath(t *testing.T) {
	var names [10][256]int8
	set := func(i int, s string) {
		for j := range names[i] {
			names[i][j] = 0
		}
		for j := 0; j < len(s); j++ {
			names[i][j] = int8(s[j])
		}
	}
	set(0, "leaf, with=odd (chars)")
	set(1, "kubepods.slice")
	p := &Probe{}
	if got := p.cgroupPath(1, 2, 0, &names); got != "/kubepods.slice/leaf, with=odd (chars)" {
		t.Errorf("got %q", got)
	}
	if got := p.cgroupPath(1, 0, 0, &names); got != "/" {
		t.Errorf("root: got %q", got)
	}
	if got := p.cgroupPath(1, 2, pathFlagTruncate, &names); got != ".../kubepods.slice/leaf, with=odd (chars)" {
		t.Errorf("truncated without a hierarchy to look in: got %q", got)
	}
}

func TestPathCacheResolvesDeepCgroups(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(deep)
	if err != nil {
		t.Fatal(err)
	}
	ino := inode(info)
	c := newPathCache(root)
	if got, ok := c.lookup(ino); !ok || got != "/a/b/c" {
		t.Errorf("lookup(%d) = %q, %v", ino, got, ok)
	}
	if _, ok := c.lookup(ino + 1000000); ok {
		t.Errorf("unknown id resolved")
	}
}

func TestMemoryCgroupFromProc(t *testing.T) {
	cases := []struct{ in, want string }{
		{"12:pids:/x\n4:memory:/app/a\n0::/\n", "/app/a"},
		{"5:cpuacct,memory:/v1\n", "/v1"},
		{"0::/system.slice/x.service\n", "/system.slice/x.service"},
		{"", ""},
	}
	for _, tc := range cases {
		if got := memoryCgroup(tc.in); got != tc.want {
			t.Errorf("memoryCgroup(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWithin(t *testing.T) {
	cases := []struct {
		p, root string
		want    bool
	}{
		{"/a/b", "/a", true}, {"/a", "/a", true}, {"/ab", "/a", false},
		{"/x", "/", true}, {"", "/", false},
	}
	for _, tc := range cases {
		if got := within(tc.p, tc.root); got != tc.want {
			t.Errorf("within(%q, %q) = %v", tc.p, tc.root, got)
		}
	}
}

// TestLoadEveryVariant loads and attaches each variant the running kernel
// supports, as the daemon would.
func TestLoadEveryVariant(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to load eBPF; CI runs as root")
	}
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Skipf("no kernel BTF: %v", err)
	}
	for _, v := range supportedVariants(spec) {
		t.Run(v.String(), func(t *testing.T) {
			p, err := Open(Options{Variant: v})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if p.Variant() != v || !p.WatchesKills() {
				t.Errorf("variant %v watches kills %v", p.Variant(), p.WatchesKills())
			}
			if _, err := p.Counters(); err != nil {
				t.Error(err)
			}
		})
	}
}
