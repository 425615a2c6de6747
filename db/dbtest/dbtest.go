// Package dbtest gives each test a PostgreSQL database of its own, cloned from a template that
// is migrated once per schema version, so tests run in parallel against the real thing.
//
// It connects with DATABASE_URL (make test sets it up; the role needs CREATEDB).
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/secondchance/secondchance/db"
	"github.com/secondchance/secondchance/jobs"
)

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// URL returns the connection URL of the server tests use, or skips nothing: without one the
// test fails with the command that provides it.
func URL(t testing.TB) string {
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which brings up PostgreSQL and sets it")
	}
	return u
}

// WithDatabase returns base with its database name replaced.
func WithDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// New returns an open, migrated, empty database for t, dropped when t ends.
func New(t testing.TB) *db.DB {
	t.Helper()
	d, _ := NewWithURL(t)
	return d
}

// NewWithURL is New that also returns the database's URL, for tests that start the binary.
func NewWithURL(t testing.TB) (*db.DB, string) {
	t.Helper()
	base := URL(t)
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(base) })
	if templateErr != nil {
		t.Fatalf("preparing the template database: %v", templateErr)
	}
	return cloneDatabase(t, templateName)
}

// Clone returns a new database copied from src, which must have no open connections (close its
// pool first), dropped when t ends. Tests use it to run one scenario several ways on the same data.
func Clone(t testing.TB, src *db.DB, srcURL string) (*db.DB, string) {
	t.Helper()
	src.Close()
	u, err := url.Parse(srcURL)
	if err != nil {
		t.Fatal(err)
	}
	return cloneDatabase(t, strings.TrimPrefix(u.Path, "/"))
}

func cloneDatabase(t testing.TB, template string) (*db.DB, string) {
	t.Helper()
	base := URL(t)
	ctx := context.Background()
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "sctest_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %q TEMPLATE %q`, name, template)); err != nil {
		t.Fatalf("creating test database: %v", err)
	}
	u := WithDatabase(base, name)
	d, err := db.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		a, err := sqlx.Open("postgres", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, name))
	})
	return d, u
}

// ensureTemplate creates the template for the current migrations once across every test
// process: its name carries a hash of the migrations, and an advisory lock serialises creation.
func ensureTemplate(base string) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(db.Migrations, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(db.Migrations, p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	h.Write([]byte(jobs.SchemaVersion()))
	name := "sctemplate_" + hex.EncodeToString(h.Sum(nil))[:16]
	ctx := context.Background()
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(74210001)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(74210001)`)
	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_build"
	conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, building))
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %q`, building)); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, WithDatabase(base, building))
	if err != nil {
		return "", err
	}
	_, err = d.Migrate(ctx)
	if err == nil {
		_, err = jobs.Migrate(ctx, d.DB.DB)
	}
	d.Close()
	if err != nil {
		return "", fmt.Errorf("migrating: %w", err)
	}
	// Renamed only when complete, so a crashed run never leaves a half-migrated template.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %q RENAME TO %q`, building, name)); err != nil {
		return "", err
	}
	return name, nil
}
