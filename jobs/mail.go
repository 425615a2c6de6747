package jobs

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// Message is one plain-text email, with attachments.
type Message struct {
	From, To, Subject, Text string
	// MessageID is stable per digest or certificate, so a receiving system can tell a repeat.
	MessageID   string
	Attachments []Attachment
}

// Attachment is a file attached to a message.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// Mailer sends email.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// NewMailer reads MAIL_URL: smtp://user:pass@host:port (STARTTLS when the server offers it),
// smtps://user:pass@host:port (TLS from the start), or file:///path/to/folder, which writes
// each message as <message-id>.eml (the local default).
func NewMailer(mailURL string) (Mailer, error) {
	u, err := url.Parse(mailURL)
	if err != nil {
		return nil, fmt.Errorf("MAIL_URL: %w", err)
	}
	switch u.Scheme {
	case "file":
		dir := u.Path
		if u.Host != "" { // file://relative/dir
			dir = filepath.Join(u.Host, u.Path)
		}
		if dir == "" {
			return nil, fmt.Errorf("MAIL_URL %q names no folder; write it as file:///var/lib/secondchance/mail", mailURL)
		}
		return &folderMailer{dir: dir}, nil
	case "smtp", "smtps":
		host := u.Hostname()
		if host == "" {
			return nil, fmt.Errorf("MAIL_URL %q names no host; write it as smtp://user:pass@host:587", mailURL)
		}
		port := 587
		if u.Scheme == "smtps" {
			port = 465
		}
		if p := u.Port(); p != "" {
			if port, err = strconv.Atoi(p); err != nil {
				return nil, fmt.Errorf("MAIL_URL port %q is not a number", p)
			}
		}
		opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(30 * time.Second)}
		if u.Scheme == "smtps" {
			opts = append(opts, mail.WithSSL())
		} else {
			opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
		}
		if u.User != nil {
			pass, _ := u.User.Password()
			opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
		}
		return &smtpMailer{host: host, opts: opts}, nil
	}
	return nil, fmt.Errorf("MAIL_URL %q: use smtp://, smtps:// or file://", mailURL)
}

func (m Message) msg() (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", m.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("to %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.Trim(m.MessageID, "<>"))
	msg.SetDate()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(a.ContentType))); err != nil {
			return nil, fmt.Errorf("attaching %s: %w", a.Name, err)
		}
	}
	return msg, nil
}

type smtpMailer struct {
	host string
	opts []mail.Option
}

func (s *smtpMailer) Send(ctx context.Context, m Message) error {
	msg, err := m.msg()
	if err != nil {
		return err
	}
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

type folderMailer struct{ dir string }

func (f *folderMailer) Send(_ context.Context, m Message) error {
	msg, err := m.msg()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.dir, 0o755); err != nil {
		return err
	}
	name := strings.NewReplacer("<", "", ">", "", "@", "_", "/", "_").Replace(m.MessageID) + ".eml"
	return msg.WriteToFile(filepath.Join(f.dir, name))
}
