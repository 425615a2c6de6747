package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// command is one thing the binary does, as the help lists it.
type command struct {
	name    string // the words that pick it: "token create"
	args    string // what follows them in the help table: "[flags] FILE..."
	summary string // one line for the table
	about   string // what its own -h says besides the summary
	env     []string
}

// commonEnv is what every command that opens the database reads.
var commonEnv = []string{"DATABASE_URL", "LOG_LEVEL"}

// commands are listed in the help in this order; their summaries are the help's only copy.
var commands = []command{
	{name: "serve", summary: "serve the GraphQL API on LISTEN_ADDR, and work the background jobs",
		about: "Serves GraphQL at /graphql (a playground at /), certificate verification at /verify, signed PDF\n" +
			"downloads under /files/, /healthz and /readyz; Prometheus' /metrics only on METRICS_ADDR, when set.\n" +
			"Unless WORK_JOBS=false it also works the background jobs: the weekly batch on Mondays, the daily\n" +
			"clean-up, the indicator refresh, the certificates, annual summaries and emails. It refuses an outdated schema unless AUTO_MIGRATE=true.\n" +
			"On SIGTERM it lets requests in flight finish, for up to SHUTDOWN_TIMEOUT."},
	{name: "migrate", summary: "apply pending database migrations (the job queue's too)"},
	{name: "seed", args: "[flags]", summary: "generate a marketplace data set, the same for the same --seed",
		about: "Loads sellers, buyers, orders and their events through COPY into an empty marketplace. Each table\n" +
			"commits on its own, so an interrupted run resumes at the first table still empty."},
	{name: "seed --demo", summary: "load the demo data set into an empty database, print demo tokens"},
	{name: "import", args: "[flags] FILE...", summary: "bulk-load NDJSON or CSV files through COPY",
		about: "Loads NDJSON (.ndjson, .jsonl) or CSV (.csv, with a header row) files through COPY. The run is all\n" +
			"or nothing: one transaction for all its files. List sellers and buyers before the orders that name\n" +
			"them. A malformed input stops the run with FILE:LINE[:COL]: [FIELD: ]REASON and imports nothing."},
	{name: "token create", args: "[flags]", summary: "create a bearer token and print it alone on stdout",
		about: "A SELLER token acts for one seller (--seller), a STAFF token for one store (--store), an ADMIN\n" +
			"token for the whole platform. The secret is shown only now: capture it with $(...)."},
	{name: "token list", summary: "list tokens: role, seller or store, label, dates",
		about: "Newest first. ID is the token's global ID, the one `token revoke` and the API's revokeToken take."},
	{name: "token revoke", args: "ID", summary: "revoke a token, by the ID `token list` shows"},
	{name: "batch run", args: "[flags]", summary: "run the weekly batch of a week (default: the week that last ended)",
		about: "Takes the week's reports, decides a verdict per buyer and applies it, all in one transaction; the\n" +
			"same code as the Monday job and the runWeeklyBatch mutation. A week runs once: running it again\n" +
			"prints its batch. --dry-run computes everything, prints it and writes nothing."},
	{name: "batch clean-up", summary: "exclude closed buyers' orders, lift ended suspensions (daily job)"},
	{name: "indicators refresh", args: "[flags]", summary: "recompute the sellers' indicators that changed (30-second job)"},
	{name: "indicators snapshot", summary: "refresh, then snapshot every seller's indicators for this week"},
	{name: "certificates issue", args: "[flags]", summary: "issue certificates of settled items still without one (minute job)",
		env: []string{"PUBLIC_URL"}},
	{name: "certificates annual", args: "[flags]", summary: "issue the missing annual summaries of a year (default: last year)",
		about: "A tax year is summarised once it is over: this year's summaries are refused until 1 January.\n" +
			"Sellers who already have a valid summary of the year are skipped; the daily job runs the same.",
		env: []string{"PUBLIC_URL"}},
	{name: "store create", args: "[flags]", summary: "register a charity store: code, name and return address",
		about: "Then set its EIN, fees and default beneficiary with the setStoreDonations mutation, and create\n" +
			"its staff tokens with `token create --role STAFF --store CODE`."},
	{name: "store update", args: "CODE [flags]", summary: "change a store's code, name or return address (only the flags given)"},
	{name: "store list", summary: "list stores: code, name, EIN, return address"},
	{name: "bench read", args: "[flags]", summary: "measure the main reads through the real server, beside pgbench",
		about: "Seeds a scratch database (--database, on DATABASE_URL's server, never DATABASE_URL's own; reused while it\n" +
			"holds the same data set), walks returns through the store, serves it with `secondchance serve` in a\n" +
			"process of its own, and measures each main read of a seller frontend and of store staff for the largest\n" +
			"seller and a small one: at 1 client (p50, p99) and at --clients (requests/s, p99), beside the same rows\n" +
			"as one hand-written statement through pgbench at the same concurrency, and beside that statement\n" +
			"served over HTTP with nothing else (no token, no GraphQL). Prints Markdown tables."},
	{name: "staff invite", args: "[flags]", summary: "invite a person to a store's staff portal: emails a single-use link",
		about: "The link, valid 72 hours, opens the account with a password of the person's choosing; then they\n" +
			"log in at PUBLIC_URL/portal/. A STORE_MANAGER also invites and disables the store's staff there.\n" +
			"Inviting an address again replaces its pending invitation.",
		env: []string{"MAIL_URL", "MAIL_FROM", "PUBLIC_URL"}},
	{name: "help", args: "[COMMAND]", summary: "show this help, or a command's (as COMMAND -h does)"},
}

