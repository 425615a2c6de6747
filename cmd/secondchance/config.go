package main

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	schttp "github.com/secondchance/secondchance/http"
)

// Config is the whole configuration, read from the environment. Flags only pick a subcommand
// and its arguments.
type Config struct {
	DatabaseURL     string
	ListenAddr      string
	LogLevel        slog.Level
	RequestTimeout  time.Duration
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	AutoMigrate     bool
	ReportingWindow time.Duration
	RMAExpiry       time.Duration
	MailURL         string
	MailFrom        string
	WorkJobs        bool
	PublicURL       string
	LinkSecret      []byte
	// LinkSecretRandom says LINK_SECRET was unset and a random key is in use.
	LinkSecretRandom bool
	LinkTTL          time.Duration
	MetricsAddr      string
	MetricsToken     string
	MetricsPprof     bool
	CORSOrigins      []string
	GraphQLPlans     bool
}

// configVars documents every variable; `secondchance help` prints it and the README copies it.
var configVars = []struct{ name, def, doc string }{
	{"DATABASE_URL", "", "required: the PostgreSQL URL, e.g. postgres://user:pass@127.0.0.1:5432/secondchance?sslmode=disable (make run and make test set it up)"},
	{"LISTEN_ADDR", ":8080", "host:port the HTTP server listens on"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"REQUEST_TIMEOUT", "15s", "longest a GraphQL request may run, a Go duration"},
	{"MAX_BODY_BYTES", "1048576", "largest request body accepted, in bytes"},
	{"SHUTDOWN_TIMEOUT", "20s", "how long SIGTERM waits for requests in flight, a Go duration"},
	{"AUTO_MIGRATE", "false", "apply pending migrations when serve starts: true or false"},
	{"REPORTING_WINDOW_DAYS", "180", "how many days after an order is placed its seller may report the buyer"},
	{"RMA_EXPIRY_DAYS", "30", "how many days a buyer has to send a return in"},
	{"MAIL_URL", "file://tmp/mail", "where email goes: smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465, or file://folder for .eml files"},
	{"MAIL_FROM", "Second Chance <no-reply@secondchance.example>", "the sender of every email: sellers' digests and certificates, staff invitations and password resets"},
	{"WORK_JOBS", "true", "serve also works background jobs (weekly batch, clean-up, email); false for API-only replicas"},
	{"PUBLIC_URL", "http://localhost:8080", "the server's public address: download links and the verification link printed on certificates start with it"},
	{"LINK_SECRET", "", "key (16+ characters) that signs download links; every replica needs the same one. Unset: a random key per process, so links die with it"},
	{"LINK_TTL", "1h", "how long a download link stays valid, a Go duration"},
	{"METRICS_ADDR", "", "host:port of a separate listener for Prometheus' /metrics, e.g. 127.0.0.1:9090; unset: metrics are not served"},
	{"METRICS_TOKEN", "", "bearer token (16+ characters) a scraper must send to METRICS_ADDR; unset: no token asked"},
	{"METRICS_PPROF", "false", "true also serves Go's profiles under /debug/pprof/ on METRICS_ADDR (behind METRICS_TOKEN when set), for profiling the real server"},
	{"CORS_ORIGINS", "", "comma-separated exact origins whose browser pages may call /graphql, e.g. https://shop.example,https://admin.example; unset: none"},
	{"GRAPHQL_PLANS", "true", "false sends every query through gqlgen's executor, without plans (which write queries of plain fields, byte for byte as gqlgen would): to rule them out"},
}

