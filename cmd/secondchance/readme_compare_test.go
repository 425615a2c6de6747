package main

// The comparisons and rewrites behind TestREADME: JSON compared by value with the README's
// moving keys, text outputs compared line by line, dates in requests moved to today, and
// responses written back in the README's own layout.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	sc "github.com/secondchance/secondchance"
)

// datePatterns are the parts of a text that move with the day: timestamps, dates, ISO weeks,
// years (as in serials, SCS-2026-000001) and signed links' expiries and signatures. In the keys
// a response marks `dates in:`, and in text outputs, they are replaced by these placeholders
// before comparing.
var datePatterns = []struct {
	re   *regexp.Regexp
	mask string
}{
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`), "<time>"},
	{regexp.MustCompile(`\d{4}-\d{2}-\d{2}`), "<date>"},
	{regexp.MustCompile(`\d{4}-W\d{2}`), "<week>"},
	{regexp.MustCompile(`\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b`), "<date>"},
	{regexp.MustCompile(`\b(19|20)\d{2}\b`), "<year>"},
	{regexp.MustCompile(`expires=\d+`), "expires=<time>"},
	{regexp.MustCompile(`sig=[A-Za-z0-9_-]+`), "sig=<sig>"},
}

func maskDates(s string) string {
	for _, p := range datePatterns {
		s = p.re.ReplaceAllString(s, p.mask)
	}
	return s
}

// marks are a response's directives: the keys whose values move (compared by JSON type only)
// and the keys whose texts contain dates (compared with the dates masked). Both cover the key's
// whole value, nested values included.
type marks struct {
	moving, datesIn map[string]bool
}

// diffJSON compares a README response with the real one by value and returns the differences,
// each with its path.
func diffJSON(want, got any, m marks) []string {
	var out []string
	var walk func(path string, w, g any, masked bool)
	walk = func(path string, w, g any, masked bool) {
		if kindOf(w) != kindOf(g) {
			out = append(out, fmt.Sprintf("%s: README has %s, the server %s", path, show(w), show(g)))
			return
		}
		switch w := w.(type) {
		case map[string]any:
			g := g.(map[string]any)
			for _, k := range sortedKeys(w, g) {
				wv, inW := w[k]
				gv, inG := g[k]
				p := path + "." + k
				switch {
				case !inG:
					out = append(out, fmt.Sprintf("%s: in the README, not in the response", p))
				case !inW:
					out = append(out, fmt.Sprintf("%s: in the response (%s), not in the README", p, show(gv)))
				case m.moving[k]:
					if kindOf(wv) != kindOf(gv) {
						out = append(out, fmt.Sprintf("%s (moving): README has %s, the server %s", p, show(wv), show(gv)))
					}
				default:
					walk(p, wv, gv, masked || m.datesIn[k])
				}
			}
		case []any:
			g := g.([]any)
			if len(w) != len(g) {
				out = append(out, fmt.Sprintf("%s: README has %d elements, the server %d", path, len(w), len(g)))
			}
			for i := 0; i < len(w) && i < len(g); i++ {
				walk(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], masked)
			}
		case string:
			ws, gs := w, g.(string)
			if masked {
				ws, gs = maskDates(ws), maskDates(gs)
			}
			if ws != gs {
				out = append(out, fmt.Sprintf("%s: README has %q, the server %q", path, w, g))
			}
		default:
			if fmt.Sprint(w) != fmt.Sprint(g) {
				out = append(out, fmt.Sprintf("%s: README has %s, the server %s", path, show(w), show(g)))
			}
		}
	}
	walk("$", want, got, false)
	return out
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

func show(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 120 {
		return string(b[:117]) + "..."
	}
	return string(b)
}

func sortedKeys(a, b map[string]any) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range []map[string]any{a, b} {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// decodeJSON decodes one JSON value keeping numbers as written.
func decodeJSON(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

// jsonNode is a JSON value as written: scalars keep their text (escapes and all), objects their
// members' order, so a response is written back exactly as the server sent it.
type jsonNode struct {
	kind byte // '{', '[' or 0 for a scalar
	raw  string
	keys []string // the members' keys, as written (quoted)
	kids []*jsonNode
}

// jsonLayout is where a README block breaks its JSON: the whitespace (with a newline) before a
// member or element, by its path, and before a closing bracket, by its container's path + "/$".
type jsonLayout map[string]string

// scanJSONSeq reads the JSON values of a block, one after another, and the block's layout.
func scanJSONSeq(s string) ([]*jsonNode, jsonLayout, error) {
	p := &jsonScanner{s: s, layout: jsonLayout{}}
	var out []*jsonNode
	for i := 0; ; i++ {
		p.space()
		if p.pos == len(s) {
			return out, p.layout, nil
		}
		n, err := p.value(strconv.Itoa(i))
		if err != nil {
			return nil, nil, err
		}
		out = append(out, n)
	}
}

type jsonScanner struct {
	s      string
	pos    int
	layout jsonLayout
}

func (p *jsonScanner) space() string {
	start := p.pos
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *jsonScanner) errorf(format string, args ...any) error {
	line := 1 + strings.Count(p.s[:p.pos], "\n")
	return fmt.Errorf("JSON line %d: %s", line, fmt.Sprintf(format, args...))
}

func (p *jsonScanner) value(path string) (*jsonNode, error) {
	if p.pos >= len(p.s) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.s[p.pos]; {
	case c == '{' || c == '[':
		p.pos++
		n := &jsonNode{kind: c}
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		for i := 0; ; i++ {
			ws := p.space()
			if p.pos < len(p.s) && p.s[p.pos] == end {
				if strings.Contains(ws, "\n") {
					p.layout[path+"/$"] = ws
				}
				p.pos++
				return n, nil
			}
			if i > 0 {
				if p.pos >= len(p.s) || p.s[p.pos] != ',' {
					return nil, p.errorf("expected , or %c", end)
				}
				p.pos++
				ws = p.space()
			}
			child := path + "/" + strconv.Itoa(i)
			if c == '{' {
				key, err := p.scalar()
				if err != nil || key[0] != '"' {
					return nil, p.errorf("expected a key")
				}
				child = path + "/" + key
				n.keys = append(n.keys, key)
				p.space()
				if p.pos >= len(p.s) || p.s[p.pos] != ':' {
					return nil, p.errorf("expected :")
				}
				p.pos++
				p.space()
			}
			if strings.Contains(ws, "\n") {
				p.layout[child] = ws
			}
			kid, err := p.value(child)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		}
	default:
		raw, err := p.scalar()
		if err != nil {
			return nil, err
		}
		return &jsonNode{raw: raw}, nil
	}
}

func (p *jsonScanner) scalar() (string, error) {
	start := p.pos
	if p.pos < len(p.s) && p.s[p.pos] == '"' {
		for p.pos++; p.pos < len(p.s) && p.s[p.pos] != '"'; p.pos++ {
			if p.s[p.pos] == '\\' {
				p.pos++
			}
		}
		if p.pos >= len(p.s) {
			return "", p.errorf("unterminated string")
		}
		p.pos++
		return p.s[start:p.pos], nil
	}
	for p.pos < len(p.s) && strings.IndexByte(",:]} \t\r\n", p.s[p.pos]) < 0 {
		p.pos++
	}
	raw := p.s[start:p.pos]
	if raw == "" || !json.Valid([]byte(raw)) {
		return "", p.errorf("%q is not a JSON value (write the whole response: the test compares all of it)", raw)
	}
	return raw, nil
}

// relayout writes values (the server's responses) with the line breaks of the README block
// they replace: a break before the same member or element, by path. An array element that had
// none takes its nearest earlier sibling's (from the second element on), so a list shown one
// element a line stays so when it grows.
func relayout(values []*jsonNode, layout jsonLayout) string {
	var b strings.Builder
	var write func(n *jsonNode, path, like string)
	// like is the path whose layout applies: path itself, or a sibling's for a new element.
	write = func(n *jsonNode, path, like string) {
		if n.kind == 0 {
			b.WriteString(n.raw)
			return
		}
		b.WriteByte(n.kind)
		for i, kid := range n.kids {
			if i > 0 {
				b.WriteByte(',')
			}
			var seg string
			if n.kind == '{' {
				seg = n.keys[i]
			} else {
				seg = strconv.Itoa(i)
			}
			kidLike := like + "/" + seg
			if n.kind == '[' && !layout.has(kidLike) {
				for j := i - 1; j >= 1; j-- {
					if s := like + "/" + strconv.Itoa(j); layout.has(s) {
						kidLike = s
						break
					}
				}
			}
			b.WriteString(layout[kidLike])
			if n.kind == '{' {
				b.WriteString(seg + ":")
			}
			write(kid, path+"/"+seg, kidLike)
		}
		b.WriteString(layout[like+"/$"])
		if n.kind == '{' {
			b.WriteByte('}')
		} else {
			b.WriteByte(']')
		}
	}
	for i, v := range values {
		if i > 0 {
			b.WriteByte('\n')
		}
		write(v, strconv.Itoa(i), strconv.Itoa(i))
	}
	b.WriteByte('\n')
	return b.String()
}

// has reports whether the layout breaks at path or anywhere inside it.
func (l jsonLayout) has(path string) bool {
	for k := range l {
		if k == path || strings.HasPrefix(k, path+"/") {
			return true
		}
	}
	return false
}

// textDiff compares a README text output with the real one, line by line: a line `…` stands
// for any number of lines, trailing spaces and runs of spaces count as one, and dates are
// masked. It returns the differences, and the README block rewritten from the real text (every
// compared line replaced by the real one) when each part of the block could be placed.
func textDiff(block, real string) (diffs []string, rewritten string, ok bool) {
	norm := func(s string) string { return strings.Join(strings.Fields(maskDates(s)), " ") }
	want := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	got := strings.Split(strings.TrimSuffix(strings.ReplaceAll(real, "\r\n", "\n"), "\n"), "\n")
	// The block's parts between the `…` lines; the first starts the text unless the block
	// starts with `…`, the last ends it unless the block ends with one.
	var parts [][]string
	cur := []string{}
	for _, l := range want {
		if strings.TrimSpace(l) == "…" {
			parts = append(parts, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, l)
	}
	parts = append(parts, cur)
	if len(parts) == 1 { // no `…`: the block is the whole text
		for i := 0; i < len(want) || i < len(got); i++ {
			switch {
			case i >= len(want):
				diffs = append(diffs, fmt.Sprintf("the output goes on with %q", got[i]))
			case i >= len(got):
				diffs = append(diffs, fmt.Sprintf("the output ends before %q", want[i]))
			case norm(want[i]) != norm(got[i]):
				diffs = append(diffs, fmt.Sprintf("README has %q, the output %q", strings.TrimRight(want[i], " "), strings.TrimRight(got[i], " ")))
			}
		}
		for i := range got {
			got[i] = strings.TrimRight(got[i], " ")
		}
		return diffs, strings.Join(got, "\n") + "\n", true
	}
	out := make([]string, 0, len(want))
	pos, ok := 0, true
	for pi, part := range parts {
		if pi > 0 {
			out = append(out, "…")
		}
		if len(part) == 0 {
			continue
		}
		at := -1
		switch {
		case pi == 0:
			at = 0
		case pi == len(parts)-1:
			at = max(pos, len(got)-len(part))
		default:
			// The first place from pos where the whole part matches, or else its first line.
			for i := pos; i+len(part) <= len(got) && at < 0; i++ {
				all := true
				for j, l := range part {
					all = all && norm(l) == norm(got[i+j])
				}
				if all {
					at = i
				}
			}
			for i := pos; i < len(got) && at < 0; i++ {
				if norm(part[0]) == norm(got[i]) {
					at = i
				}
			}
		}
		if at < 0 || at+len(part) > len(got) {
			diffs = append(diffs, fmt.Sprintf("cannot find %q (and the %d lines after it) in the output", part[0], len(part)-1))
			out = append(out, part...)
			ok = false
			continue
		}
		for j, l := range part {
			if norm(l) != norm(got[at+j]) {
				diffs = append(diffs, fmt.Sprintf("README has %q, the output %q", strings.TrimRight(l, " "), strings.TrimRight(got[at+j], " ")))
			}
			out = append(out, strings.TrimRight(got[at+j], " "))
		}
		pos = at + len(part)
	}
	return diffs, strings.Join(out, "\n") + "\n", ok
}

// shift moves the dates of a request from the day the README's examples were recorded to the
// day they run: dates and timestamps by the days between, ISO weeks by the weeks between (so
// "the current week" stays the current week) and serials' years by the years between.
type shift struct{ days, weeks, years int }

func newShift(recorded, today time.Time) shift {
	monday := func(t time.Time) time.Time { return sc.WeekOf(t).Start() }
	return shift{
		days:  int(today.Sub(recorded).Hours() / 24),
		weeks: int(monday(today).Sub(monday(recorded)).Hours() / (24 * 7)),
		years: today.Year() - recorded.Year(),
	}
}

var (
	requestTime   = regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))?`)
	requestWeek   = regexp.MustCompile(`\b\d{4}-W\d{2}\b`)
	requestSerial = regexp.MustCompile(`\b([A-Z]{2,}-)(\d{4})(-\d{6})\b`)
)

