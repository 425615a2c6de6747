package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// benchRunner measures reads against a running server and pgbench.
type benchRunner struct {
	out            io.Writer // progress
	api, metrics   string
	pgbench, pgURL string
	clients        int
	duration       time.Duration
	profile        string
	client         *http.Client
	// serverPID and mon (a connection to the bench database) account for the CPU the server
	// and the PostgreSQL backends of its pool (application_name benchServerApp) use.
	serverPID int
	mon       *sql.DB
	// bare serves the floors over HTTP alone (httpFloor).
	bare *httpFloor
}

// benchResult is what one read measured.
type benchResult struct {
	benchRead
	Rows int
	// One client: latency percentiles. Loaded: requests/s and latency percentiles.
	P50, P99                  time.Duration
	LoadedRate                float64
	LoadedP50, LoadedP99      time.Duration
	FloorRate                 float64       // pgbench at the same concurrency, statements/s
	FloorLatency              time.Duration // pgbench with one client, mean latency
	Requests1, RequestsLoaded int
	// Equal is the pair's measurement at equal page sizes (benchRunner.equalPages), on the
	// large subject's result only.
	Equal *equalPages
	// CPU time per request of the loaded run: the server's process, and its PostgreSQL
	// backends'; and the floor's backends' per statement.
	ServerCPU, ServerPGCPU, FloorPGCPU time.Duration
	// FloorP50 and FloorP99 are the floor's latencies at the same concurrency: convoying that
	// the floor shows too is the machine's, not the server's.
	FloorP50, FloorP99 time.Duration
	// BareP50 and BareRate are the floor's statement through httpFloor: at 1 client, and at
	// the same concurrency.
	BareP50  time.Duration
	BareRate float64
}

// Ratio is the server's requests/s over the floor's statements/s, at the same concurrency.
func (r benchResult) Ratio() float64 { return r.LoadedRate / r.FloorRate }

// BareRatio is what a bare HTTP server reaches of the floor.
func (r benchResult) BareRatio() float64 { return r.BareRate / r.FloorRate }

func (b *benchRunner) run(ctx context.Context, reads []benchRead, only string) ([]benchResult, error) {
	b.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: b.clients + 4, DisableCompression: true}, Timeout: 30 * time.Second}
	if b.profile != "" {
		if err := os.MkdirAll(b.profile, 0o755); err != nil {
			return nil, err
		}
	}
	var out []benchResult
	for _, r := range reads {
		if !benchSelected(r.Name, only) {
			continue
		}
		fmt.Fprintf(b.out, "  %s, %s ...\n", r.Name, r.Subject)
		res, err := b.measure(ctx, r)
		if err != nil {
			return nil, fmt.Errorf("%s as %s: %w", r.Name, r.Subject, err)
		}
		out = append(out, res)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--only %q names no read", only)
	}
	return out, nil
}

func benchSelected(name, only string) bool {
	if only == "" {
		return true
	}
	for _, w := range strings.Split(only, ",") {
		if w = strings.TrimSpace(w); w != "" && strings.Contains(name, w) {
			return true
		}
	}
	return false
}

