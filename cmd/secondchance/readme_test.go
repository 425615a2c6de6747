package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/db/dbtest"
	schttp "github.com/secondchance/secondchance/http"
)

var updateREADME = flag.Bool("update", false, "TestREADME: rewrite README.md's responses, outputs and request dates from a real run")

const readmePath = "../../README.md"

// The README's examples, the way TestREADME reads them (the paragraph before the README's first
// example says the same to its readers):
//
//   - A ```graphql block is a request. Its first line says whose token sends it,
//     `# as sc_demo_seller_s000001`, or `# as anonymous` for none. Its operations are named; in
//     a document of several, each response says which one it runs (`operation: Name`).
//   - A ```json variables block gives the variables of the responses after it.
//   - A ```json block is the response, or several one after another, each a run of the same
//     request, compared by value with what the server answers.
//   - A ```sh block with a curl command is a request as it stands; the block after it is what
//     curl prints.
//   - An HTML comment on the lines just before a block annotates it: `moving: k1, k2` (keys whose
//     values move with the day: compared by JSON type only), `dates in: k1, k2` (keys whose
//     texts hold dates, weeks, years or signed-link parameters: compared with those masked),
//     `operation: Name`, and `output: …` for what a text block is the output of. Several go in
//     one comment, separated by ";".
//   - `examples recorded on: 2026-11-26` says the day of the dates in the requests; the test
//     moves them to the day it runs (weeks by whole weeks, serials' years by years).
//
// In text outputs a line `…` stands for any lines, runs of spaces count as one and dates are
// masked. Everything else in a response is compared exactly.

// readmeBlock is one fenced block of the README.
type readmeBlock struct {
	info       string // the info string: "graphql", "json", "json variables", "sh", ""
	text       string // the content, each line ending in a newline
	start, end int    // the content's byte offsets in the README
	line       int    // the opening fence's line
	directives map[string]string
}

func (b *readmeBlock) String() string { return fmt.Sprintf("README.md:%d", b.line) }

var knownDirectives = map[string]bool{"moving": true, "dates in": true, "operation": true, "output": true, "examples recorded on": true}

// parseDirectives reads `<!-- name: value; name: value -->`.
func parseDirectives(line string) (map[string]string, bool) {
	s, ok := strings.CutPrefix(strings.TrimSpace(line), "<!--")
	if !ok {
		return nil, false
	}
	s, ok = strings.CutSuffix(s, "-->")
	if !ok {
		return nil, false
	}
	out := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		name, value, _ := strings.Cut(part, ":")
		out[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	return out, true
}

// parseMarkdown returns the README's fenced blocks with their directives, and the
// `examples recorded on` day.
func parseMarkdown(src string) ([]*readmeBlock, string, []error) {
	var blocks []*readmeBlock
	var errs []error
	recorded := ""
	pending := map[string]string{}
	lines := strings.SplitAfter(src, "\n")
	offset := 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		offset += len(l)
		if d, ok := parseDirectives(l); ok {
			for k, v := range d {
				switch {
				case !knownDirectives[k]:
					errs = append(errs, fmt.Errorf("README.md:%d: unknown annotation %q (known: moving, dates in, operation, output, examples recorded on)", i+1, k))
				case k == "examples recorded on":
					recorded = v
				default:
					pending[k] = v
				}
			}
			continue
		}
		if !strings.HasPrefix(l, "```") {
			if len(pending) > 0 {
				errs = append(errs, fmt.Errorf("README.md:%d: an annotation stands on the lines just before its block", i+1))
			}
			pending = map[string]string{}
			continue
		}
		b := &readmeBlock{info: strings.TrimSpace(strings.TrimPrefix(l, "```")), line: i + 1, start: offset, directives: pending}
		pending = map[string]string{}
		for i++; i < len(lines) && strings.TrimRight(lines[i], "\n") != "```"; i++ {
			b.text += lines[i]
			offset += len(lines[i])
		}
		b.end = offset
		if i < len(lines) {
			offset += len(lines[i])
		}
		blocks = append(blocks, b)
	}
	return blocks, recorded, errs
}