func (s shift) apply(text string) string {
	if s == (shift{}) {
		return text
	}
	text = requestTime.ReplaceAllStringFunc(text, func(m string) string {
		layout := time.DateOnly
		if len(m) > len(time.DateOnly) {
			layout = time.RFC3339Nano
		}
		t, err := time.Parse(layout, m)
		if err != nil {
			return m
		}
		t = t.AddDate(0, 0, s.days)
		if layout == time.DateOnly {
			return t.Format(layout)
		}
		return t.Format(time.RFC3339Nano)
	})
	text = requestWeek.ReplaceAllStringFunc(text, func(m string) string {
		w, err := sc.ParseWeek(m)
		if err != nil {
			return m
		}
		return sc.WeekOf(w.Start().AddDate(0, 0, 7*s.weeks)).String()
	})
	return requestSerial.ReplaceAllStringFunc(text, func(m string) string {
		p := requestSerial.FindStringSubmatch(m)
		y, _ := strconv.Atoi(p[2])
		return fmt.Sprintf("%s%04d%s", p[1], y+s.years, p[3])
	})
}

// curlCommand is the part of curl the README uses: -s, -i, -H, -d and a URL, optionally piped
// into `grep PATTERN` or `grep -E PATTERN` (both read as Go regular expressions).
type curlCommand struct {
	url     string
	headers [][2]string
	body    *string
	include bool // -i: the status line and headers first
	grep    *regexp.Regexp
}

