package apitest

import (
	"errors"
	"io"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// SMTP is a real SMTP server on loopback that records what it accepts, for the tests of
// everything that sends mail (digests, certificates, lot results, the portal's invitations).
// SetFailNext makes it refuse that many messages with a temporary error, as a server in an
// outage does.
type SMTP struct {
	addr     string
	mu       sync.Mutex
	mails    []Mail
	failNext int
	refused  int
}

// Mail is one message the server accepted.
type Mail struct {
	From string
	To   []string
	Data string
}

// StartSMTP starts a server for the test; it stops when the test ends.
func StartSMTP(t testing.TB) *SMTP {
	t.Helper()
	ts := &SMTP{}
	s := smtp.NewServer(ts)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ts.addr = ln.Addr().String()
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ts
}

// URL is the server's MAIL_URL.
func (ts *SMTP) URL() string { return "smtp://mailer:secret@" + ts.addr }

// Received returns the messages accepted so far, in order.
func (ts *SMTP) Received() []Mail {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]Mail(nil), ts.mails...)
}

// SetFailNext makes the server refuse the next n messages.
func (ts *SMTP) SetFailNext(n int) {
	ts.mu.Lock()
	ts.failNext = n
	ts.mu.Unlock()
}

// Refused is how many messages the server refused.
func (ts *SMTP) Refused() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.refused
}

// NewSession implements smtp.Backend.
func (ts *SMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{ts: ts}, nil }

type smtpSession struct {
	ts     *SMTP
	authed bool
	mail   Mail
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "mailer" || pass != "secret" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.mail = Mail{From: from}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mail.To = append(s.mail.To, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.ts.mu.Lock()
	defer s.ts.mu.Unlock()
	if s.ts.failNext > 0 {
		s.ts.failNext--
		s.ts.refused++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.mail.Data = string(b)
	s.ts.mails = append(s.ts.mails, s.mail)
	return nil
}

func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }

// Message parses the mail: its headers, and its body decoded from quoted-printable.
func (m Mail) Message(t testing.TB) (netmail.Header, string) {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
	require.NoError(t, err)
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(msg.Body)
	}
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return msg.Header, string(b)
}