// readmeRequest is a GraphQL example or a curl command.
type readmeRequest struct {
	block *readmeBlock
	token string // for GraphQL; "" is anonymous
	ops   []string
	curl  *curlCommand
}

// readmeCheck is one README block to compare with what the program produces: a response (of
// runs requests), a curl command's output, or a text output.
type readmeCheck struct {
	block  *readmeBlock
	req    *readmeRequest
	op     string
	vars   *readmeBlock
	marks  marks
	runs   int
	output string
}

var asLine = regexp.MustCompile(`^# as (\S+)\s*$`)

// readmeChecks turns the blocks into checks, in document order.
func readmeChecks(blocks []*readmeBlock) ([]*readmeCheck, []*readmeBlock, []error) {
	var checks []*readmeCheck
	var requests []*readmeBlock // every block whose dates move with the day: requests, variables
	var errs []error
	var req *readmeRequest // the request the next responses answer
	var vars *readmeBlock
	curlWaits := false // the block after a curl command is its output
	for _, b := range blocks {
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", b, fmt.Sprintf(format, args...)))
		}
		m := marks{moving: keySet(b.directives["moving"]), datesIn: keySet(b.directives["dates in"])}
		if curlWaits {
			curlWaits = false
			c := &readmeCheck{block: b, req: req, marks: m, runs: 1}
			if b.info == "json" {
				if values, _, err := scanJSONSeq(b.text); err != nil || len(values) != 1 {
					fail("the output of a curl command: one JSON value (%v)", err)
					continue
				}
			}
			checks = append(checks, c)
			req = nil
			continue
		}
		if out := b.directives["output"]; out != "" {
			checks = append(checks, &readmeCheck{block: b, output: out})
			req = nil
			continue
		}
		switch {
		case b.info == "graphql":
			first, _, _ := strings.Cut(b.text, "\n")
			as := asLine.FindStringSubmatch(first)
			if as == nil {
				fail("a GraphQL example starts with `# as <token>` (or `# as anonymous`), not %q", first)
				req = nil
				continue
			}
			req = &readmeRequest{block: b, token: as[1]}
			if req.token == "anonymous" {
				req.token = ""
			}
			doc, err := parser.ParseQuery(&ast.Source{Input: b.text})
			if err != nil {
				fail("not a GraphQL document: %v", err)
				req = nil
				continue
			}
			for _, op := range doc.Operations {
				if op.Name == "" {
					fail("name every operation (`query MyOrders { … }`, `mutation RouteItem(…) { … }`): clients, codegen tools and logs need the name")
				}
				req.ops = append(req.ops, op.Name)
			}
			vars = nil
			requests = append(requests, b)
		case b.info == "sh" && strings.HasPrefix(b.text, "curl "):
			c, err := parseCurl(b.text)
			if err != nil {
				fail("%v", err)
				continue
			}
			if c.body != nil {
				var body struct{ Query string }
				if json.Unmarshal([]byte(*c.body), &body) == nil && body.Query != "" {
					if doc, err := parser.ParseQuery(&ast.Source{Input: body.Query}); err != nil {
						fail("not a GraphQL document: %v", err)
					} else if len(doc.Operations) != 1 || doc.Operations[0].Name == "" {
						fail("send one named operation (`query Me { … }`)")
					}
				}
			}
			req, curlWaits = &readmeRequest{block: b, curl: c}, true
			requests = append(requests, b)
		case b.info == "json variables":
			if req == nil || req.curl != nil {
				fail("variables with no GraphQL example above them")
				continue
			}
			if _, err := decodeJSON(b.text); err != nil {
				fail("variables: %v", err)
			}
			vars = b
			requests = append(requests, b)
		case b.info == "json":
			if req == nil || req.curl != nil {
				fail("a response with no request above it: show the request (a ```graphql block, with ```json variables) so the test can check it")
				continue
			}
			values, _, err := scanJSONSeq(b.text)
			if err != nil {
				fail("%v", err)
				continue
			}
			op := b.directives["operation"]
			switch {
			case op == "" && len(req.ops) > 1:
				fail("the request has operations %v: say which this runs (`<!-- operation: Name -->`)", req.ops)
			case op != "" && !slices.Contains(req.ops, op):
				fail("the request has no operation %q (it has %v)", op, req.ops)
			case op == "" && len(req.ops) == 1:
				op = req.ops[0]
			}
			checks = append(checks, &readmeCheck{block: b, req: req, op: op, vars: vars, marks: m, runs: len(values)})
		default:
			req = nil
		}
	}
	return checks, requests, errs
}