func (b *benchRunner) measure(ctx context.Context, r benchRead) (benchResult, error) {
	res := benchResult{benchRead: r}
	body, err := json.Marshal(map[string]any{"query": r.Query, "variables": r.Vars})
	if err != nil {
		return res, err
	}
	if res.Rows, err = b.check(body, r); err != nil {
		return res, err
	}
	// Warm up: the server's caches (parsed query, plans of the pool's connections) and the
	// database's buffers, as a frontend finds them after its first requests.
	if _, _, err := b.load(ctx, b.api, body, r.Token, 1, 300*time.Millisecond); err != nil {
		return res, err
	}
	lat, _, err := b.load(ctx, b.api, body, r.Token, 1, b.duration*3/4)
	if err != nil {
		return res, err
	}
	res.Requests1, res.P50, res.P99 = len(lat), percentile(lat, 50), percentile(lat, 99)

	var prof *benchProfile
	if b.profile != "" && b.metrics != "" {
		prof = b.startProfile(r)
	}
	cpu0, _ := procCPU(b.serverPID)
	pg := startBackendCPU(ctx, b.mon, benchServerApp)
	lat, elapsed, err := b.load(ctx, b.api, body, r.Token, b.clients, b.duration)
	pgCPU := pg.end()
	cpu1, _ := procCPU(b.serverPID)
	if prof != nil {
		if perr := prof.wait(); perr != nil {
			fmt.Fprintf(b.out, "    profile: %v\n", perr)
		}
	}
	if err != nil {
		return res, err
	}
	res.RequestsLoaded, res.LoadedRate = len(lat), float64(len(lat))/elapsed.Seconds()
	res.LoadedP50, res.LoadedP99 = percentile(lat, 50), percentile(lat, 99)
	res.ServerCPU, res.ServerPGCPU = (cpu1-cpu0)/time.Duration(len(lat)), pgCPU/time.Duration(len(lat))

	pg = startBackendCPU(ctx, b.mon, "pgbench")
	floor, err := b.pgbenchRun(ctx, r.Floor, b.clients, b.duration)
	pgCPU = pg.end()
	if err != nil {
		return res, err
	}
	res.FloorRate, res.FloorPGCPU = floor.tps, pgCPU/time.Duration(max(floor.statements, 1))
	res.FloorP50, res.FloorP99 = floor.p50, floor.p99
	if floor, err = b.pgbenchRun(ctx, r.Floor, 1, time.Second); err != nil {
		return res, err
	}
	res.FloorLatency = floor.latency
	if b.bare == nil {
		return res, nil
	}
	bare, err := b.bare.url(ctx, r.Floor)
	if err != nil {
		return res, err
	}
	if _, _, err := b.load(ctx, bare, body, "", 1, 300*time.Millisecond); err != nil {
		return res, err
	}
	if lat, _, err = b.load(ctx, bare, body, "", 1, b.duration*3/4); err != nil {
		return res, err
	}
	res.BareP50 = percentile(lat, 50)
	if lat, elapsed, err = b.load(ctx, bare, body, "", b.clients, b.duration); err != nil {
		return res, err
	}
	res.BareRate = float64(len(lat)) / elapsed.Seconds()
	return res, nil
}