func parseCurl(text string) (*curlCommand, error) {
	text = strings.ReplaceAll(text, "\\\n", " ")
	words, err := shellWords(strings.TrimSpace(text))
	if err != nil {
		return nil, err
	}
	var cmds [][]string
	cur := []string{}
	for _, w := range words {
		if w == "|" {
			cmds, cur = append(cmds, cur), []string{}
			continue
		}
		cur = append(cur, w)
	}
	cmds = append(cmds, cur)
	if len(cmds[0]) == 0 || cmds[0][0] != "curl" {
		return nil, fmt.Errorf("not a curl command")
	}
	c := &curlCommand{}
	args := cmds[0][1:]
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "-s":
		case "-i", "-si", "-is":
			c.include = true
		case "-H", "-d":
			if i+1 == len(args) {
				return nil, fmt.Errorf("%s needs a value", a)
			}
			i++
			if a == "-d" {
				c.body = &args[i]
			} else {
				k, v, found := strings.Cut(args[i], ":")
				if !found {
					return nil, fmt.Errorf("header %q has no colon", args[i])
				}
				c.headers = append(c.headers, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
			}
		default:
			if strings.HasPrefix(a, "-") || c.url != "" {
				return nil, fmt.Errorf("curl %s: the README's test runs only curl -s, -i, -H, -d and one URL", a)
			}
			c.url = a
		}
	}
	if c.url == "" {
		return nil, fmt.Errorf("curl without a URL")
	}
	for _, cmd := range cmds[1:] {
		if c.grep != nil || len(cmd) < 2 || cmd[0] != "grep" || len(cmd) > 3 || (len(cmd) == 3 && cmd[1] != "-E") {
			return nil, fmt.Errorf("%q: the README's test pipes curl only into one grep PATTERN or grep -E PATTERN", strings.Join(cmd, " "))
		}
		re, err := regexp.Compile(cmd[len(cmd)-1])
		if err != nil {
			return nil, err
		}
		c.grep = re
	}
	return c, nil
}