func keySet(list string) map[string]bool {
	out := map[string]bool{}
	for _, k := range strings.Split(list, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out[k] = true
		}
	}
	return out
}

// TestREADME runs every example of README.md, in order, against the demo data set served the
// way `make run` serves it, and compares each response and output with the one shown. With
// -update it writes the real ones into README.md instead (moving values as this run made them,
// request dates moved to today).
func TestREADME(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(readmePath)
	require.NoError(t, err)
	src := string(raw)
	blocks, recordedText, errs := parseMarkdown(src)
	checks, requests, moreErrs := readmeChecks(blocks)
	errs = append(errs, moreErrs...)
	recorded, err := time.Parse(time.DateOnly, recordedText)
	if err != nil {
		errs = append(errs, fmt.Errorf("README.md: say the day the examples were recorded, `<!-- examples recorded on: 2026-11-26 -->` (%v)", err))
	}
	for _, err := range errs {
		t.Error(err)
	}
	if len(errs) > 0 {
		t.FailNow()
	}
	require.NotEmpty(t, checks)

	// A run that straddles midnight UTC, or that the Monday 00:05 batch job ran into, saw the
	// demo data of two days (or a batch of its own): it runs once more.
	var res readmeResult
	for attempt := 1; ; attempt++ {
		res = runREADME(t, checks, recorded)
		if !res.disturbed {
			break
		}
		if attempt == 2 {
			t.Fatalf("the run was disturbed twice (%s)", res.disturbedBy)
		}
		t.Logf("running the examples again: %s", res.disturbedBy)
	}

	if !*updateREADME {
		for _, d := range res.diffs {
			t.Error(d)
		}
		if len(res.diffs) > 0 {
			t.Log("when the program is right and the README is not, run: go test ./cmd/secondchance -run 'TestREADME$' -update")
		}
		return
	}
	// The rewrite: responses and outputs, the requests' dates and the recorded day.
	for _, b := range requests {
		res.edits = append(res.edits, readmeEdit{b.start, b.end, res.shift.apply(b.text)})
	}
	if m := regexp.MustCompile(`<!-- examples recorded on: (\d{4}-\d{2}-\d{2}) -->`).FindStringSubmatchIndex(src); m != nil {
		res.edits = append(res.edits, readmeEdit{m[2], m[3], res.today.Format(time.DateOnly)})
	}
	sort.Slice(res.edits, func(i, j int) bool { return res.edits[i].start > res.edits[j].start })
	out := src
	for i, e := range res.edits {
		if i > 0 && e.end > res.edits[i-1].start {
			t.Fatalf("overlapping README edits at %d", e.start)
		}
		out = out[:e.start] + e.text + out[e.end:]
	}
	require.True(t, validUTF8([]byte(out)))
	require.NoError(t, os.WriteFile(readmePath, []byte(out), 0o644))
	for _, d := range res.unfixable {
		t.Errorf("README.md not updated here; edit it by hand: %s", d)
	}
	for _, d := range res.storyChanges {
		t.Errorf("written, but check that the story still holds: %s", d)
	}
	t.Logf("README.md rewritten from this run (%d blocks); review it with git diff", len(res.edits))
}