// check sends the read once and returns how many rows it shows; a response with errors fails
// the run, since a fast error is no measurement.
func (b *benchRunner) check(body []byte, r benchRead) (int, error) {
	raw, status, err := b.post(b.api, body, r.Token, nil)
	if err != nil {
		return 0, err
	}
	var resp struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil || status != http.StatusOK || len(resp.Errors) > 0 {
		return 0, fmt.Errorf("the server answered %d: %.500s", status, raw)
	}
	if r.Rows == nil {
		return 1, nil
	}
	var v any = resp.Data
	for _, k := range r.Rows {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	list, _ := v.([]any)
	return len(list), nil
}

func (b *benchRunner) post(target string, body []byte, token string, buf *bytes.Buffer) ([]byte, int, error) {
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	buf.Reset()
	_, err = buf.ReadFrom(resp.Body)
	return buf.Bytes(), resp.StatusCode, err
}

// load sends the request to target from n clients for d and returns every latency and the
// time taken.
func (b *benchRunner) load(ctx context.Context, target string, body []byte, token string, n int, d time.Duration) ([]time.Duration, time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lats := make([][]time.Duration, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for i := range n {
		wg.Go(func() {
			var buf bytes.Buffer
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t0 := time.Now()
				raw, status, err := b.post(target, body, token, &buf)
				if err == nil && (status != http.StatusOK || bytes.Contains(raw, []byte(`"errors":`))) {
					err = fmt.Errorf("the server answered %d: %.300s", status, raw)
				}
				if err != nil {
					errs[i] = err
					cancel()
					return
				}
				lats[i] = append(lats[i], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return nil, 0, err
	}
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return nil, 0, errors.New("no request finished")
	}
	return all, elapsed, nil
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

var (
	pgbenchTPS       = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	pgbenchLatency   = regexp.MustCompile(`latency average = ([0-9.]+) ms`)
	pgbenchProcessed = regexp.MustCompile(`number of transactions actually processed: ([0-9]+)`)
)

// pgbenchResult is what one pgbench run printed, and the percentiles of the latencies it
// logged per statement.
type pgbenchResult struct {
	tps        float64
	latency    time.Duration
	statements int
	p50, p99   time.Duration
}

// pgbenchRun runs the statement through pgbench (prepared: parsed and planned once per
// connection, the floor that the server's statements, planned on every request, are held to)
// with n clients for d.
func (b *benchRunner) pgbenchRun(ctx context.Context, statement string, n int, d time.Duration) (pgbenchResult, error) {
	var res pgbenchResult
	dir, err := os.MkdirTemp("", "bench-read-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, "floor.sql"))
	if err != nil {
		return res, err
	}
	// pgbench reads one statement per line unless it ends with a semicolon at the end of a line.
	if _, err := io.WriteString(f, strings.Join(strings.Fields(statement), " ")+";\n"); err != nil {
		return res, err
	}
	f.Close()
	cmd := exec.CommandContext(ctx, b.pgbench, "-n", "-M", "prepared", "-c", strconv.Itoa(n), "-j", strconv.Itoa(min(n, 2)),
		"-T", strconv.Itoa(int(d.Round(time.Second)/time.Second)), "-l", "--log-prefix", filepath.Join(dir, "log"), "-f", f.Name(), b.pgURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return res, fmt.Errorf("pgbench: %v: %s", err, out)
	}
	m, l, p := pgbenchTPS.FindSubmatch(out), pgbenchLatency.FindSubmatch(out), pgbenchProcessed.FindSubmatch(out)
	if m == nil || l == nil || p == nil {
		return res, fmt.Errorf("pgbench printed no tps: %s", out)
	}
	res.tps, _ = strconv.ParseFloat(string(m[1]), 64)
	ms, _ := strconv.ParseFloat(string(l[1]), 64)
	res.latency = time.Duration(ms * float64(time.Millisecond))
	res.statements, _ = strconv.Atoi(string(p[1]))
	// The per-statement log: "client transaction latency_us script epoch us" per line, one
	// file per thread.
	logs, _ := filepath.Glob(filepath.Join(dir, "log.*"))
	var lat []time.Duration
	for _, l := range logs {
		raw, err := os.ReadFile(l)
		if err != nil {
			return res, err
		}
		for _, line := range strings.Split(string(raw), "\n") {
			if f := strings.Fields(line); len(f) >= 3 {
				if us, err := strconv.ParseInt(f[2], 10, 64); err == nil {
					lat = append(lat, time.Duration(us)*time.Microsecond)
				}
			}
		}
	}
	if len(lat) > 0 {
		res.p50, res.p99 = percentile(lat, 50), percentile(lat, 99)
	}
	return res, nil
}

// benchProfile is a CPU profile of the server being taken from its metrics listener.
type benchProfile struct {
	done chan error
}

func (b *benchRunner) startProfile(r benchRead) *benchProfile {
	p := &benchProfile{done: make(chan error, 1)}
	name := strings.NewReplacer(" ", "-", "(", "", ")", "", ",", "").Replace(r.Name + "_" + r.Subject)
	secs := max(1, int(b.duration.Round(time.Second)/time.Second))
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", b.metrics, secs))
		if err != nil {
			p.done <- err
			return
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			p.done <- fmt.Errorf("the metrics listener answered %s", resp.Status)
			return
		}
		f, err := os.Create(filepath.Join(b.profile, name+".pprof"))
		if err != nil {
			p.done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		p.done <- errors.Join(err, f.Close())
	}()
	return p
}

func (p *benchProfile) wait() error { return <-p.done }

// printBench prints the results as Markdown tables: every read, then each pair side by side.
func printBench(w io.Writer, o benchOptions, s benchSubjects, rows []benchResult) {
	fmt.Fprintf(w, "Data set: %d sellers, %d buyers, %d orders, ~%d reports; %d clients for the loaded runs, %s each.\n",
		o.Sellers, o.Buyers, o.Orders, o.Reports, o.Clients, o.Duration)
	fmt.Fprintf(w, "Server: `secondchance serve` in a process of its own; floor: the same rows as one statement through pgbench -M prepared; "+
		"bare HTTP: that statement, prepared, served over HTTP with nothing else (no token, no GraphQL), in the benchmark's process.\n\n")
	ms := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
	}
	ratio := func(a, b time.Duration) string {
		if b == 0 {
			return "-"
		}
		return strconv.FormatFloat(float64(a)/float64(b), 'f', 1, 64)
	}
	fmt.Fprintf(w, "| read | as | rows | 1 client p50 ms | p99 ms | floor ms | %d clients req/s | p50 ms | p99 ms | p99/p50 | floor stmts/s | floor p99/p50 | of floor | CPU ms/req: server + PostgreSQL | floor: PostgreSQL ms/stmt | bare HTTP: 1 client p50 ms | req/s | of floor |\n", o.Clients)
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %.0f | %s | %s | %s | %.0f | %s | %.2f | %s + %s | %s | %s | %.0f | %.2f |\n", r.Name, r.Subject, r.Rows,
			ms(r.P50), ms(r.P99), ms(r.FloorLatency), r.LoadedRate, ms(r.LoadedP50), ms(r.LoadedP99), ratio(r.LoadedP99, r.LoadedP50),
			r.FloorRate, ratio(r.FloorP99, r.FloorP50), r.Ratio(), ms(r.ServerCPU), ms(r.ServerPGCPU), ms(r.FloorPGCPU),
			ms(r.BareP50), r.BareRate, r.BareRatio())
	}
	fmt.Fprintf(w, "\nCost independence: the large subject beside the small one (%s, %d orders, vs %s, %d orders; universal store vs %s). "+
		"A page costs with its rows, so where the two pages' rows differ, both are read again with pages of the smaller one's size.\n\n",
		s.Large.Number, s.Large.Orders, s.Small.Number, s.Small.Orders, benchSmallStore)
	fmt.Fprintln(w, "| read | as | rows, large / small | 1 client p50 ms, large / small | × | 16 clients req/s, large / small | × | same page size: rows | 1 client p50 ms, large / small | × |")
	fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, p := range benchPairs(rows) {
		same := "| - | - | - |"
		if p.equal != nil {
			same = fmt.Sprintf("| %d | %s / %s | %.2f |", p.equal.rows, ms(p.equal.large), ms(p.equal.small), float64(p.equal.large)/float64(p.equal.small))
		}
		fmt.Fprintf(w, "| %s | %s | %d / %d | %s / %s | %.2f | %.0f / %.0f | %.2f %s\n", p.large.Name, p.large.Role, p.large.Rows, p.small.Rows,
			ms(p.large.P50), ms(p.small.P50), float64(p.large.P50)/float64(p.small.P50),
			p.large.LoadedRate, p.small.LoadedRate, p.small.LoadedRate/p.large.LoadedRate, same)
	}
	fmt.Fprintln(w, "\nBars (issue 13):")
	for _, r := range rows {
		var fails []string
		if r.Name == "orders page" && r.P50 > 3*time.Millisecond {
			fails = append(fails, fmt.Sprintf("p50 %s ms > 3 ms", ms(r.P50)))
		}
		if r.Ratio() < 1.0/3 {
			short := fmt.Sprintf("%.2f of the floor < 1/3", r.Ratio())
			if r.BareRate > 0 && r.BareRatio() < 1.0/3 {
				short += fmt.Sprintf(" (a bare HTTP server: %.2f)", r.BareRatio())
			}
			fails = append(fails, short)
		}
		if r.LoadedP99 > 4*r.LoadedP50 {
			fails = append(fails, fmt.Sprintf("p99 %.1f× p50 > 4×", float64(r.LoadedP99)/float64(r.LoadedP50)))
		}
		verdict := "ok"
		if len(fails) > 0 {
			verdict = "SHORT: " + strings.Join(fails, "; ")
		}
		fmt.Fprintf(w, "  %-22s %-32s %s\n", r.Name, r.Subject, verdict)
	}
}

// benchPair is one read by the large and by the small subject.
type benchPair struct {
	large, small *benchResult
	equal        *equalPages
}

// benchPairs pairs the results of each read, in their order.
func benchPairs(rows []benchResult) []benchPair {
	at := map[string]int{}
	var out []benchPair
	for i := range rows {
		r := &rows[i]
		key := r.Name + "/" + r.Role
		j, ok := at[key]
		if !ok {
			j = len(out)
			at[key] = j
			out = append(out, benchPair{})
		}
		if r.Large {
			out[j].large, out[j].equal = r, r.Equal
		} else {
			out[j].small = r
		}
	}
	complete := out[:0]
	for _, p := range out {
		if p.large != nil && p.small != nil {
			complete = append(complete, p)
		}
	}
	return complete
}

// equalPages is a pair read again at 1 client with pages of rows rows.
type equalPages struct {
	rows         int
	large, small time.Duration
}

// equalPages measures each pair whose pages held different numbers of rows again at 1 client,
// both with pages of the smaller size: what a page costs follows its rows, and cost
// independence is about the history behind them.
func (b *benchRunner) equalPages(ctx context.Context, rows []benchResult) error {
	for _, p := range benchPairs(rows) {
		k := min(p.large.Rows, p.small.Rows)
		if p.large.Rows == p.small.Rows || k < 1 || !strings.Contains(p.large.Query, "first: 100") {
			continue
		}
		fmt.Fprintf(b.out, "  %s, both with pages of %d ...\n", p.large.Name, k)
		e := &equalPages{rows: k}
		for _, side := range []struct {
			r   *benchResult
			p50 *time.Duration
		}{{p.large, &e.large}, {p.small, &e.small}} {
			body, err := json.Marshal(map[string]any{"query": strings.Replace(side.r.Query, "first: 100", fmt.Sprintf("first: %d", k), 1), "variables": side.r.Vars})
			if err != nil {
				return err
			}
			if _, _, err := b.load(ctx, b.api, body, side.r.Token, 1, 300*time.Millisecond); err != nil {
				return err
			}
			lat, _, err := b.load(ctx, b.api, body, side.r.Token, 1, b.duration*3/4)
			if err != nil {
				return err
			}
			*side.p50 = percentile(lat, 50)
		}
		p.large.Equal = e
	}
	return nil
}