// groups are the commands that only pick a subcommand.
var groups = map[string]string{
	"token":        "Create, list and revoke the bearer tokens the API takes.",
	"batch":        "Run the weekly batch, and the daily clean-up of closed and suspended buyers.",
	"indicators":   "Recompute and snapshot the sellers' indicators.",
	"certificates": "Issue donation certificates and annual summaries, as the background jobs do.",
	"store":        "Register charity stores and edit them, as the createStore and updateStore mutations do.",
	"staff":        "Invite charity staff to the portal, as a store manager does on its staff page.",
	"bench":        "Measure the server through its real HTTP edge on a scratch data set.",
}

const helpWidth = 100 // columns the help wraps its descriptions to

// table writes rows of two columns, the second starting at one column for every row and
// wrapped to helpWidth; a first column too wide for the others gets the second on its own
// lines, at the same column.
func table(w io.Writer, rows [][2]string) {
	col := 0
	for _, r := range rows {
		if n := utf8.RuneCountInString(r[0]); n <= 32 {
			col = max(col, n)
		}
	}
	col += 4 // two of indent, two of gap
	for _, r := range rows {
		left := "  " + r[0]
		lines := wrap(r[1], max(helpWidth-col, 30))
		if utf8.RuneCountInString(left)+2 > col {
			fmt.Fprintln(w, left)
			left = ""
		}
		for i, l := range lines {
			if i > 0 {
				left = ""
			}
			fmt.Fprintf(w, "%s%s%s\n", left, strings.Repeat(" ", col-utf8.RuneCountInString(left)), l)
		}
	}
}

// wrap breaks s into lines of at most width runes, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if line != "" && utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return append(lines, line)
}

const intro = `secondchance: protects sellers from malicious buyers and turns returns into donations.

Usage: secondchance COMMAND [flags] [arguments]

Commands:
`

func (m *Main) help(w io.Writer) {
	io.WriteString(w, intro)
	rows := make([][2]string, len(commands))
	for i, c := range commands {
		rows[i] = [2]string{strings.TrimSpace(c.name + " " + c.args), c.summary}
	}
	table(w, rows)
	fmt.Fprintln(w, "\nEvery command takes -h, --help or help and then shows its flags.")
	fmt.Fprintln(w, "\nConfiguration (environment variables):")
	envTable(w, nil)
}

