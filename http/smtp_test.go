package http_test

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
)

// testSMTP is a real SMTP server on loopback that records what it accepts. failNext makes it
// refuse that many messages with a temporary error, as a server in an outage does.
type testSMTP struct {
	addr     string
	mu       sync.Mutex
	mails    []testMail
	failNext int
	refused  int
}

type testMail struct {
	From string
	To   []string
	Data string
}

func startSMTP(t *testing.T) *testSMTP {
	t.Helper()
	ts := &testSMTP{}
	s := smtp.NewServer(ts)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ts
}

func (ts *testSMTP) url() string { return "smtp://mailer:secret@" + ts.addr }

func (ts *testSMTP) received() []testMail {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]testMail(nil), ts.mails...)
}

func (ts *testSMTP) setFailNext(n int) {
	ts.mu.Lock()
	ts.failNext = n
	ts.mu.Unlock()
}

// NewSession implements smtp.Backend.
func (ts *testSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &testSession{ts: ts}, nil }

type testSession struct {
	ts     *testSMTP
	authed bool
	mail   testMail
}

func (s *testSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *testSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "mailer" || pass != "secret" {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.mail = testMail{From: from}
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mail.To = append(s.mail.To, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
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

func (s *testSession) Reset()        {}
func (s *testSession) Logout() error { return nil }

// message parses the mail: its headers, and its body decoded from quoted-printable.
func (m testMail) message(t *testing.T) (netmail.Header, string) {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(msg.Body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return msg.Header, string(b)
}
