package main

import (
	"context"
	"io"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStaffInvite(t *testing.T) {
	t.Parallel()
	tb := setup(t)
	mail := t.TempDir()
	invite := func(args ...string) (int, string, string) {
		var out, errOut syncBuffer
		m := &Main{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string {
			return map[string]string{"DATABASE_URL": tb.DBURL, "LOG_LEVEL": "error", "MAIL_URL": "file://" + mail,
				"PUBLIC_URL": "https://portal.example"}[k]
		}}
		code := m.Run(context.Background(), append([]string{"staff", "invite"}, args...))
		return code, out.String(), errOut.String()
	}
	code, out, errOut := invite("--store", "SCS", "--email", "Lee@Example.org", "--name", "Lee Park", "--role", "STORE_MANAGER")
	require.Equal(t, exitOK, code, errOut)
	require.Regexp(t, `^invited Lee Park <lee@example.org> as STORE_MANAGER of The Second Chance Store; the link in the email works until \S+\n$`, out)
	files, err := filepath.Glob(filepath.Join(mail, "*.eml"))
	require.NoError(t, err)
	require.Len(t, files, 1)
	f, err := os.Open(files[0])
	require.NoError(t, err)
	defer f.Close()
	msg, err := netmail.ReadMessage(f)
	require.NoError(t, err)
	require.Contains(t, msg.Header.Get("To"), "lee@example.org")
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	require.NoError(t, err)
	require.Regexp(t, regexp.MustCompile(`https://portal\.example/portal/invitation/[A-Za-z0-9_-]{43}\s`), string(body))

	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"ErrNoStore", []string{"--email", "a@example.org", "--name", "A"}, exitError, "store: name the store"},
		{"ErrUnknownStore", []string{"--store", "NOPE", "--email", "a@example.org", "--name", "A"}, exitError, "NOT_FOUND"},
		{"ErrBadInput", []string{"--store", "SCS", "--email", "nope", "--role", "BOSS"}, exitError, "email:"},
		{"ErrHasAccount", []string{"--store", "SCS", "--email", "lee@example.org", "--name", "Lee"}, exitError, "CONFLICT"},
		{"ErrArgument", []string{"extra"}, exitUsage, "unexpected argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "ErrHasAccount" {
				_, err := tb.DB.Exec(`INSERT INTO staff_accounts (store_id, name, email, role, password_hash) SELECT id, 'Lee', 'lee@example.org', 'STAFF', 'x' FROM stores WHERE code = 'SCS'`)
				require.NoError(t, err)
			}
			code, _, errOut := invite(tc.args...)
			require.Equal(t, tc.code, code, errOut)
			require.Contains(t, errOut, tc.msg)
		})
	}
}
