package kmsg

import "strings"

// The "Killed process" line, printed for every kill and never rate-limited:
//
//	[<prefix>: ]Killed process N (comm) total-vm:NkB, anon-rss:NkB,
//	    file-rss:NkB[, shmem-rss:NkB][, UID:N pgtables:NkB oom_score_adj:N]
//
// The prefix appeared in 5.1, shmem-rss in about 4.5, the UID group in about
// 5.3. Old enterprise kernels print "Killed process N, UID N, (comm) ..."
// (2.6.32) or "Killed process N (comm), UID N, ..." (some 3.10).

const killedMarker = "Killed process "

// parseKilled fills the fields a "Killed process" line states by itself.
// The comm is free-form, so the line is cut from both ends: the prefix ends
// at the first marker (the kernel wrote it before the comm) and the comm
// ends at the last ") total-vm:" or "), UID " (only numbers follow it).
func parseKilled(t string) (Kill, bool) {
	var k Kill
	i := strings.Index(t, killedMarker)
	if i < 0 {
		return k, false
	}
	if i > 0 {
		if i < 3 || t[i-2:i] != ": " {
			return k, false
		}
		k.Prefix = t[:i-2]
		if strings.Contains(k.Prefix, ": ") || strings.Contains(k.Prefix, "Kill process") {
			return k, false
		}
	}

	pid, rest, ok := leadingUint(t[i+len(killedMarker):], pidMax)
	if !ok || pid == 0 {
		return k, false
	}
	k.Pid = int(pid)

	var tail string
	if after, found := strings.CutPrefix(rest, ", UID "); found {
		k.UID, tail, ok = killedOldUID(after)
		k.HasUID = ok
		tail, ok = strings.CutPrefix(tail, ", (")
		if !ok {
			return k, false
		}
		end := strings.LastIndex(tail, ") total-vm:")
		if end < 0 {
			return k, false
		}
		k.Comm, tail = tail[:end], tail[end+2:]
	} else {
		tail, ok = strings.CutPrefix(rest, " (")
		if !ok {
			return k, false
		}
		end := max(strings.LastIndex(tail, ") total-vm:"), strings.LastIndex(tail, "), UID "))
		if end < 0 {
			return k, false
		}
		k.Comm, tail = tail[:end], tail[end+1:]
		if after, found := strings.CutPrefix(tail, ", UID "); found {
			k.UID, tail, ok = killedOldUID(after)
			k.HasUID = ok
			tail, ok = strings.CutPrefix(tail, ", ")
		} else {
			tail, ok = strings.CutPrefix(tail, " ")
		}
		if !ok {
			return k, false
		}
	}

	return k, parseKilledFigures(&k, tail)
}

// killedOldUID reads the "N" of the enterprise ", UID N," forms.
func killedOldUID(s string) (uint32, string, bool) {
	uid, rest, ok := leadingUint(s, 1<<32-1)
	return uint32(uid), rest, ok
}

// parseKilledFigures reads "total-vm:NkB, anon-rss:NkB, file-rss:NkB" and
// the optional fields after it. Text after the known fields is tolerated
// when it looks like more fields (", key:..." or " key:..."), so that a
// kernel adding a figure does not hide its kills.
func parseKilledFigures(k *Kill, s string) bool {
	var ok bool
	if k.TotalVMKiB, s, ok = fieldUint(s, "total-vm:", "kB"); !ok {
		return false
	}
	if k.AnonRSSKiB, s, ok = fieldUint(s, ", anon-rss:", "kB"); !ok {
		return false
	}
	if k.FileRSSKiB, s, ok = fieldUint(s, ", file-rss:", "kB"); !ok {
		return false
	}
	if k.ShmemRSSKiB, s, ok = fieldUint(s, ", shmem-rss:", "kB"); ok {
		k.HasShmemRSS = true
	}

	// UID arrived before pgtables and oom_score_adj (a few releases
	// printed the line ending in ", UID:N"); each is optional after it.
	if rest, found := strings.CutPrefix(s, ", UID:"); found {
		uid, r, ok := leadingUint(rest, 1<<32-1)
		if !ok {
			return false
		}
		k.UID, k.HasUID = uint32(uid), true
		if pg, r2, ok := fieldUint(r, " pgtables:", "kB"); ok {
			k.PgtablesKiB, k.HasPgtables, r = pg, true, r2
		}
		if r2, found := strings.CutPrefix(r, " oom_score_adj:"); found {
			adj, r3, ok := leadingInt(r2, 1000)
			if !ok {
				return false
			}
			k.OomScoreAdj, k.HasOomScoreAdj, r = int(adj), true, r3
		}
		s = r
	}
	// Trailing blanks are no field, and must not hide a kill.
	s = strings.TrimRight(s, " \t")

	return s == "" || looksLikeField(s)
}

// looksLikeField reports whether s starts with ", key:" or " key:".
func looksLikeField(s string) bool {
	if rest, ok := strings.CutPrefix(s, ", "); ok {
		s = rest
	} else if rest, ok := strings.CutPrefix(s, " "); ok {
		s = rest
	} else {
		return false
	}
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '_' || c == '-') {
			break
		}
	}
	return i > 0 && i < len(s) && s[i] == ':'
}