type readmeEdit struct {
	start, end int
	text       string
}

type readmeResult struct {
	diffs, unfixable, storyChanges []string
	edits                          []readmeEdit
	shift                          shift
	today                          time.Time
	disturbed                      bool
	disturbedBy                    string
}

// readmeEnv is one run: the demo data set loaded by `seed --demo` into a fresh database and
// served by `serve`, both through Main as `make run` does, with the README's PUBLIC_URL and a
// fixed LINK_SECRET so that the links it prints are the README's.
type readmeEnv struct {
	t       *testing.T
	db      *db.DB
	base    string // the server's URL
	mailDir string
	seedOut string
	// lastLink is, per field (downloadUrl, receiptUrl), the last PDF link a response carried:
	// what pdftotext reads.
	lastLink map[string]string
	// storyChanges are responses whose errors changed: -update writes them, and says so, since
	// a request that now fails (an ID in it no longer exists) needs a look.
	storyChanges []string
}

// outcome sums a response up by its error codes and user errors' codes, in order.
func outcome(v any) string {
	var codes []string
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch v := v.(type) {
		case map[string]any:
			if code, ok := v["code"].(string); ok && key == "userErrors" {
				codes = append(codes, code)
			}
			if ext, ok := v["extensions"].(map[string]any); ok && key == "errors" {
				codes = append(codes, fmt.Sprint(ext["code"]))
			}
			for _, k := range sortedKeys(v, nil) {
				walk(v[k], k)
			}
		case []any:
			for _, x := range v {
				walk(x, key)
			}
		}
	}
	walk(v, "")
	if len(codes) == 0 {
		return "success"
	}
	return "[" + strings.Join(codes, " ") + "]"
}

const readmePublicURL = "http://localhost:8080"

func runREADME(t *testing.T, checks []*readmeCheck, recorded time.Time) readmeResult {
	t.Helper()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	res := readmeResult{today: today, shift: newShift(recorded, today)}
	d, u := dbtest.NewWithURL(t)
	env := &readmeEnv{t: t, db: d, mailDir: t.TempDir(), lastLink: map[string]string{}}
	vars := map[string]string{"DATABASE_URL": u, "LISTEN_ADDR": "127.0.0.1:0", "LOG_LEVEL": "error",
		"PUBLIC_URL": readmePublicURL, "LINK_SECRET": "readme-link-secret-0123456789", "MAIL_URL": "file://" + env.mailDir}
	getenv := func(k string) string { return vars[k] }

	var seedOut, stderr syncBuffer
	m := &Main{Stdout: &seedOut, Stderr: &stderr, Getenv: getenv}
	require.Equal(t, exitOK, m.Run(context.Background(), []string{"seed", "--demo"}), stderr.String())
	env.seedOut = seedOut.String()

	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan int, 1)
	server := &Main{Stdout: io.Discard, Stderr: &stderr, Getenv: getenv, Ready: func(a schttp.Addrs) { addr <- a.API }}
	go func() { done <- server.Run(ctx, []string{"serve"}) }()
	select {
	case a := <-addr:
		env.base = "http://" + a
	case code := <-done:
		cancel()
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	}
	defer func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("serve exited with %d: %s", code, stderr.String())
		}
	}()

	for _, c := range checks {
		start := time.Now()
		require.NoError(t, env.waitForBackgroundWork(), "before %s", c.block)
		diffs, rewritten, fixable := env.check(c, res.shift)
		if took := time.Since(start); took > 2*time.Second {
			t.Logf("%s took %s (waiting for the jobs)", c.block, took.Round(time.Second))
		}
		for _, d := range diffs {
			res.diffs = append(res.diffs, fmt.Sprintf("%s: %s", c.block, d))
		}
		if rewritten != nil {
			res.edits = append(res.edits, readmeEdit{c.block.start, c.block.end, *rewritten})
		}
		if !fixable {
			res.unfixable = append(res.unfixable, fmt.Sprintf("%s: %s", c.block, strings.Join(diffs, "; ")))
		}
	}

	res.storyChanges = env.storyChanges
	var batchJobs int
	require.NoError(t, d.Get(&batchJobs, `SELECT count(*) FROM river_job WHERE kind = 'run_weekly_batch'`))
	switch {
	case !time.Now().UTC().Truncate(24 * time.Hour).Equal(today):
		res.disturbed, res.disturbedBy = true, "the UTC day changed during the run"
	case batchJobs > 0:
		res.disturbed, res.disturbedBy = true, "the scheduled weekly batch ran during the run"
	}
	return res
}