// LoadConfig reads and validates the configuration. Every problem is reported at once, each
// naming its variable and how to fix it.
func LoadConfig(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, cv := range configVars {
			if cv.name == name {
				return cv.def
			}
		}
		return ""
	}
	var c Config
	var problems []string
	bad := func(name, format string, args ...any) {
		problems = append(problems, name+": "+fmt.Sprintf(format, args...))
	}

	c.DatabaseURL = get("DATABASE_URL")
	if c.DatabaseURL == "" {
		bad("DATABASE_URL", "not set; set it to postgres://user:pass@host:5432/db?sslmode=disable, or use `make run`, which brings up a local PostgreSQL")
	} else if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("DATABASE_URL", "%q is not a postgres:// URL; write it as postgres://user:pass@host:5432/db?sslmode=disable", redact(c.DatabaseURL))
	}

	c.ListenAddr = get("LISTEN_ADDR")
	if _, port, err := net.SplitHostPort(c.ListenAddr); err != nil {
		bad("LISTEN_ADDR", "%q is not host:port; use e.g. :8080 or 127.0.0.1:8080", c.ListenAddr)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		bad("LISTEN_ADDR", "port %q is not a number from 0 to 65535", port)
	}

	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL"))); err != nil {
		bad("LOG_LEVEL", "%q is not one of debug, info, warn, error", get("LOG_LEVEL"))
	}

	duration := func(name string, min, max time.Duration) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d < min || d > max {
			bad(name, "%q is not a duration between %s and %s; write it like 15s or 2m", get(name), min, max)
		}
		return d
	}
	c.RequestTimeout = duration("REQUEST_TIMEOUT", 100*time.Millisecond, 10*time.Minute)
	c.ShutdownTimeout = duration("SHUTDOWN_TIMEOUT", 0, 10*time.Minute)

	n, err := strconv.ParseInt(get("MAX_BODY_BYTES"), 10, 64)
	if err != nil || n < 1024 || n > 64<<20 {
		bad("MAX_BODY_BYTES", "%q is not a byte count between 1024 and 67108864", get("MAX_BODY_BYTES"))
	}
	c.MaxBodyBytes = n

	c.AutoMigrate, err = strconv.ParseBool(get("AUTO_MIGRATE"))
	if err != nil {
		bad("AUTO_MIGRATE", "%q is not true or false", get("AUTO_MIGRATE"))
	}

	days, err := strconv.Atoi(get("REPORTING_WINDOW_DAYS"))
	if err != nil || days < 1 || days > 3650 {
		bad("REPORTING_WINDOW_DAYS", "%q is not a whole number of days between 1 and 3650", get("REPORTING_WINDOW_DAYS"))
	}
	c.ReportingWindow = time.Duration(days) * 24 * time.Hour

	rmaDays, err := strconv.Atoi(get("RMA_EXPIRY_DAYS"))
	if err != nil || rmaDays < 1 || rmaDays > 365 {
		bad("RMA_EXPIRY_DAYS", "%q is not a whole number of days between 1 and 365", get("RMA_EXPIRY_DAYS"))
	}
	c.RMAExpiry = time.Duration(rmaDays) * 24 * time.Hour

	c.MailURL = get("MAIL_URL")
	if u, err := url.Parse(c.MailURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps" && u.Scheme != "file") {
		bad("MAIL_URL", "%q is not smtp://user:pass@host:port, smtps://… or file://folder", redact(c.MailURL))
	}
	c.MailFrom = get("MAIL_FROM")
	if a, err := mail.ParseAddress(c.MailFrom); err != nil || a.Address == "" {
		bad("MAIL_FROM", "%q is not an email address such as Second Chance <no-reply@example.com>", c.MailFrom)
	}
	if c.WorkJobs, err = strconv.ParseBool(get("WORK_JOBS")); err != nil {
		bad("WORK_JOBS", "%q is not true or false", get("WORK_JOBS"))
	}

	c.PublicURL = strings.TrimRight(get("PUBLIC_URL"), "/")
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		bad("PUBLIC_URL", "%q is not an http(s)://host[:port][/path] address", c.PublicURL)
	}
	if secret := get("LINK_SECRET"); secret != "" {
		if len(secret) < 16 {
			bad("LINK_SECRET", "is %d characters; use at least 16 random ones", len(secret))
		}
		c.LinkSecret = []byte(secret)
	} else {
		c.LinkSecret, c.LinkSecretRandom = make([]byte, 32), true
		rand.Read(c.LinkSecret)
	}
	c.LinkTTL = duration("LINK_TTL", time.Minute, 7*24*time.Hour)

	c.MetricsAddr = get("METRICS_ADDR")
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			bad("METRICS_ADDR", "%q is not host:port; use e.g. 127.0.0.1:9090, or leave it unset to serve no metrics", c.MetricsAddr)
		} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
			bad("METRICS_ADDR", "port %q is not a number from 0 to 65535", port)
		} else if c.MetricsAddr == c.ListenAddr && p != 0 {
			bad("METRICS_ADDR", "is LISTEN_ADDR too; metrics need a listener of their own, e.g. 127.0.0.1:9090")
		}
	}
	c.MetricsToken = get("METRICS_TOKEN")
	if c.MetricsToken != "" {
		if c.MetricsAddr == "" {
			bad("METRICS_TOKEN", "is set but METRICS_ADDR is not, so there are no metrics to protect; set METRICS_ADDR too")
		}
		if len(c.MetricsToken) < 16 || strings.ContainsAny(c.MetricsToken, " \t") {
			bad("METRICS_TOKEN", "must be at least 16 characters without spaces")
		}
	}
	if c.MetricsPprof, err = strconv.ParseBool(get("METRICS_PPROF")); err != nil {
		bad("METRICS_PPROF", "%q is not true or false", get("METRICS_PPROF"))
	} else if c.MetricsPprof && c.MetricsAddr == "" {
		bad("METRICS_PPROF", "is true but METRICS_ADDR is not set; profiles are served only there, so set METRICS_ADDR too")
	}
	if c.GraphQLPlans, err = strconv.ParseBool(get("GRAPHQL_PLANS")); err != nil {
		bad("GRAPHQL_PLANS", "%q is not true or false", get("GRAPHQL_PLANS"))
	}
	if origins := get("CORS_ORIGINS"); origins != "" {
		for _, o := range strings.Split(origins, ",") {
			o = strings.TrimSpace(o)
			norm, ok := schttp.NormalizeOrigin(o)
			if !ok {
				bad("CORS_ORIGINS", "%q is not an origin; write each as scheme://host[:port], e.g. https://shop.example (no path, no wildcard)", o)
				continue
			}
			c.CORSOrigins = append(c.CORSOrigins, norm)
		}
	}

	if len(problems) > 0 {
		return c, fmt.Errorf("invalid configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return c, nil
}

// redact hides the password of a database URL in messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
