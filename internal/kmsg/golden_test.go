package kmsg

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json from the parser's output "+
	"(check every changed line by hand before committing)")

// TestGolden feeds each testdata/*.kmsg through ParseStream and a Parser and
// compares the kills with testdata/*.json. The expected files list only
// fields that are not zero.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.kmsg")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".kmsg")
		t.Run(name, func(t *testing.T) {
			got := killsOf(t, in)
			want := strings.TrimSuffix(in, ".kmsg") + ".json"
			if *update {
				if err := os.WriteFile(want, encodeKills(t, got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}

			data, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			var expected []Kill
			if err := json.Unmarshal(data, &expected); err != nil {
				t.Fatalf("%s: %v", want, err)
			}
			if len(got) == 0 && len(expected) == 0 {
				return
			}
			if !reflect.DeepEqual(got, expected) {
				t.Errorf("kills differ\n got: %s\nwant: %s", encodeKills(t, got),
					encodeKills(t, expected))
			}
		})
	}
}

func killsOf(t *testing.T, path string) []Kill {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	p := NewParser()
	var kills []Kill
	for rec, err := range ParseStream(f) {
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if k, ok := p.Feed(rec); ok {
			kills = append(kills, k)
		}
	}
	return kills
}

// encodeKills writes kills as a JSON array, one object per kill, leaving
// out zero fields so that a person can read and check the file.
func encodeKills(t *testing.T, kills []Kill) []byte {
	t.Helper()
	var b strings.Builder
	b.WriteString("[\n")
	for i, k := range kills {
		full, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]any
		if err := json.Unmarshal(full, &fields); err != nil {
			t.Fatal(err)
		}
		var parts []string
		v := reflect.ValueOf(k)
		for j := 0; j < v.NumField(); j++ {
			name := v.Type().Field(j).Name
			if v.Field(j).IsZero() {
				continue
			}
			val, _ := json.Marshal(fields[name])
			parts = append(parts, `"`+name+`":`+string(val))
		}
		b.WriteString("{" + strings.Join(parts, ",") + "}")
		if i < len(kills)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return []byte(b.String())
}
