package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows a long operation's sc.Progress on stderr. On a terminal it rewrites one
// line in place: a bar when a stage's size is known, a counter when not. Anywhere else (a
// pipe, a log file, a CI job) a carriage return would pile up every rewrite on one line, so
// it writes whole lines only: when a stage starts, every 10 seconds while it runs, and when
// it ends.
type progress struct {
	w        io.Writer
	terminal bool
	bar      *progressbar.ProgressBar

	stage        string
	total, n     int64
	start, shown time.Time
}

func newProgress(w io.Writer) *progress { return &progress{w: w, terminal: isTerminal(w)} }

// isTerminal tells whether w is a terminal. A writer may say so itself (tests do); an
// *os.File is asked.
func isTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// lineEvery is how often a running stage is reported off a terminal.
const lineEvery = 10 * time.Second

func (p *progress) Begin(stage string, total int64) {
	p.stage, p.total, p.n = stage, total, 0
	p.start, p.shown = time.Now(), time.Now()
	p.bar = nil
	switch {
	case p.terminal && total > 0:
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(fmt.Sprintf("%-14s", stage)),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }))
	case total > 0:
		fmt.Fprintf(p.w, "%s: %d to do\n", stage, total)
	default:
		fmt.Fprintf(p.w, "%s …", stage)
		if !p.terminal {
			fmt.Fprintln(p.w)
		}
	}
}

func (p *progress) Add(n int64) {
	p.n += n
	switch {
	case p.bar != nil:
		p.bar.Add64(n)
	case p.terminal:
		fmt.Fprintf(p.w, "\r%s … %d", p.stage, p.n)
	case time.Since(p.shown) < lineEvery:
	case p.total > 0:
		p.shown = time.Now()
		fmt.Fprintf(p.w, "%s: %d%% (%d/%d)\n", p.stage, p.n*100/p.total, p.n, p.total)
	default:
		p.shown = time.Now()
		fmt.Fprintf(p.w, "%s: %d so far\n", p.stage, p.n)
	}
}

func (p *progress) End() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
		return
	}
	took := time.Since(p.start)
	if p.terminal {
		fmt.Fprint(p.w, "\r\x1b[K") // the counter's line, cleared
	}
	fmt.Fprintf(p.w, "%s: done in %s", p.stage, took.Round(time.Millisecond))
	switch {
	case p.n > 0 && took >= time.Second:
		fmt.Fprintf(p.w, " (%d, %.0f/s)", p.n, float64(p.n)/took.Seconds())
	case p.n > 0:
		fmt.Fprintf(p.w, " (%d)", p.n)
	}
	fmt.Fprintln(p.w)
}