// shellWords splits a command line the way sh does for what the README uses: words, 'single'
// and "double" quotes (the latter with \" and \\), and the pipe.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case c == '|':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
			words = append(words, "|")
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated '")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i, inWord = i+1+j, true
		case c == '"':
			inWord = true
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated \"")
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// grepLines keeps the lines of out that re matches, as grep prints them.
func grepLines(out string, re *regexp.Regexp) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n") {
		if re.MatchString(l) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func TestREADMEComparisons(t *testing.T) {
	t.Parallel()
	decode := func(s string) any {
		v, err := decodeJSON(s)
		require.NoError(t, err)
		return v
	}
	cases := []struct {
		name      string
		want, got string
		marks     marks
		diffs     int
	}{
		{"OK", `{"a":1,"b":["x",null]}`, `{"b":["x",null],"a":1}`, marks{}, 0},
		{"ErrValue", `{"a":1}`, `{"a":2}`, marks{}, 1},
		{"ErrMissingKey", `{"a":1,"b":2}`, `{"a":1}`, marks{}, 1},
		{"ErrExtraKey", `{"a":1}`, `{"a":1,"b":2}`, marks{}, 1},
		{"ErrLength", `{"a":[1,2]}`, `{"a":[1]}`, marks{}, 1},
		{"Moving", `{"at":"2026-11-26T04:03:25Z","n":1}`, `{"at":"2027-01-02T10:00:00.5Z","n":1}`, marks{moving: map[string]bool{"at": true}}, 0},
		{"ErrMovingToNull", `{"at":"2026-11-26T04:03:25Z"}`, `{"at":null}`, marks{moving: map[string]bool{"at": true}}, 1},
		{"ErrMovingHidesNothingElse", `{"at":"x","n":1}`, `{"at":"y","n":2}`, marks{moving: map[string]bool{"at": true}}, 1},
		{"DatesIn", `{"note":"batch 2026-W48: upheld; SCS-2026-000001 until 26 December 2026"}`,
			`{"note":"batch 2027-W02: upheld; SCS-2027-000001 until 3 February 2027"}`, marks{datesIn: map[string]bool{"note": true}}, 0},
		{"ErrDatesInComparesTheRest", `{"note":"SCS-2026-000001"}`, `{"note":"SCS-2026-000002"}`, marks{datesIn: map[string]bool{"note": true}}, 1},
		{"ErrDatesOnlyWhereMarked", `{"note":"2026-W48"}`, `{"note":"2026-W49"}`, marks{datesIn: map[string]bool{"other": true}}, 1},
		{"SignedLink", `{"u":"http://x/a.pdf?expires=1795675407\u0026sig=pOa0-ZR_M"}`, `{"u":"http://x/a.pdf?expires=1795999999\u0026sig=Zz9"}`,
			marks{datesIn: map[string]bool{"u": true}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Len(t, diffJSON(decode(c.want), decode(c.got), c.marks), c.diffs)
		})
	}

	t.Run("Conventions", func(t *testing.T) {
		fence := "```"
		checks := func(md string) ([]*readmeCheck, []error) {
			blocks, _, errs := parseMarkdown(md)
			c, _, more := readmeChecks(blocks)
			return c, append(errs, more...)
		}
		cases := []struct {
			name string
			md   string
			errs int
		}{
			{"OK", fence + "graphql\n# as sc_demo_admin\nquery A { a }\nmutation B($x: Int) { b(x: $x) }\n" + fence + "\n" +
				"<!-- operation: A; moving: at -->\n" + fence + "json\n{\"data\":{}}\n{\"data\":{}}\n" + fence + "\n" +
				fence + "json variables\n{\"x\": 1}\n" + fence + "\n<!-- operation: B -->\n" + fence + "json\n{\"data\":{}}\n" + fence + "\n", 0},
			{"ErrAnonymousOperation", fence + "graphql\n# as anonymous\n{ a }\n" + fence + "\n" + fence + "json\n{\"data\":{}}\n" + fence + "\n", 1},
			{"ErrWhichOperation", fence + "graphql\n# as anonymous\nquery A { a }\nquery B { b }\n" + fence + "\n" + fence + "json\n{\"data\":{}}\n" + fence + "\n", 1},
			{"ErrNoSuchOperation", fence + "graphql\n# as anonymous\nquery A { a }\n" + fence + "\n<!-- operation: C -->\n" + fence + "json\n{}\n" + fence + "\n", 1},
			{"ErrNoToken", fence + "graphql\nquery A { a }\n" + fence + "\n", 1},
			{"ErrResponseWithoutRequest", "text\n\n" + fence + "json\n{\"data\":{}}\n" + fence + "\n", 1},
			{"ErrTruncated", fence + "graphql\n# as anonymous\nquery A { a }\n" + fence + "\n" + fence + "json\n{\"data\":{\"a\":1,…}}\n" + fence + "\n", 1},
			{"ErrUnknownAnnotation", "<!-- movin: at -->\n" + fence + "json\n{}\n" + fence + "\n", 2},
			{"ErrAnonymousCurl", fence + "sh\ncurl -s localhost:8080/graphql -d '{\"query\":\"{ me { role } }\"}'\n" + fence + "\n" + fence + "json\n{}\n" + fence + "\n", 1},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, errs := checks(c.md)
				require.Len(t, errs, c.errs, "%v", errs)
				if c.errs == 0 {
					require.Len(t, got, 2)
					require.Equal(t, []any{"A", 2, true}, []any{got[0].op, got[0].runs, got[0].marks.moving["at"]})
					require.Equal(t, []any{"B", "{\"x\": 1}\n"}, []any{got[1].op, got[1].vars.text})
				}
			})
		}
	})

	t.Run("Outcome", func(t *testing.T) {
		require.Equal(t, "success", outcome(decode(`{"data":{"a":{"userErrors":[]}}}`)))
		require.Equal(t, "[INVALID]", outcome(decode(`{"data":{"a":{"userErrors":[{"field":["input"],"code":"INVALID"}]}}}`)))
		require.Equal(t, "[FORBIDDEN NOT_FOUND]", outcome(decode(`{"errors":[{"extensions":{"code":"FORBIDDEN"}},{"extensions":{"code":"NOT_FOUND"}}],"data":null}`)))
	})

	t.Run("RelayoutKeepsTheREADMEsBreaks", func(t *testing.T) {
		block := "{\"data\":{\"list\":[\n  {\"a\":1},\n  {\"a\":2}],\n \"next\":true}}\n{\"data\":null}\n"
		_, layout, err := scanJSONSeq(block)
		require.NoError(t, err)
		got, _, err := scanJSONSeq(`{"data":{"list":[{"a":1},{"a":2},{"a":3}],"next":false}}` + `{"data":null}`)
		require.NoError(t, err)
		require.Equal(t, "{\"data\":{\"list\":[\n  {\"a\":1},\n  {\"a\":2},\n  {\"a\":3}],\n \"next\":false}}\n{\"data\":null}\n", relayout(got, layout))
		again, layout2, err := scanJSONSeq(relayout(got, layout))
		require.NoError(t, err)
		require.Equal(t, relayout(got, layout), relayout(again, layout2), "stable")
	})
	t.Run("ErrTruncatedJSON", func(t *testing.T) {
		_, _, err := scanJSONSeq(`{"data":{"a":1,…}}`)
		require.Error(t, err)
	})

	t.Run("Text", func(t *testing.T) {
		real := "Title\nissued 2 December 2026\n\nbody 1\nbody 2\nfooter X\n"
		diffs, rewritten, ok := textDiff("Title\nissued 26 November 2026\n…\nfooter X\n", real)
		require.Empty(t, diffs)
		require.True(t, ok)
		require.Equal(t, "Title\nissued 2 December 2026\n…\nfooter X\n", rewritten)
		diffs, rewritten, ok = textDiff("Title\nissued 26 November 2026\n\nbody 1\n", real)
		require.Len(t, diffs, 2, "without …, the block is the whole text")
		require.True(t, ok)
		require.Equal(t, real, rewritten)
		diffs, _, _ = textDiff("Title\n…\nbody   2\n…\n", real)
		require.Empty(t, diffs, "runs of spaces count as one")
		diffs, _, ok = textDiff("Title\n…\nfooter Y\n", real)
		require.Len(t, diffs, 1)
		require.True(t, ok, "the last part is placed at the end")
		diffs, _, ok = textDiff("Title\n…\nnowhere\n…\n", real)
		require.Len(t, diffs, 1)
		require.False(t, ok)
	})

	t.Run("Shift", func(t *testing.T) {
		day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
		s := newShift(day("2026-11-26"), day("2026-12-01")) // Thursday of W48 to Tuesday of W49
		require.Equal(t, shift{days: 5, weeks: 1, years: 0}, s)
		require.Equal(t, `{"week": "2026-W49", "from": "2026-11-06T00:00:00Z", "d": "2026-11-25"} SCS-2026-000001`,
			s.apply(`{"week": "2026-W48", "from": "2026-11-01T00:00:00Z", "d": "2026-11-20"} SCS-2026-000001`))
		s = newShift(day("2026-12-31"), day("2027-01-04"))
		require.Equal(t, "2027-W01 SCS-2027-000001 2027-01-04T10:00:00.5Z", s.apply("2026-W53 SCS-2026-000001 2026-12-31T10:00:00.5Z"))
	})

	t.Run("Curl", func(t *testing.T) {
		c, err := parseCurl("curl -s localhost:8080/graphql -H 'Authorization: Bearer x' \\\n  -H 'Content-Type: application/json' \\\n  -d '{\"query\":\"{ me { role } }\"}'\n")
		require.NoError(t, err)
		require.Equal(t, "localhost:8080/graphql", c.url)
		require.Equal(t, [][2]string{{"Authorization", "Bearer x"}, {"Content-Type", "application/json"}}, c.headers)
		require.Equal(t, `{"query":"{ me { role } }"}`, *c.body)
		c, err = parseCurl(`curl -si 'localhost:8080/verify/S?code=C' | grep -E '^HTTP/|id="status"'`)
		require.NoError(t, err)
		require.True(t, c.include)
		require.Equal(t, "HTTP/1.1 200 OK\n<p id=\"status\">VALID</p>\n", grepLines("HTTP/1.1 200 OK\r\nDate: x\r\n\r\n<p id=\"status\">VALID</p>\n", c.grep))
		_, err = parseCurl(`curl -X DELETE localhost:8080/x`)
		require.Error(t, err)
		_, err = parseCurl(`curl localhost:8080/x | sed s/a/b/`)
		require.Error(t, err)
	})
}

// validUTF8 guards the README against a rewrite that would corrupt it.
func validUTF8(b []byte) bool { return utf8.Valid(b) && !bytes.Contains(b, []byte{0}) }