// envTable describes the configuration variables names, or all of them.
func envTable(w io.Writer, names []string) {
	var rows [][2]string
	for _, v := range configVars {
		if names != nil && !contains(names, v.name) {
			continue
		}
		doc := v.doc
		if v.def != "" {
			doc += " (default: " + v.def + ")"
		}
		rows = append(rows, [2]string{v.name, doc})
	}
	table(w, rows)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func lookupCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// commandUsage is what `secondchance NAME -h` prints: how to call it, what it does, its flags
// and the configuration it reads.
func commandUsage(name string, fs *flag.FlagSet) string {
	var b strings.Builder
	c, _ := lookupCommand(name)
	usage := "secondchance " + name
	if c.args != "" {
		usage += " " + c.args
	} else if fs != nil && hasFlags(fs) {
		usage += " [flags]"
	}
	fmt.Fprintf(&b, "Usage: %s\n\n", usage)
	if c.summary != "" {
		fmt.Fprintf(&b, "%s%s.\n", strings.ToUpper(c.summary[:1]), c.summary[1:])
	}
	if c.about != "" {
		fmt.Fprintf(&b, "%s\n", c.about)
	}
	if fs != nil && hasFlags(fs) {
		b.WriteString("\nFlags:\n")
		var rows [][2]string
		fs.VisitAll(func(f *flag.Flag) {
			arg, doc := flag.UnquoteUsage(f)
			left := "--" + f.Name
			if arg != "" {
				left += " " + arg
			}
			if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" {
				doc += " (default: " + f.DefValue + ")"
			}
			rows = append(rows, [2]string{left, doc})
		})
		table(&b, rows)
	}
	if name == "serve" {
		b.WriteString("\nConfiguration (environment variables):\n")
		envTable(&b, nil)
	} else if name != "help" {
		b.WriteString("\nConfiguration (environment variables; `secondchance help` lists them all):\n")
		envTable(&b, append(append([]string{}, commonEnv...), c.env...))
	}
	return b.String()
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// groupUsage is what `secondchance GROUP -h` prints: its subcommands.
func groupUsage(group string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: secondchance %s COMMAND [flags] [arguments]\n\n%s\n\nCommands:\n", group, groups[group])
	var rows [][2]string
	for _, c := range commands {
		if sub, ok := strings.CutPrefix(c.name, group+" "); ok {
			rows = append(rows, [2]string{strings.TrimSpace(sub + " " + c.args), c.summary})
		}
	}
	table(&b, rows)
	fmt.Fprintf(&b, "\nsecondchance %s COMMAND -h shows a command's flags.\n", group)
	return b.String()
}

// parse parses a command's flags. Asked for help (-h, --help, or help as the first argument),
// it prints the command's usage on stdout and returns flag.ErrHelp, which exits 0; a wrong
// flag is a usageError that carries the usage to stderr, which exits 2.
func (m *Main) parse(fs *flag.FlagSet, args []string) error {
	name := strings.TrimPrefix(fs.Name(), "secondchance ")
	// The flag package would print the problem and the usage itself, to one writer for both.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	if err == nil && fs.Arg(0) == "help" {
		err = flag.ErrHelp
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		io.WriteString(m.Stdout, commandUsage(name, fs))
		return err
	case err != nil:
		return badUsage(name, err.Error(), fs)
	}
	return nil
}

// noArgs parses the flags of a command that takes no arguments.
func (m *Main) noArgs(fs *flag.FlagSet, args []string) error {
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return badUsage(strings.TrimPrefix(fs.Name(), "secondchance "), fmt.Sprintf("unexpected argument %q", fs.Arg(0)), fs)
	}
	return nil
}

// subcommand runs the subcommand of group that args name. Help for the group goes to stdout;
// a missing or unknown subcommand is a usage error listing the group's commands.
func (m *Main) subcommand(ctx context.Context, group string, args []string, subs map[string]func(context.Context, []string) error) error {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help", "help":
			io.WriteString(m.Stdout, groupUsage(group))
			return flag.ErrHelp
		}
		if run, ok := subs[args[0]]; ok {
			return run(ctx, args[1:])
		}
		return withUsage{usageError{fmt.Sprintf("unknown command %q", args[0])}, group, groupUsage(group)}
	}
	return withUsage{usageError{"name one of its commands"}, group, groupUsage(group)}
}

// badUsage is a usageError of the command name, shown with its usage.
func badUsage(name, msg string, fs *flag.FlagSet) error {
	return withUsage{usageError{msg}, name, commandUsage(name, fs)}
}
