package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat's CPU times (100 on every Linux
// the project runs on; sysconf is out of reach without cgo).
const clockTicks = 100

// procCPU is the CPU time (user and system) process pid has used, from /proc/PID/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(u+k) * time.Second / clockTicks, true
}

// backendCPU sums the CPU time the PostgreSQL backends of one application (by its
// application_name) use while it runs: it polls pg_stat_activity and each backend's
// /proc/PID/stat every 50 ms, from each backend's time at the first look (0 for a backend that
// connects later). A backend that disconnects loses what it used since the last poll, so a
// run of a second or more is counted to within a few percent. The database must be on this
// machine, as the benchmark's is.
type backendCPU struct {
	first, last map[int]time.Duration
	stop        chan struct{}
	done        sync.WaitGroup
}

func startBackendCPU(ctx context.Context, db *sql.DB, app string) *backendCPU {
	b := &backendCPU{first: map[int]time.Duration{}, last: map[int]time.Duration{}, stop: make(chan struct{})}
	poll := func(initial bool) {
		rows, err := db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
		if err != nil {
			return
		}
		defer rows.Close()
		for rows.Next() {
			var pid int
			if rows.Scan(&pid) != nil {
				continue
			}
			t, ok := procCPU(pid)
			if !ok {
				continue
			}
			if _, seen := b.first[pid]; !seen {
				if initial {
					b.first[pid] = t
				} else {
					b.first[pid] = 0
				}
			}
			b.last[pid] = t
		}
	}
	poll(true)
	b.done.Add(1)
	go func() {
		defer b.done.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				poll(false)
				return
			case <-t.C:
				poll(false)
			}
		}
	}()
	return b
}

// end stops polling and returns the CPU time used since the start.
func (b *backendCPU) end() time.Duration {
	close(b.stop)
	b.done.Wait()
	var sum time.Duration
	for pid, t := range b.last {
		sum += t - b.first[pid]
	}
	return sum
}