// waitForBackgroundWork waits until the jobs have caught up with what the examples so far did,
// as a reader who waits a moment would see it: the indicator rollups refreshed (the 30-second
// job) with each batch's snapshot taken, and every settled item certified (the minute job).
func (e *readmeEnv) waitForBackgroundWork() error {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var pending int
		if err := e.db.Get(&pending, `SELECT (SELECT count(*) FROM seller_day_dirty)
			+ (SELECT count(*) FROM batches WHERE indicators_marked_at IS NULL OR snapshot_taken_at IS NULL)
			+ (SELECT count(*) FROM item_proceeds WHERE certificate_id IS NULL)`); err != nil {
			return err
		}
		if pending == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the background jobs did not catch up within 3 minutes (%d rows pending)", pending)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// check runs one check and returns the differences, the block rewritten from this run (nil
// when it could not be), and whether it could be.
func (e *readmeEnv) check(c *readmeCheck, sh shift) ([]string, *string, bool) {
	t := e.t
	switch {
	case c.output != "":
		real, err := e.output(c.output)
		if err != nil {
			return []string{err.Error()}, nil, false
		}
		if c.output == "seed --demo" {
			return seedOutputDiff(c.block.text, real)
		}
		diffs, rewritten, ok := textDiff(c.block.text, real)
		if !ok {
			return diffs, nil, false
		}
		return diffs, &rewritten, true
	case c.req.curl != nil:
		out, err := e.curl(c.req.curl, sh)
		if err != nil {
			return []string{err.Error()}, nil, false
		}
		if c.block.info == "json" {
			return e.compareResponses(c, [][]byte{[]byte(out)})
		}
		diffs, rewritten, ok := textDiff(c.block.text, out)
		if !ok {
			return diffs, nil, false
		}
		return diffs, &rewritten, true
	}
	var vars json.RawMessage
	if c.vars != nil {
		vars = json.RawMessage(sh.apply(c.vars.text))
	}
	body, err := json.Marshal(map[string]any{"query": sh.apply(c.req.block.text), "operationName": c.op, "variables": vars})
	require.NoError(t, err)
	var got [][]byte
	for i := 0; i < c.runs; i++ {
		out, err := e.post("/graphql", c.req.token, body)
		if err != nil {
			return []string{err.Error()}, nil, false
		}
		got = append(got, out)
	}
	return e.compareResponses(c, got)
}

// compareResponses compares a JSON block with the responses, one value each, and lays the
// responses out as the block was.
func (e *readmeEnv) compareResponses(c *readmeCheck, got [][]byte) ([]string, *string, bool) {
	want, layout, err := scanJSONSeq(c.block.text)
	if err != nil {
		return []string{err.Error()}, nil, false
	}
	var diffs []string
	var nodes []*jsonNode
	for i, g := range got {
		gv, err := decodeJSON(string(g))
		if err != nil {
			return []string{fmt.Sprintf("run %d: the server's answer is not JSON: %s", i+1, g)}, nil, false
		}
		wv, err := decodeJSON(relayout(want[i:i+1], nil))
		if err != nil {
			return []string{err.Error()}, nil, false
		}
		prefix := ""
		if len(got) > 1 {
			prefix = fmt.Sprintf("run %d: ", i+1)
		}
		// GraphQL leaves the order of errors open, and gqlgen resolves fields concurrently:
		// errors are compared in the order of their paths.
		sortErrors(wv)
		sortErrors(gv)
		for _, d := range diffJSON(wv, gv, c.marks) {
			diffs = append(diffs, prefix+d)
		}
		if w, g := outcome(wv), outcome(gv); w != g {
			e.storyChanges = append(e.storyChanges, fmt.Sprintf("%s: %sthe outcome was %s, now it is %s", c.block, prefix, w, g))
		}
		for _, f := range []string{"downloadUrl", "receiptUrl"} {
			if u := findString(gv, f); u != "" {
				e.lastLink[f] = u
			}
		}
		n, _, err := scanJSONSeq(string(g))
		if err != nil || len(n) != 1 {
			return append(diffs, fmt.Sprintf("%sunexpected answer %s", prefix, g)), nil, false
		}
		nodes = append(nodes, n[0])
	}
	rewritten := relayout(nodes, layout)
	return diffs, &rewritten, true
}

// sortErrors orders a response's top-level errors by path, then message.
func sortErrors(v any) {
	m, _ := v.(map[string]any)
	errs, _ := m["errors"].([]any)
	key := func(e any) string {
		em, _ := e.(map[string]any)
		p, _ := json.Marshal(em["path"])
		msg, _ := em["message"].(string)
		return string(p) + "\x00" + msg
	}
	sort.SliceStable(errs, func(i, j int) bool { return key(errs[i]) < key(errs[j]) })
}

// findString returns the last string value of key anywhere in v.
func findString(v any, key string) string {
	found := ""
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == key {
					found = s
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	return found
}

func (e *readmeEnv) post(path, token string, body []byte) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, e.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// curl does what the README's curl command does, against the test's server, and returns what
// curl would print.
func (e *readmeEnv) curl(c *curlCommand, sh shift) (string, error) {
	raw := sh.apply(c.url)
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Host != "localhost:8080" {
		return "", fmt.Errorf("curl %s: the examples talk to localhost:8080", raw)
	}
	method, body := http.MethodGet, io.Reader(nil)
	if c.body != nil {
		method, body = http.MethodPost, strings.NewReader(sh.apply(*c.body))
	}
	req, err := http.NewRequest(method, e.base+u.RequestURI(), body)
	if err != nil {
		return "", err
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, h := range c.headers {
		req.Header.Set(h[0], h[1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	if c.include {
		fmt.Fprintf(&out, "HTTP/1.1 %s\r\n", res.Status)
		var names []string
		for k := range res.Header {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			for _, v := range res.Header[k] {
				fmt.Fprintf(&out, "%s: %s\r\n", strings.ToLower(k), v)
			}
		}
		out.WriteString("\r\n")
	}
	out.Write(b)
	if c.grep != nil {
		return grepLines(out.String(), c.grep), nil
	}
	return out.String(), nil
}

// output produces a text output the README shows.
func (e *readmeEnv) output(what string) (string, error) {
	switch {
	case what == "seed --demo":
		return e.seedOut, nil
	case strings.HasPrefix(what, "pdftotext -layout of the ") && strings.HasSuffix(what, " above"):
		field := strings.TrimSuffix(strings.TrimPrefix(what, "pdftotext -layout of the "), " above")
		last := e.lastLink[field]
		if last == "" {
			return "", fmt.Errorf("no response above carried a %s", field)
		}
		link, ok := strings.CutPrefix(last, readmePublicURL)
		if !ok {
			return "", fmt.Errorf("%s %s does not start with PUBLIC_URL", field, last)
		}
		res, err := http.Get(e.base + link)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		pdf, err := io.ReadAll(res.Body)
		if err != nil {
			return "", err
		}
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
			return "", fmt.Errorf("GET %s: %s %s", link, res.Status, pdf)
		}
		return strings.TrimSuffix(pdfText(e.t, pdf), "\f"), nil // the form feed ends the page
	case strings.HasPrefix(what, "the digest to "):
		return e.digest(strings.TrimPrefix(what, "the digest to "))
	case what == "secondchance help":
		// The commands table of the help: the README copies it, the configuration has its own table.
		var out bytes.Buffer
		(&Main{Stdout: &out, Stderr: io.Discard, Getenv: func(string) string { return "" }}).Run(context.Background(), []string{"help"})
		_, table, _ := strings.Cut(out.String(), "Commands:\n")
		table, _, _ = strings.Cut(table, "\n\nEvery command")
		return table, nil
	}
	return "", fmt.Errorf("unknown output %q (known: seed --demo, pdftotext -layout of the downloadUrl (or receiptUrl) above, the digest to <email>, secondchance help)", what)
}

// digest waits for the newest digest to a seller's address to be sent (the minute job), then
// reads the email the folder mailer wrote: its subject, recipient and text.
func (e *readmeEnv) digest(to string) (string, error) {
	deadline := time.Now().Add(3 * time.Minute)
	var messageID string
	for {
		var unsent int
		err := e.db.Get(&unsent, `SELECT count(*) FROM digests d JOIN sellers s ON s.id = d.seller_id WHERE s.email = $1 AND d.sent_at IS NULL`, to)
		if err != nil {
			return "", err
		}
		if unsent == 0 {
			err = e.db.Get(&messageID, `SELECT d.message_id FROM digests d JOIN sellers s ON s.id = d.seller_id
				WHERE s.email = $1 AND d.sent_at IS NOT NULL ORDER BY d.sent_at DESC LIMIT 1`, to)
			if err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no digest to %s was sent within 3 minutes", to)
		}
		time.Sleep(200 * time.Millisecond)
	}
	name := strings.NewReplacer("<", "", ">", "", "@", "_", "/", "_").Replace(messageID) + ".eml"
	raw, err := os.ReadFile(filepath.Join(e.mailDir, name))
	if err != nil {
		return "", err
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return "", err
	}
	text, err := plainText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Subject: %s\nTo: %s\n\n%s", subject, msg.Header.Get("To"), text), nil
}

// plainText returns the text/plain part of a message body, decoded.
func plainText(contentType, encoding string, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextPart()
			if err != nil {
				return "", fmt.Errorf("no text/plain part: %w", err)
			}
			if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
				return plainText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		b, err := io.ReadAll(body)
		if err != nil {
			return "", err
		}
		d, err := decodeBase64Lines(b)
		return strings.ReplaceAll(string(d), "\r\n", "\n"), err
	}
	b, err := io.ReadAll(body)
	return strings.ReplaceAll(string(b), "\r\n", "\n"), err
}

// seedOutputDiff compares `make run`'s output as the README shows it with seed --demo's: the
// block's lines from db/local-postgres.sh (`local-postgres: …`) and the server's JSON log lines
// are not compared; the others are seed's, line for line, dates masked.
func seedOutputDiff(block, real string) ([]string, *string, bool) {
	lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	first, last := -1, -1
	for i, l := range lines {
		if !strings.HasPrefix(l, "local-postgres:") && !strings.HasPrefix(l, "{") {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	got := strings.Split(strings.TrimSuffix(real, "\n"), "\n")
	if first < 0 {
		return []string{"the block shows none of seed --demo's output"}, nil, false
	}
	var diffs []string
	want := lines[first : last+1]
	for i := 0; i < len(want) || i < len(got); i++ {
		switch {
		case i >= len(want):
			diffs = append(diffs, fmt.Sprintf("seed --demo also printed %q", got[i]))
		case i >= len(got):
			diffs = append(diffs, fmt.Sprintf("seed --demo did not print %q", want[i]))
		case maskDates(want[i]) != maskDates(got[i]):
			diffs = append(diffs, fmt.Sprintf("README has %q, seed --demo printed %q", want[i], got[i]))
		}
	}
	out := strings.Join(append(append(append([]string{}, lines[:first]...), got...), lines[last+1:]...), "\n") + "\n"
	return diffs, &out, true
}
